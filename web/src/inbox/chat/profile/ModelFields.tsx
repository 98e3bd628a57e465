import { useTranslation } from 'react-i18next';
import { errorUnder } from '../../../api/problem';
import { useCan } from '../../../app/me';
import { onLinkClick } from '../../../app/router';
import { useProviders } from '../../../studio/queries';
import { ErrorNote } from '../../../ui/ErrorNote';
import { Field } from '../../../ui/Field';
import { NumberInput } from '../../../ui/NumberInput';
import type { Params, SectionProps, Selling } from './draft';

type NumKey = 'maxTokens' | 'contextTokens' | 'recentWindow' | 'memoryEvery' | 'summaryAfter';
const NUMBERS: { key: NumKey; min: number; max: number }[] = [
  { key: 'contextTokens', min: 512, max: 200_000 },
  { key: 'maxTokens', min: 16, max: 4096 },
];
const MEMORY: { key: NumKey; min: number; max: number }[] = [
  { key: 'recentWindow', min: 2, max: 400 },
  { key: 'memoryEvery', min: 0, max: 200 },
  { key: 'summaryAfter', min: 0, max: 2000 },
];

const whole = (v: number | undefined, min: number, max: number) => v !== undefined && Number.isInteger(v) && v >= min && v <= max;

/**
 * Which model answers in her voice and how: a text provider from Settings → Providers (listing them needs
 * settings:manage; others see whether one is chosen and keep it), the model, sampling and memory parameters.
 */
export function ModelFields({ draft, set, errors, readOnly }: SectionProps) {
  const { t } = useTranslation();
  const can = useCan();
  const manage = can('settings:manage');
  const providers = useProviders();
  const params = draft.params;
  const patch = (p: Partial<Params>) => set({ params: { ...params, ...p } });
  const chosen = providers.data?.find((p) => p.id === draft.providerId);
  const defaultModel = typeof chosen?.config.model === 'string' ? chosen.config.model : '';

  return (
    <fieldset disabled={readOnly} className="stack">
      <legend>{t('chat.profile.model.title')}</legend>
      <p className="field-hint">
        {manage ? t('chat.profile.model.providersHint') : t('chat.profile.model.providersAdminOnly')}{' '}
        {manage && (
          <a href="/settings/providers" onClick={onLinkClick}>
            {t('chat.profile.model.manageProviders')}
          </a>
        )}
      </p>
      <ErrorNote error={providers.error} />
      <div className="grid-2">
        <Field label={t('chat.profile.model.provider')} error={errorUnder(errors, 'providerId')}>
          {(c) =>
            manage ? (
              <select {...c} value={draft.providerId ?? ''} onChange={(e) => set({ providerId: e.target.value || null })}>
                <option value="">{t('chat.profile.model.providerNone')}</option>
                {providers.data
                  ?.filter((p) => p.kind === 'text' && (p.enabled || p.id === draft.providerId))
                  .map((p) => (
                    <option key={p.id} value={p.id}>
                      {p.name} · {p.type}
                    </option>
                  ))}
                {draft.providerId && !providers.data?.some((p) => p.id === draft.providerId) && <option value={draft.providerId}>{t('chat.profile.model.providerUnknown')}</option>}
              </select>
            ) : (
              <input {...c} readOnly value={draft.providerId ? t('chat.profile.model.providerChosen') : t('chat.profile.model.providerNone')} />
            )
          }
        </Field>
        <Field label={t('chat.profile.model.model')} hint={t('chat.profile.model.modelHint')} error={errorUnder(errors, 'model')}>
          {(c) => <input {...c} value={draft.model ?? ''} placeholder={defaultModel} maxLength={200} onChange={(e) => set({ model: e.target.value })} />}
        </Field>
        <Field label={t('chat.profile.model.temperature')} hint={t('chat.profile.model.temperatureHint')} error={errorUnder(errors, 'params.temperature')}>
          {(c) => {
            const { temperature: _drop, ...rest } = params;
            return <NumberInput control={c} min={0} max={2} step={0.05} value={params.temperature} onChange={(v) => set({ params: v === undefined ? rest : { ...params, temperature: v } })} />;
          }}
        </Field>
        {NUMBERS.map(({ key, min, max }) => (
          <Field key={key} label={t(`chat.profile.model.${key}`)} hint={t(`chat.profile.model.hints.${key}`)} error={errorUnder(errors, `params.${key}`)}>
            {(c) => <NumberInput control={c} min={min} max={max} step={1} value={params[key]} onChange={(v) => whole(v, min, max) && patch({ [key]: v } as Partial<Params>)} />}
          </Field>
        ))}
      </div>
      <details className="chat-advanced" open={Object.keys(errors).some((k) => /^params\.(recentWindow|memoryEvery|summaryAfter|embeddingModel|pacing)/.test(k)) || undefined}>
        <summary>{t('chat.profile.model.advanced')}</summary>
        <div className="grid-2">
          {MEMORY.map(({ key, min, max }) => (
            <Field key={key} label={t(`chat.profile.model.${key}`)} hint={t(`chat.profile.model.hints.${key}`)} error={errorUnder(errors, `params.${key}`)}>
              {(c) => <NumberInput control={c} min={min} max={max} step={1} value={params[key]} onChange={(v) => whole(v, min, max) && patch({ [key]: v } as Partial<Params>)} />}
            </Field>
          ))}
          <Field label={t('chat.profile.model.embeddingModel')} hint={t('chat.profile.model.embeddingHint')} error={errorUnder(errors, 'params.embeddingModel')}>
            {(c) => {
              const { embeddingModel: _drop, ...rest } = params;
              return <input {...c} value={params.embeddingModel ?? ''} maxLength={200} onChange={(e) => set({ params: e.target.value.trim() ? { ...params, embeddingModel: e.target.value.trim() } : rest })} />;
            }}
          </Field>
        </div>
        <div className="checks-inline">
          <label className="check">
            <input type="checkbox" checked={params.pacing.enabled} onChange={(e) => patch({ pacing: { ...params.pacing, enabled: e.target.checked } })} /> {t('chat.profile.model.pacing')}
          </label>
          <Field label={t('chat.profile.model.msPerChar')} error={errorUnder(errors, 'params.pacing.msPerChar')}>
            {(c) => <NumberInput control={c} min={0} max={500} step={1} value={params.pacing.msPerChar} onChange={(v) => whole(v, 0, 500) && patch({ pacing: { ...params.pacing, msPerChar: v! } })} />}
          </Field>
          <Field label={t('chat.profile.model.maxMs')} error={errorUnder(errors, 'params.pacing.maxMs')}>
            {(c) => <NumberInput control={c} min={0} max={60_000} step={100} value={params.pacing.maxMs} onChange={(v) => whole(v, 0, 60_000) && patch({ pacing: { ...params.pacing, maxMs: v! } })} />}
          </Field>
        </div>
      </details>
    </fieldset>
  );
}

