import { useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import { unwrap } from '../../api/problem';
import { useOrgKey } from '../../app/me';
import { CatalogueError } from './CatalogueError';
import { commonCurrencies, fromMinor, toMinor } from './money';
import { catalogueKey, salesPlatforms, usePriceLists, type Pack, type SalesPlatform } from './queries';

interface Row {
  platform: SalesPlatform;
  amount: string;
  currency: string;
}

/** The pack's list price per platform, in the price list chosen (her default first). */
export function PriceEditor({ pack }: { pack: Pack }) {
  const { t } = useTranslation();
  const lists = usePriceLists(pack.personaId);
  const defaultId = lists.data?.find((l) => l.isDefault)?.id ?? '';
  const [chosen, setChosen] = useState<string | null>(null);
  const listId = chosen ?? defaultId;
  return (
    <fieldset>
      <legend>{t('catalogue.prices.title')}</legend>
      <p className="field-hint">{t('catalogue.prices.hint')}</p>
      <CatalogueError error={lists.error} />
      {!!lists.data?.length && (
        <label className="field">
          <span className="label">{t('catalogue.prices.list')}</span>
          <select value={listId} onChange={(e) => setChosen(e.target.value)}>
            {lists.data.map((l) => (
              <option key={l.id} value={l.id}>
                {l.isDefault ? t('catalogue.priceLists.defaultName', { name: l.name }) : l.name}
              </option>
            ))}
          </select>
        </label>
      )}
      <PriceRows key={`${listId}-${pack.updatedAt}`} pack={pack} listId={listId} />
    </fieldset>
  );
}

function PriceRows({ pack, listId }: { pack: Pack; listId: string }) {
  const { t } = useTranslation();
  const key = useOrgKey();
  const queryClient = useQueryClient();
  const [rows, setRows] = useState<Row[]>(() =>
    pack.prices.filter((p) => p.priceListId === listId).map((p) => ({ platform: p.platform as SalesPlatform, amount: fromMinor(p.amountMinor, p.currency), currency: p.currency })),
  );
  const [invalid, setInvalid] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: (prices: { platform: SalesPlatform; amountMinor: number; currency: string }[]) =>
      unwrap(api.PUT('/api/v1/packs/{id}/prices', { params: { path: { id: pack.id } }, body: { ...(listId ? { priceListId: listId } : {}), prices } })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: key(catalogueKey) }),
  });
  const unused = salesPlatforms.filter((p) => !rows.some((r) => r.platform === p));
  const update = (i: number, patch: Partial<Row>) => setRows(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));

  const submit = () => {
    const prices = [];
    for (const row of rows) {
      const currency = row.currency.trim().toUpperCase();
      const amountMinor = /^[A-Z]{3}$/.test(currency) ? toMinor(row.amount, currency) : undefined;
      if (amountMinor === undefined) return setInvalid(t('catalogue.prices.invalid', { platform: t(`calendar.platforms.${row.platform}`) }));
      prices.push({ platform: row.platform, amountMinor, currency });
    }
    setInvalid(null);
    save.mutate(prices);
  };

  return (
    <div className="stack">
      {rows.length === 0 && <p className="muted small">{t('catalogue.prices.none')}</p>}
      {rows.map((row, i) => (
        <div key={row.platform} className="row tight price-row">
          <span className="price-platform">{t(`calendar.platforms.${row.platform}`)}</span>
          <label className="field">
            <span className="label">{t('catalogue.prices.amount')}</span>
            <input inputMode="decimal" value={row.amount} onChange={(e) => update(i, { amount: e.target.value })} required size={8} />
          </label>
          <label className="field">
            <span className="label">{t('catalogue.prices.currency')}</span>
            <input list="catalogue-currencies" value={row.currency} onChange={(e) => update(i, { currency: e.target.value })} required maxLength={3} size={4} />
          </label>
          <button type="button" className="small-button" onClick={() => setRows(rows.filter((_, j) => j !== i))}>
            {t('catalogue.prices.remove')}
          </button>
        </div>
      ))}
      <datalist id="catalogue-currencies">
        {commonCurrencies.map((c) => (
          <option key={c} value={c} />
        ))}
      </datalist>
      {unused.length > 0 && (
        <label className="field">
          <span className="label">{t('catalogue.prices.add')}</span>
          <select
            value=""
            onChange={(e) => {
              if (e.target.value) setRows([...rows, { platform: e.target.value as SalesPlatform, amount: '', currency: rows.at(-1)?.currency ?? 'EUR' }]);
            }}
          >
            <option value="">{t('catalogue.prices.choosePlatform')}</option>
            {unused.map((p) => (
              <option key={p} value={p}>
                {t(`calendar.platforms.${p}`)}
              </option>
            ))}
          </select>
        </label>
      )}
      {invalid && (
        <p className="error-note" role="alert">
          {invalid}
        </p>
      )}
      <CatalogueError error={save.error} />
      <button type="button" onClick={submit} disabled={save.isPending}>
        {t('catalogue.prices.save')}
      </button>
      <p className={save.isSuccess ? 'success' : 'visually-hidden'} role="status">
        {save.isSuccess ? t('catalogue.saved') : ''}
      </p>
    </div>
  );
}
