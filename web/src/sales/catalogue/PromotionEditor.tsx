import { useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import { unwrap } from '../../api/problem';
import { useCan, useOrgKey } from '../../app/me';
import { useChannels } from '../../calendar/queries';
import { toggle } from '../../studio/fields';
import { Field } from '../../ui/Field';
import { CatalogueError } from './CatalogueError';
import { commonCurrencies } from './money';
import { PricePreview } from './PricePreview';
import { emptyFields, fieldsOf, toDraft, type PromotionFields } from './promotionForm';
import { catalogueKey, salesPlatforms, useSegments, useTrackingLinks, type Pack, type Promotion } from './queries';

const kinds = ['percent', 'fixed', 'free_trial'] as const;
const statuses = ['active', 'paused', 'archived'] as const;

/** Create or edit a promotion, with the price it gives shown live beside the form. */
export function PromotionEditor({ personaId, promotion, packs, onDone }: { personaId: string; promotion: Promotion | null; packs: Pack[]; onDone: () => void }) {
  const { t } = useTranslation();
  const key = useOrgKey();
  const can = useCan();
  const queryClient = useQueryClient();
  const channels = useChannels(personaId);
  const segments = useSegments(personaId);
  const links = useTrackingLinks(personaId);
  const [f, setF] = useState<PromotionFields>(() => (promotion ? fieldsOf(promotion) : emptyFields()));
  const set = (patch: Partial<PromotionFields>) => setF({ ...f, ...patch });
  const parsed = toDraft(f);
  const draft = 'draft' in parsed ? parsed.draft : null;
  const [shownProblem, setShownProblem] = useState(false);

  const save = useMutation({
    mutationFn: async () => {
      if (!draft) throw new Error('invalid');
      const body = { ...draft, name: f.name.trim() };
      return promotion
        ? unwrap(api.PATCH('/api/v1/promotions/{id}', { params: { path: { id: promotion.id } }, body }))
        : unwrap(api.POST('/api/v1/promotions', { body: { ...body, personaId } }));
    },
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: key(catalogueKey) });
      onDone();
    },
  });
  const remove = useMutation({
    mutationFn: () => unwrap(api.DELETE('/api/v1/promotions/{id}', { params: { path: { id: promotion!.id } } })),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: key(catalogueKey) });
      onDone();
    },
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setShownProblem(true);
    if (draft) save.mutate();
  };
  const problem = 'problem' in parsed && shownProblem ? parsed.problem : null;
  const valueLabel = f.kind === 'percent' ? t('catalogue.promotions.percent') : f.kind === 'fixed' ? t('catalogue.promotions.amount') : t('catalogue.promotions.days');

  return (
    <section className="panel" aria-labelledby="promotion-editor-title">
      <div className="panel-head">
        <h2 id="promotion-editor-title">{promotion ? t('catalogue.promotions.editTitle', { name: promotion.name }) : t('catalogue.promotions.newTitle')}</h2>
        {promotion && (
          <button type="button" onClick={onDone}>
            {t('catalogue.close')}
          </button>
        )}
      </div>
      <div className="columns">
        <form className="stack" onSubmit={submit}>
          <div className="grid-2">
            <Field label={t('catalogue.promotions.name')}>{(c) => <input {...c} value={f.name} onChange={(e) => set({ name: e.target.value })} required maxLength={120} />}</Field>
            <Field label={t('catalogue.promotions.kind')} hint={t(`catalogue.promotions.kindHint.${f.kind}`)}>
              {(c) => (
                <select {...c} value={f.kind} onChange={(e) => set({ kind: e.target.value as PromotionFields['kind'], value: e.target.value === 'free_trial' ? '7' : e.target.value === 'fixed' ? '' : '20' })}>
                  {kinds.map((k) => (
                    <option key={k} value={k}>
                      {t(`catalogue.promotionKind.${k}`)}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field label={valueLabel} error={problem === 'value' ? t('catalogue.promotions.invalidValue') : undefined}>
              {(c) => <input {...c} inputMode="decimal" value={f.value} onChange={(e) => set({ value: e.target.value })} required size={8} />}
            </Field>
            {f.kind === 'fixed' && (
              <Field label={t('catalogue.prices.currency')} hint={t('catalogue.promotions.currencyHint')}>
                {(c) => <input {...c} list="promotion-currencies" value={f.currency} onChange={(e) => set({ currency: e.target.value })} required maxLength={3} size={4} />}
              </Field>
            )}
            <Field label={t('catalogue.promotions.startsAt')} error={problem === 'dates' ? t('catalogue.promotions.invalidDates') : undefined}>
              {(c) => <input {...c} type="datetime-local" value={f.startsAt} onChange={(e) => set({ startsAt: e.target.value })} required />}
            </Field>
            <Field label={t('catalogue.promotions.endsAt')} hint={t('catalogue.promotions.localTime')}>
              {(c) => <input {...c} type="datetime-local" value={f.endsAt} onChange={(e) => set({ endsAt: e.target.value })} required />}
            </Field>
          </div>
          <datalist id="promotion-currencies">
            {commonCurrencies.map((c) => (
              <option key={c} value={c} />
            ))}
          </datalist>
          <fieldset>
            <legend>{t('catalogue.promotions.limits')}</legend>
            <p className="field-hint">{t('catalogue.promotions.limitsHint')}</p>
            <p className="label">{t('catalogue.promotions.platforms')}</p>
            <div className="checks-inline">
              {salesPlatforms.map((p) => (
                <label key={p} className="check">
                  <input type="checkbox" checked={f.platforms.includes(p)} onChange={(e) => set({ platforms: toggle(f.platforms, p, e.target.checked) })} />
                  {t(`calendar.platforms.${p}`)}
                </label>
              ))}
            </div>
            {can('channels:read') && !!channels.data?.length && (
              <>
                <p className="label">{t('catalogue.promotions.channels')}</p>
                <div className="checks-inline">
                  {channels.data.map((c) => (
                    <label key={c.id} className="check">
                      <input type="checkbox" checked={f.channelIds.includes(c.id)} onChange={(e) => set({ channelIds: toggle(f.channelIds, c.id, e.target.checked) })} />
                      {c.handle} ({t(`calendar.platforms.${c.platform}`)})
                    </label>
                  ))}
                </div>
              </>
            )}
            {packs.length > 0 && (
              <>
                <p className="label">{t('catalogue.promotions.packs')}</p>
                <div className="checks-inline">
                  {packs.map((p) => (
                    <label key={p.id} className="check">
                      <input type="checkbox" checked={f.packIds.includes(p.id)} onChange={(e) => set({ packIds: toggle(f.packIds, p.id, e.target.checked) })} />
                      {p.title}
                    </label>
                  ))}
                </div>
              </>
            )}
            <div className="grid-2">
              <Field label={t('catalogue.promotions.segment')} hint={t('catalogue.promotions.segmentHint')}>
                {(c) => (
                  <select {...c} value={f.segmentId} onChange={(e) => set({ segmentId: e.target.value })}>
                    <option value="">{t('catalogue.promotions.allFans')}</option>
                    {segments.data?.map((s) => (
                      <option key={s.id} value={s.id}>
                        {s.name}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              <Field label={t('catalogue.promotions.trackingLink')}>
                {(c) => (
                  <select {...c} value={f.trackingLinkId} onChange={(e) => set({ trackingLinkId: e.target.value })}>
                    <option value="">{t('catalogue.promotions.noLink')}</option>
                    {links.data?.map((l) => (
                      <option key={l.id} value={l.id}>
                        {l.name}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              <Field label={t('catalogue.promotions.status')}>
                {(c) => (
                  <select {...c} value={f.status} onChange={(e) => set({ status: e.target.value as PromotionFields['status'] })}>
                    {statuses.map((s) => (
                      <option key={s} value={s}>
                        {t(`catalogue.promotionStatus.${s}`)}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
            </div>
          </fieldset>
          <CatalogueError error={save.error instanceof Error && save.error.message === 'invalid' ? null : save.error} />
          <div className="actions">
            <button type="submit" className="primary" disabled={save.isPending}>
              {promotion ? t('catalogue.save') : t('catalogue.promotions.create')}
            </button>
            {promotion && (
              <button
                type="button"
                className="danger"
                disabled={remove.isPending}
                onClick={() => {
                  if (window.confirm(t('catalogue.promotions.confirmDelete', { name: promotion.name }))) remove.mutate();
                }}
              >
                {t('catalogue.promotions.delete')}
              </button>
            )}
          </div>
          <CatalogueError error={remove.error} />
        </form>
        <PricePreview draft={draft} promotionId={promotion?.id} packs={packs} />
      </div>
    </section>
  );
}
