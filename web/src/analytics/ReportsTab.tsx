import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { onLinkClick } from '../app/router';
import { useCan } from '../app/me';
import type { Persona } from '../personas/queries';
import { ErrorNote } from '../ui/ErrorNote';
import { useDateTime } from '../ui/format';
import { useFigures } from './format';
import { addDays, utcDay } from './range';
import { reportDocument, reportKinds, useCreateReport, useDeliverReport, useReport, useReports, type Delivery, type Destination, type Report, type ReportKind } from './reportQueries';

const lastMonth = (now = new Date()) => utcDay(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 0)).slice(0, 7);

/** Stored reports (HTML to read here, PDF to download), a report made on demand, and where each went. */
export function ReportsTab({ personaId, personas }: { personaId: string | null; personas: Persona[] }) {
  const { t } = useTranslation();
  const can = useCan();
  const f = useFigures();
  const dateTime = useDateTime();
  const list = useReports(personaId);
  const deliver = useDeliverReport();
  const [open, setOpen] = useState<{ id: string; html: string; title: string } | null>(null);
  const [docError, setDocError] = useState<unknown>(null);
  const manage = can('analytics:manage');
  const items = list.data?.items ?? [];
  const subject = (r: Report) => r.personaName ?? t('analytics.agency');
  const period = (r: Report) => (r.periodStart === addDays(r.periodEnd, -1) ? f.day(r.periodStart) : `${f.day(r.periodStart)} – ${f.day(addDays(r.periodEnd, -1))}`);
  // The kind in the reader's language stands for the server's (English) title.
  const label = (r: Report) => `${t(`analytics.reports.kinds.${r.kind}`)}, ${subject(r)}, ${period(r)}`;

  const show = async (r: Report, kind: 'html' | 'pdf') => {
    setDocError(null);
    try {
      const blob = await reportDocument(r.id, kind);
      if (kind === 'html') {
        setOpen({ id: r.id, html: await blob.text(), title: label(r) });
        return;
      }
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = `report-${r.kind}-${r.periodStart}-${subject(r).replace(/[^\w-]+/g, '_')}.pdf`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (error) {
      setDocError(error);
    }
  };

  return (
    <div className="stack-lg">
      {manage && <GenerateForm personaId={personaId} personas={personas} onMade={(r) => void show(r, 'html')} />}
      <section className="panel" aria-labelledby="an-reports-title">
        <h2 id="an-reports-title">{t('analytics.reports.title')}</h2>
        <ErrorNote error={list.error ?? docError ?? deliver.error} />
        {deliver.data && (
          <p className="success" role="status">
            {t('analytics.reports.queued', { count: deliver.data.queued })}
          </p>
        )}
        {list.data && items.length === 0 && (
          <div className="an-empty-inline" data-empty="reports">
            <p>{t('analytics.reports.empty')}</p>
            <a href="/analytics/settings" onClick={onLinkClick}>
              {t('analytics.reports.toSettings')}
            </a>
          </div>
        )}
        {items.length > 0 && (
          <div className="table-wrap">
            <table className="an-table" data-table="reports">
              <thead>
                <tr>
                  <th scope="col">{t('analytics.reports.report')}</th>
                  <th scope="col">{t('analytics.reports.period')}</th>
                  <th scope="col" className="num">
                    {t('analytics.columns.revenue')}
                  </th>
                  <th scope="col">{t('analytics.reports.made')}</th>
                  <th scope="col">{t('analytics.reports.documents')}</th>
                </tr>
              </thead>
              <tbody>
                {items.map((r) => (
                  <tr key={r.id} className={open?.id === r.id ? 'an-selected' : undefined}>
                    <th scope="row">
                      {t(`analytics.reports.kinds.${r.kind}`)}
                      <span className="muted small an-block">{subject(r)}</span>
                    </th>
                    <td className="nowrap">{period(r)}</td>
                    <td className="num">{r.revenueNetMinor === null ? f.dash : f.money(r.revenueNetMinor, r.currency)}</td>
                    <td className="small">{dateTime(r.createdAt)}</td>
                    <td>
                      <div className="actions">
                        <button type="button" className="link" onClick={() => void show(r, 'html')} disabled={!r.hasHtml} aria-label={t('analytics.reports.openLabel', { title: label(r) })}>
                          {t('analytics.reports.open')}
                        </button>
                        <button type="button" className="link" onClick={() => void show(r, 'pdf')} disabled={!r.hasPdf} title={r.pdfError ?? undefined} aria-label={t('analytics.reports.pdfLabel', { title: label(r) })}>
                          {t('analytics.reports.pdf')}
                        </button>
                        {manage && (
                          <button type="button" className="link" onClick={() => deliver.mutate(r.id)} disabled={deliver.isPending} aria-label={t('analytics.reports.sendLabel', { title: label(r) })}>
                            {t('analytics.reports.send')}
                          </button>
                        )}
                      </div>
                      {r.pdfError && <span className="muted small an-block">{t('analytics.reports.noPdf')}</span>}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      {open && <ReportPreview id={open.id} html={open.html} title={open.title} onClose={() => setOpen(null)} />}
    </div>
  );
}

function GenerateForm({ personaId, personas, onMade }: { personaId: string | null; personas: Persona[]; onMade: (r: Report) => void }) {
  const { t } = useTranslation();
  const id = useId();
  const create = useCreateReport();
  const [kind, setKind] = useState<ReportKind>('monthly');
  const [day, setDay] = useState(addDays(utcDay(new Date()), -1));
  const [month, setMonth] = useState(lastMonth());
  const [subject, setSubject] = useState<string>(personaId ?? '');
  const [deliver, setDeliver] = useState(false);

  return (
    <section className="panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t('analytics.reports.generateTitle')}</h2>
      <form
        className="an-form-row"
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate({ kind, period: kind === 'monthly' ? month : day, personaId: subject || null, deliver }, { onSuccess: (r) => onMade(r) });
        }}
      >
        <div className="field">
          <label htmlFor={`${id}-kind`}>{t('analytics.reports.kind')}</label>
          <select id={`${id}-kind`} value={kind} onChange={(e) => setKind(e.target.value as ReportKind)}>
            {reportKinds.map((k) => (
              <option key={k} value={k}>
                {t(`analytics.reports.kinds.${k}`)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-period`}>{kind === 'monthly' ? t('analytics.reports.month') : kind === 'weekly' ? t('analytics.reports.weekStart') : t('analytics.reports.day')}</label>
          {kind === 'monthly' ? (
            <input id={`${id}-period`} type="month" value={month} onChange={(e) => e.target.value && setMonth(e.target.value)} />
          ) : (
            <input id={`${id}-period`} type="date" value={day} onChange={(e) => e.target.value && setDay(e.target.value)} />
          )}
        </div>
        <div className="field">
          <label htmlFor={`${id}-subject`}>{t('analytics.reports.subject')}</label>
          <select id={`${id}-subject`} value={subject} onChange={(e) => setSubject(e.target.value)}>
            <option value="">{t('analytics.allPersonas')}</option>
            {personas.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </div>
        <label className="check">
          <input type="checkbox" checked={deliver} onChange={(e) => setDeliver(e.target.checked)} />
          {t('analytics.reports.deliverToo')}
        </label>
        <button type="submit" className="primary" disabled={create.isPending}>
          {create.isPending ? t('analytics.reports.generating') : t('analytics.reports.generate')}
        </button>
      </form>
      <p className="field-hint">{t(`analytics.reports.kindHint.${kind}`)}</p>
      <ErrorNote error={create.error} />
      {create.data && (
        <p className="success" role="status">
          {t('analytics.reports.madeNotice', { title: t(`analytics.reports.kinds.${create.data.kind}`) })}
          {create.data.pdfError ? ` ${t('analytics.reports.noPdf')}` : ''}
        </p>
      )}
    </section>
  );
}

/** The stored page in a sandboxed frame (no scripts, no access to the app), with where it was sent. */
function ReportPreview({ id, html, title, onClose }: { id: string; html: string; title: string; onClose: () => void }) {
  const { t } = useTranslation();
  const dateTime = useDateTime();
  const report = useReport(id);
  const deliveries = report.data?.deliveries ?? [];
  return (
    <section className="panel" aria-labelledby="an-report-open">
      <div className="panel-head">
        <h2 id="an-report-open">{title}</h2>
        <button type="button" onClick={onClose}>
          {t('analytics.reports.close')}
        </button>
      </div>
      <iframe title={t('analytics.reports.previewOf', { title })} sandbox="" srcDoc={html} className="an-report-frame" />
      <h3>{t('analytics.reports.deliveries')}</h3>
      <ErrorNote error={report.error} />
      {report.data && deliveries.length === 0 && <p className="muted small">{t('analytics.reports.noDeliveries')}</p>}
      {deliveries.length > 0 && <DeliveryList deliveries={deliveries} dateTime={dateTime} />}
    </section>
  );
}

/** Where a report or alert notification went and how it ended; `event` also says which (fired, resolved…). */
export function DeliveryList({ deliveries, dateTime, event = false }: { deliveries: Delivery[]; dateTime: (iso: string | null) => string; event?: boolean }) {
  const { t } = useTranslation();
  return (
    <ul className="an-deliveries">
      {deliveries.map((d) => (
        <li key={d.id} data-status={d.status}>
          <span className={`badge an-delivery-${d.status}`}>{t(`analytics.delivery.status.${d.status}`)}</span>{' '}
          {event && <span className="small">{t(`analytics.delivery.event.${d.event as 'fired' | 'resolved' | 'report' | 'test'}`)} → </span>}
          <strong>{d.destinationName ?? t('analytics.delivery.removed')}</strong>
          {d.destinationKind && <span className="muted small"> · {t(`analytics.destinations.kinds.${d.destinationKind as Destination['kind']}`)}</span>}
          <span className="muted small"> · {d.sentAt ? dateTime(d.sentAt) : dateTime(d.createdAt)}</span>
          {d.attempts > 1 && <span className="muted small"> · {t('analytics.delivery.attempts', { count: d.attempts })}</span>}
          {d.error && <span className="field-error an-block">{d.error}</span>}
        </li>
      ))}
    </ul>
  );
}
