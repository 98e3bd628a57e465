import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useCan } from '../../app/me';
import type { Persona } from '../../personas/queries';
import { useDateTime } from '../../ui/format';
import { CatalogueError } from './CatalogueError';
import { PromotionEditor } from './PromotionEditor';
import { TrackingLinksSection } from './TrackingLinksSection';
import { usePacks, usePromotions, type Pack, type Promotion } from './queries';
import { usePromotionTerms } from './terms';

/** Her discounts and free trials; they never stack, the one giving the lowest price applies. */
export function PromotionsTab({ persona }: { persona: Persona }) {
  const { t } = useTranslation();
  const can = useCan();
  const writable = can('sales:write');
  const promotions = usePromotions(persona.id);
  const packs = usePacks(persona.id);
  const [editing, setEditing] = useState<string | null>(null);
  const [round, setRound] = useState(0);
  const current = promotions.data?.find((p) => p.id === editing) ?? null;
  return (
    <div className="stack-lg">
      <section className="panel" aria-labelledby="promotions-title">
        <h2 id="promotions-title">{t('catalogue.promotions.heading', { name: persona.name })}</h2>
        <p className="muted">{t('catalogue.promotions.intro')}</p>
        <CatalogueError error={promotions.error} />
        {promotions.isPending && <p role="status">{t('common.loading')}</p>}
        {promotions.data?.length === 0 && <p className="muted">{t('catalogue.promotions.empty')}</p>}
        {!!promotions.data?.length && (
          <ul className="cards" aria-label={t('catalogue.promotions.listLabel')}>
            {promotions.data.map((p) => (
              <PromotionCard key={p.id} promotion={p} packs={packs.data ?? []} selected={p.id === editing} onEdit={writable ? () => setEditing(p.id) : undefined} />
            ))}
          </ul>
        )}
      </section>
      {writable && (
        <PromotionEditor
          key={current ? `${current.id}-${current.updatedAt}` : `new-${round}`}
          personaId={persona.id}
          promotion={current}
          packs={packs.data ?? []}
          onDone={() => {
            setEditing(null);
            setRound((n) => n + 1);
          }}
        />
      )}
      <TrackingLinksSection personaId={persona.id} />
    </div>
  );
}

function PromotionCard({ promotion, packs, selected, onEdit }: { promotion: Promotion; packs: Pack[]; selected: boolean; onEdit: (() => void) | undefined }) {
  const { t } = useTranslation();
  const dateTime = useDateTime();
  const terms = usePromotionTerms();
  const limits = [
    promotion.platforms.length ? promotion.platforms.map((p) => t(`calendar.platforms.${p as 'fanvue'}`)).join(', ') : null,
    promotion.packIds.length ? packs.filter((p) => promotion.packIds.includes(p.id)).map((p) => p.title).join(', ') : null,
    promotion.channelIds.length ? t('catalogue.promotions.channelCount', { count: promotion.channelIds.length }) : null,
    promotion.segmentId ? t('catalogue.promotions.segmentOnly') : null,
  ].filter(Boolean);
  return (
    <li className={selected ? 'card card-selected' : 'card'}>
      <div className="card-head">
        <h3>{promotion.name}</h3>
        <span className="badge">{terms(promotion)}</span>
        {promotion.live ? <span className="badge badge-ok">{t('catalogue.promotions.live')}</span> : <span className="badge">{t(`catalogue.promotionStatus.${promotion.status}`)}</span>}
      </div>
      <p className="small">{t('catalogue.promotions.window', { from: dateTime(promotion.startsAt), to: dateTime(promotion.endsAt) })}</p>
      <p className="muted small">{limits.length ? t('catalogue.promotions.limitedTo', { limits: limits.join(' · ') }) : t('catalogue.promotions.everywhere')}</p>
      {onEdit && (
        <div className="actions">
          <button type="button" className="small-button" onClick={onEdit} aria-label={t('catalogue.promotions.editLabel', { name: promotion.name })}>
            {t('catalogue.edit')}
          </button>
        </div>
      )}
    </li>
  );
}
