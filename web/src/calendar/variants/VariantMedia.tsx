import { useTranslation } from 'react-i18next';
import { useMedia } from '../../studio/queries';
import type { ControlProps } from '../../ui/Field';
import { useDateTime } from '../../ui/format';

const APPROVED_IMAGES = { kind: 'image', status: 'approved' } as const;

/** One of her approved images for a variant, or '' for the post's own. */
export function VariantMedia({ personaId, value, onChange, control }: { personaId: string; value: string; onChange: (assetId: string) => void; control: ControlProps }) {
  const { t } = useTranslation();
  const dateTime = useDateTime();
  const media = useMedia(personaId, APPROVED_IMAGES);
  const items = media.data?.pages.flat() ?? [];
  const chosen = items.find((a) => a.id === value);
  return (
    <div className="variant-media">
      <select {...control} value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">{t('variants.postMedia')}</option>
        {items.map((asset) => (
          <option key={asset.id} value={asset.id}>
            {t('variants.mediaOption', { date: dateTime(asset.createdAt), rating: t(`studio.rating.${asset.rating}`) })}
          </option>
        ))}
      </select>
      {chosen && <img className="variant-thumb" src={chosen.thumbnailUrl ?? chosen.url} alt="" />}
    </div>
  );
}
