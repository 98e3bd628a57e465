import { useEffect, useState } from 'react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import { unwrap } from '../../api/problem';
import { useOrgKey } from '../../app/me';
import { CatalogueError } from './CatalogueError';
import { PriceLine } from './EffectivePrices';
import { draftPromotionId, namedDraft } from './promotionForm';
import { catalogueKey, type Pack, type PromotionDraft, type SalesPlatform } from './queries';

const DEBOUNCE_MS = 300;

function useDebounced<T>(value: T): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [value]);
  return settled;
}

/**
 * The price a fan would pay for one pack, before and after the draft, computed by the server with the
 * same rule as every stored price; it follows the form as it is typed.
 */
export function PricePreview({ draft, promotionId, packs }: { draft: PromotionDraft | null; promotionId: string | undefined; packs: Pack[] }) {
  const { t } = useTranslation();
  const key = useOrgKey();
  const priced = packs.filter((p) => p.effective.length > 0);
  const suggested = priced.find((p) => draft?.packIds?.includes(p.id)) ?? priced[0];
  const [packId, setPackId] = useState<string | null>(null);
  const pack = priced.find((p) => p.id === packId) ?? suggested;
  const [platform, setPlatform] = useState<string | null>(null);
  const platforms = pack?.effective.map((e) => e.platform) ?? [];
  const chosenPlatform = platform && platforms.includes(platform) ? platform : (platforms.find((p) => draft?.platforms?.includes(p as SalesPlatform)) ?? platforms[0]);
  const body = useDebounced(JSON.stringify({ draft, packId: pack?.id, platform: chosenPlatform, promotionId }));

  const preview = useQuery({
    queryKey: key(catalogueKey, 'preview', body),
    queryFn: () => {
      const b = JSON.parse(body) as { draft: PromotionDraft; packId: string; platform: SalesPlatform; promotionId?: string };
      // The server wants a name; an unnamed draft is shown as "this promotion" anyway (namedDraft).
      const promotion = { ...b.draft, name: b.draft.name || 'draft' };
      return unwrap(api.POST('/api/v1/promotions/preview', { body: { promotion, packId: b.packId, platform: b.platform, ...(b.promotionId ? { promotionId: b.promotionId } : {}) } }));
    },
    enabled: !!draft && !!pack && !!chosenPlatform,
    placeholderData: keepPreviousData,
    retry: false,
  });

  if (!priced.length) {
    return (
      <aside className="panel price-preview" aria-live="polite">
        <h3>{t('catalogue.preview.title')}</h3>
        <p className="muted small">{t('catalogue.preview.noPricedPack')}</p>
      </aside>
    );
  }
  const result = preview.data;
  const named = <P extends { promotion: { id: string; name: string } | null }>(price: P) => namedDraft(price, draftPromotionId(promotionId), draft?.name ?? '', t('catalogue.preview.thisPromotion'));
  return (
    <aside className="panel price-preview">
      <h3>{t('catalogue.preview.title')}</h3>
      <div className="grid-2">
        <label className="field">
          <span className="label">{t('catalogue.preview.pack')}</span>
          <select value={pack?.id ?? ''} onChange={(e) => setPackId(e.target.value)}>
            {priced.map((p) => (
              <option key={p.id} value={p.id}>
                {p.title}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span className="label">{t('catalogue.preview.platform')}</span>
          <select value={chosenPlatform ?? ''} onChange={(e) => setPlatform(e.target.value)}>
            {platforms.map((p) => (
              <option key={p} value={p}>
                {t(`calendar.platforms.${p as SalesPlatform}`)}
              </option>
            ))}
          </select>
        </label>
      </div>
      <div aria-live="polite" className="stack">
        {!draft && <p className="muted small">{t('catalogue.preview.incomplete')}</p>}
        {draft && <CatalogueError error={preview.error} />}
        {draft && result && (
          <>
            <dl className="facts">
              <dt>{t('catalogue.preview.before')}</dt>
              <dd>
                <PriceLine price={named(result.before)} />
              </dd>
              <dt>{t('catalogue.preview.after')}</dt>
              <dd>
                <PriceLine price={named(result.after)} />
              </dd>
            </dl>
            <p className={result.draftWins ? 'success small' : 'muted small'}>
              {result.draftWins ? t('catalogue.preview.wins') : result.draftApplies ? t('catalogue.preview.beaten') : t('catalogue.preview.notApplying')}
            </p>
          </>
        )}
      </div>
    </aside>
  );
}