/** Selling limits (how often, how pushy), the fan rate limit and the first-contact notice. */
export function SellingFields({ draft, set, errors, readOnly }: SectionProps) {
  const { t } = useTranslation();
  const selling = draft.selling;
  const patch = (p: Partial<Selling>) => set({ selling: { ...selling, ...p } });
  return (
    <fieldset disabled={readOnly} className="stack">
      <legend>{t('chat.profile.selling.title')}</legend>
      <p className="field-hint">{t('chat.profile.selling.hint')}</p>
      <label className="check">
        <input type="checkbox" checked={selling.enabled} onChange={(e) => patch({ enabled: e.target.checked })} /> {t('chat.profile.selling.enabled')}
      </label>
      <div className="grid-2">
        <Field label={t('chat.profile.selling.pushiness')} hint={t(`chat.profile.selling.pushinessHints.${selling.pushiness}`)} error={errorUnder(errors, 'selling.pushiness')}>
          {(c) => (
            <select {...c} value={selling.pushiness} onChange={(e) => patch({ pushiness: e.target.value as Selling['pushiness'] })}>
              {(['subtle', 'balanced', 'eager'] as const).map((p) => (
                <option key={p} value={p}>
                  {t(`chat.profile.selling.pushinessLevels.${p}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('chat.profile.selling.maxOffersPerDay')} hint={t('chat.profile.selling.maxOffersPerDayHint')} error={errorUnder(errors, 'selling.maxOffersPerDay')}>
          {(c) => <NumberInput control={c} min={0} max={50} step={1} value={selling.maxOffersPerDay} onChange={(v) => whole(v, 0, 50) && patch({ maxOffersPerDay: v! })} />}
        </Field>
        <Field label={t('chat.profile.selling.minMessagesBetweenOffers')} hint={t('chat.profile.selling.minMessagesBetweenOffersHint')} error={errorUnder(errors, 'selling.minMessagesBetweenOffers')}>
          {(c) => <NumberInput control={c} min={0} max={1000} step={1} value={selling.minMessagesBetweenOffers} onChange={(v) => whole(v, 0, 1000) && patch({ minMessagesBetweenOffers: v! })} />}
        </Field>
        <Field label={t('chat.profile.limits.rate')} hint={t('chat.profile.limits.rateHint')} error={errorUnder(errors, 'rateLimitPerMinute')}>
          {(c) => <NumberInput control={c} min={1} max={600} step={1} value={draft.rateLimitPerMinute} onChange={(v) => whole(v, 1, 600) && set({ rateLimitPerMinute: v! })} />}
        </Field>
      </div>
      <Field label={t('chat.profile.limits.notice')} hint={t('chat.profile.limits.noticeHint')} error={errorUnder(errors, 'firstContactNotice')}>
        {(c) => <textarea {...c} rows={2} maxLength={1000} value={draft.firstContactNotice ?? ''} onChange={(e) => set({ firstContactNotice: e.target.value })} />}
      </Field>
    </fieldset>
  );
}
