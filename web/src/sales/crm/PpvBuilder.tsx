import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { Persona } from '../../personas/queries';
import { useChannels } from '../../calendar/queries';
import { useMedia } from '../../studio/queries';
import { ErrorNote } from '../../ui/ErrorNote';
import { Field } from '../../ui/Field';
import { NumberInput } from '../../ui/NumberInput';
import { toMinor, useSegmentName } from './format';
import { useCampaignAction, useCreateCampaign, useSegmentSize, useSegments } from './queries';

const APPROVED = { status: 'approved' } as const;
/** Fanvue's smallest price for a pay-to-view message (in the currency's units). */
const MIN_PRICE = 3;

/** Channel (Fanvue only), segment with its size, media, message, price and time: saved as a draft or scheduled. */
export function PpvBuilder({ persona }: { persona: Persona }) {
  const { t } = useTranslation();
  const segmentName = useSegmentName();
  const channels = useChannels(persona.id);
  const fanvue = (channels.data ?? []).filter((c) => c.platform === 'fanvue');
  const segments = useSegments(persona.id);
  const media = useMedia(persona.id, APPROVED);
  const assets = (media.data?.pages.flat() ?? []).filter((a) => a.kind !== 'audio');
  const create = useCreateCampaign();
  const action = useCampaignAction();

  const [channelId, setChannelId] = useState('');
  const [segmentId, setSegmentId] = useState('');
  const [assetIds, setAssetIds] = useState<string[]>([]);
  const [message, setMessage] = useState('');
  const [price, setPrice] = useState<number | undefined>(undefined);
  const [currency, setCurrency] = useState('USD');
  const [when, setWhen] = useState('');
  const [done, setDone] = useState('');
  const size = useSegmentSize(segmentId || undefined, persona.id);
  const channel = channelId || fanvue[0]?.id || '';
  const priceInvalid = price !== undefined && price > 0 && price < MIN_PRICE;

  const submit = (e: FormEvent, schedule: boolean) => {
    e.preventDefault();
    setDone('');
    create.mutate(
      { personaId: persona.id, channelId: channel, segmentId, assetIds, message, priceMinor: toMinor(price ?? 0, currency), currency },
      {
        onSuccess: (campaign) => {
          if (!schedule || !when) return setDone(t('crm.ppv.savedDraft'));
          action.mutate({ id: campaign.id, kind: 'schedule', at: new Date(when).toISOString() }, { onSuccess: () => setDone(t('crm.ppv.scheduled')) });
        },
      },
    );
  };

  return (
    <form className="panel stack" onSubmit={(e) => submit(e, true)} aria-labelledby="crm-ppv-new">
      <h2 id="crm-ppv-new">{t('crm.ppv.newTitle')}</h2>
      {channels.isSuccess && fanvue.length === 0 && <p className="muted">{t('crm.ppv.noFanvue')}</p>}
      <div className="row">
        <Field label={t('crm.ppv.channel')}>
          {(c) => (
            <select {...c} required value={channel} onChange={(e) => setChannelId(e.target.value)}>
              {fanvue.map((ch) => (
                <option key={ch.id} value={ch.id}>
                  {ch.handle}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('crm.ppv.segment')} hint={size.data ? t('crm.segments.size', { count: size.data.size }) : undefined}>
          {(c) => (
            <select {...c} required value={segmentId} onChange={(e) => setSegmentId(e.target.value)}>
              <option value="">{t('crm.ppv.chooseSegment')}</option>
              {segments.data?.map((s) => (
                <option key={s.id} value={s.id}>
                  {segmentName(s)}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <fieldset>
        <legend>{t('crm.ppv.media')}</legend>
        <p className="field-hint">{t('crm.ppv.mediaHint')}</p>
        {media.isSuccess && assets.length === 0 && <p className="muted small">{t('crm.ppv.noMedia')}</p>}
        <ul className="pick-grid">
          {assets.map((asset, i) => {
            const on = assetIds.includes(asset.id);
            return (
              <li key={asset.id}>
                <label className={on ? 'pick pick-on' : 'pick'}>
                  <input type="checkbox" checked={on} onChange={(e) => setAssetIds((ids) => (e.target.checked ? [...ids, asset.id] : ids.filter((x) => x !== asset.id)))} />
                  <span className="visually-hidden">{t('crm.ppv.mediaItem', { n: i + 1, rating: t(`studio.rating.${asset.rating}`) })}</span>
                  <img src={asset.thumbnailUrl ?? asset.url} alt="" loading="lazy" />
                </label>
              </li>
            );
          })}
        </ul>
        {media.hasNextPage && (
          <button type="button" className="link" onClick={() => void media.fetchNextPage()} disabled={media.isFetchingNextPage}>
            {t('studio.gallery.loadMore')}
          </button>
        )}
      </fieldset>
      <Field label={t('crm.ppv.message')} hint={t('crm.ppv.messageHint')}>
        {(c) => <textarea {...c} rows={4} maxLength={5000} value={message} onChange={(e) => setMessage(e.target.value)} />}
      </Field>
      <div className="row">
        <Field label={t('crm.ppv.price')} hint={t('crm.ppv.priceHint', { min: MIN_PRICE })} error={priceInvalid ? t('crm.ppv.priceHint', { min: MIN_PRICE }) : undefined}>
          {(c) => <NumberInput control={c} min={0} step="0.01" value={price} onChange={setPrice} />}
        </Field>
        <Field label={t('crm.ppv.currency')}>{(c) => <input {...c} required pattern="[A-Z]{3}" maxLength={3} value={currency} onChange={(e) => setCurrency(e.target.value.toUpperCase())} />}</Field>
        <Field label={t('crm.ppv.when')} hint={t('crm.ppv.whenHint')}>
          {(c) => <input {...c} type="datetime-local" value={when} onChange={(e) => setWhen(e.target.value)} />}
        </Field>
      </div>
      <ErrorNote error={create.error ?? action.error ?? channels.error ?? segments.error} />
      <div className="actions">
        <button type="submit" className="primary" disabled={create.isPending || !when || !channel || !segmentId || priceInvalid}>
          {t('crm.ppv.schedule')}
        </button>
        <button type="button" disabled={create.isPending || !channel || !segmentId || priceInvalid} onClick={(e) => submit(e, false)}>
          {t('crm.ppv.saveDraft')}
        </button>
        {done && <span role="status">{done}</span>}
      </div>
    </form>
  );
}
