import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useCan } from '../../app/me';
import type { Persona } from '../../personas/queries';
import { ErrorNote } from '../../ui/ErrorNote';
import { Field } from '../../ui/Field';
import { useDateTime } from '../../ui/format';
import { useMoney } from '../catalogue/money';
import { useDeleteTransaction, useTransactions, type Transaction, type TransactionQuery } from './queries';
import { TotalsLine } from './TotalsLine';

export const KINDS = ['subscription', 'renewal', 'tip', 'ppv', 'pack', 'refund', 'chargeback'] as const;

/** Every row of the persona's ledger, newest first, filtered by kind and dates. */
export function TransactionsPanel({ persona }: { persona: Persona }) {
  const { t } = useTranslation();
  const can = useCan();
  const [kind, setKind] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const query: TransactionQuery = {
    ...(kind ? { kind: kind as Transaction['kind'] } : {}),
    ...(from ? { from: `${from}T00:00:00Z` } : {}),
    // The "to" day is included: the API's bound is exclusive, so ask for the next midnight.
    ...(to ? { to: new Date(Date.parse(`${to}T00:00:00Z`) + 86_400_000).toISOString() } : {}),
  };
  const rows = useTransactions(persona.id, query);
  const remove = useDeleteTransaction();
  const items = rows.data?.pages.flatMap((p) => p.items) ?? [];
  const totals = rows.data?.pages[0]?.totals;

  return (
    <section className="panel" aria-labelledby="ledger-rows-title">
      <div className="panel-head">
        <h2 id="ledger-rows-title">{t('billing.ledger.title')}</h2>
      </div>
      <div className="filters" role="search">
        <Field label={t('billing.ledger.kind')}>
          {(c) => (
            <select {...c} value={kind} onChange={(e) => setKind(e.target.value)}>
              <option value="">{t('billing.ledger.allKinds')}</option>
              {KINDS.map((k) => (
                <option key={k} value={k}>
                  {t(`billing.kinds.${k}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('billing.ledger.from')}>{(c) => <input {...c} type="date" value={from} onChange={(e) => setFrom(e.target.value)} />}</Field>
        <Field label={t('billing.ledger.to')}>{(c) => <input {...c} type="date" value={to} onChange={(e) => setTo(e.target.value)} />}</Field>
      </div>
      {totals && <TotalsLine totals={totals} />}
      <ErrorNote error={rows.error ?? remove.error} />
      {rows.isPending && <p role="status">{t('common.loading')}</p>}
      {rows.isSuccess && items.length === 0 && <p className="muted">{t('billing.ledger.empty')}</p>}
      {items.length > 0 && (
        <TransactionTable
          rows={items}
          onDelete={can('sales:write') ? (row) => window.confirm(t('billing.ledger.confirmDelete')) && remove.mutate(row.id) : undefined}
          deleting={remove.isPending}
        />
      )}
      {rows.hasNextPage && (
        <button type="button" className="link" onClick={() => void rows.fetchNextPage()} disabled={rows.isFetchingNextPage}>
          {t('billing.ledger.more')}
        </button>
      )}
    </section>
  );
}

function TransactionTable({ rows, onDelete, deleting }: { rows: Transaction[]; onDelete: ((row: Transaction) => void) | undefined; deleting: boolean }) {
  const { t } = useTranslation();
  const money = useMoney();
  const dateTime = useDateTime();
  return (
    <div className="table-wrap">
      <table className="ledger-table">
        <thead>
          <tr>
            <th scope="col">{t('billing.ledger.columns.when')}</th>
            <th scope="col">{t('billing.ledger.columns.kind')}</th>
            <th scope="col">{t('billing.ledger.columns.platform')}</th>
            <th scope="col" className="num">
              {t('billing.ledger.columns.gross')}
            </th>
            <th scope="col" className="num">
              {t('billing.ledger.columns.fee')}
            </th>
            <th scope="col" className="num">
              {t('billing.ledger.columns.net')}
            </th>
            <th scope="col">{t('billing.ledger.columns.source')}</th>
            {onDelete && <th scope="col">{t('billing.ledger.columns.actions')}</th>}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.id} className={r.netMinor < 0 ? 'ledger-negative' : undefined}>
              <td>{dateTime(r.occurredAt)}</td>
              <td>
                {t(`billing.kinds.${r.kind}`)}
                {r.description && <div className="muted small">{r.description}</div>}
              </td>
              <td>{r.platform}</td>
              <td className="num">{money(r.grossMinor, r.currency)}</td>
              <td className="num">{money(r.feeMinor, r.currency)}</td>
              <td className="num">{money(r.netMinor, r.currency)}</td>
              <td className="small">{r.source === 'manual' ? t('billing.ledger.manual') : r.source}</td>
              {onDelete && (
                <td>
                  {r.source === 'manual' && (
                    <button type="button" className="link danger" disabled={deleting} onClick={() => onDelete(r)}>
                      {t('billing.ledger.delete')}
                    </button>
                  )}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
