import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Persona } from '../../personas/queries';
import { ErrorNote } from '../../ui/ErrorNote';
import { Field } from '../../ui/Field';
import { useDateTime } from '../../ui/format';
import { useMoney } from '../catalogue/money';
import { statementDocument, useCreateStatement, useStatements, type Statement } from './queries';

/** Generate a month's statement and open the stored ones: HTML shown in a sandboxed frame, PDF downloaded. */
export function StatementList({ persona, month, onMonth, write }: { persona: Persona; month: string; onMonth: (m: string) => void; write: boolean }) {
  const { t } = useTranslation();
  const money = useMoney();
  const dateTime = useDateTime();
  const list = useStatements(persona.id);
  const create = useCreateStatement();
  const [preview, setPreview] = useState<{ id: string; html: string } | null>(null);
  const [docError, setDocError] = useState<unknown>(null);

  const open = async (s: Statement, kind: 'html' | 'pdf') => {
    setDocError(null);
    try {
      const blob = await statementDocument(s.id, kind);
      if (kind === 'html') {
        setPreview({ id: s.id, html: await blob.text() });
        return;
      }
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = `statement-${s.month}-${persona.name.replace(/[^\w-]+/g, '_')}.pdf`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (error) {
      setDocError(error);
    }
  };
  useEffect(() => setPreview(null), [persona.id]);

  return (
    <section className="panel" aria-labelledby="billing-statements-title">
      <div className="panel-head">
        <h2 id="billing-statements-title">{t('billing.statements.title')}</h2>
      </div>
      <form
        className="ledger-form"
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate({ month, personaId: persona.id });
        }}
      >
        <Field label={t('billing.statements.month')}>{(c) => <input {...c} type="month" value={month} onChange={(e) => e.target.value && onMonth(e.target.value)} />}</Field>
        {write && (
          <div className="actions">
            <button type="submit" disabled={create.isPending}>
              {create.isPending ? t('billing.statements.generating') : t('billing.statements.generate')}
            </button>
          </div>
        )}
      </form>
      {create.data?.pdfError && <p className="muted">{t('billing.statements.noPdf')}</p>}
      <ErrorNote error={list.error ?? create.error ?? docError} />
      {list.data && list.data.items.length === 0 && <p className="muted">{t('billing.statements.empty')}</p>}
      {list.data && list.data.items.length > 0 && (
        <div className="table-wrap">
          <table className="ledger-table">
            <thead>
              <tr>
                <th scope="col">{t('billing.statements.month')}</th>
                <th scope="col" className="num">
                  {t('billing.statements.net')}
                </th>
                <th scope="col" className="num">
                  {t('billing.statements.share')}
                </th>
                <th scope="col" className="num">
                  {t('billing.statements.costs')}
                </th>
                <th scope="col" className="num">
                  {t('billing.statements.balance')}
                </th>
                <th scope="col">{t('billing.statements.made')}</th>
                <th scope="col">{t('billing.statements.documents')}</th>
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((s) => (
                <tr key={s.id}>
                  <td>{s.month}</td>
                  <td className="num">{money(s.totals.revenue.converted.netMinor, s.currency)}</td>
                  <td className="num">{money(s.totals.revenueShare.minor, s.currency)}</td>
                  <td className="num">{money(s.totals.costs.convertedMinor, s.currency)}</td>
                  <td className="num">
                    <strong>{money(s.totals.balanceMinor, s.currency)}</strong>
                  </td>
                  <td className="small">{dateTime(s.createdAt)}</td>
                  <td>
                    <button type="button" className="link" onClick={() => void open(s, 'html')} disabled={!s.hasHtml}>
                      {t('billing.statements.html')}
                    </button>{' '}
                    <button type="button" className="link" onClick={() => void open(s, 'pdf')} disabled={!s.hasPdf}>
                      {t('billing.statements.pdf')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {preview && (
        <div className="ledger-preview">
          <div className="actions">
            <button type="button" className="link" onClick={() => setPreview(null)}>
              {t('billing.statements.close')}
            </button>
          </div>
          {/* sandbox without allow-scripts: the stored page can neither run code nor reach the app. */}
          <iframe title={t('billing.statements.preview')} sandbox="" srcDoc={preview.html} className="ledger-preview-frame" />
        </div>
      )}
    </section>
  );
}
