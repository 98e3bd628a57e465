/**
 * Delivery of reports and alert notifications. `queue` writes one analytics_deliveries row per matching
 * destination — keyed by destination, subject and event, so queuing the same thing twice is a no-op — and
 * enqueues a job for each new row in the same transaction. The job sends (outside any transaction),
 * then records the outcome on the row: sent, or the error with the attempt count; a retryable failure
 * is retried by the queue with back-off, a permanent one (bad token, unknown chat) stops at once.
 */
import { randomUUID } from 'node:crypto';
import { and, arrayContains, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Platform } from '../../platform/platform.ts';
import type { Tx } from '../../platform/db/database.ts';
import { analyticsAlerts, analyticsDeliveries, analyticsDestinations, analyticsReports, type ReportKind } from '../../platform/db/schema/index.ts';
import type { Origin, Principal } from '../../platform/auth/principal.ts';
import { auditBy, recordAudit } from '../../platform/audit/audit.ts';
import { notFound } from '../../platform/http/problem.ts';
import { reportSummary } from '../reports/template.ts';
import type { ReportData } from '../reports/report-data.ts';
import { DeliveryError, send, type Message } from './senders.ts';
import type { DestinationsService, OpenedDestination } from './destinations.service.ts';

export const DELIVER_JOB = 'analytics.deliver';
export const DELIVERY_RETRIES = 5;

export type Subject = { type: 'report'; id: string; kind: ReportKind } | { type: 'alert'; id: string; event: 'fired' | 'resolved' } | { type: 'test'; id: string; destinationId: string };

type DeliveryRow = typeof analyticsDeliveries.$inferSelect;

export function deliveryView(d: DeliveryRow & { destinationName?: string | null; destinationKind?: string | null }) {
  return {
    id: d.id,
    destinationId: d.destinationId,
    destinationName: d.destinationName ?? null,
    destinationKind: d.destinationKind ?? null,
    event: d.event,
    status: d.status,
    attempts: d.attempts,
    error: d.error,
    sentAt: d.sentAt?.toISOString() ?? null,
    createdAt: d.createdAt.toISOString(),
  };
}

export class DeliveryService {
  readonly #platform: Platform;
  readonly #destinations: DestinationsService;
  constructor(platform: Platform, destinations: DestinationsService) {
    this.#platform = platform;
    this.#destinations = destinations;
  }

  register() {
    this.#platform.jobs.register<{ orgId: string; deliveryId: string }>({
      name: DELIVER_JOB,
      concurrency: 2,
      options: { retryLimit: DELIVERY_RETRIES, retryDelay: 30, retryBackoff: true, expireInSeconds: 300 },
      handler: ({ data, retryCount }) => this.deliver(data.orgId, data.deliveryId, retryCount),
    });
  }

  /** In the caller's transaction: a delivery per enabled destination that wants this subject. Returns how many were new. */
  async queue(tx: Tx, orgId: string, subject: Subject): Promise<number> {
    const wanted =
      subject.type === 'report'
        ? arrayContains(analyticsDestinations.reports, [subject.kind])
        : subject.type === 'alert'
          ? eq(analyticsDestinations.alerts, true)
          : eq(analyticsDestinations.id, subject.destinationId);
    const destinations = await tx
      .select({ id: analyticsDestinations.id })
      .from(analyticsDestinations)
      .where(and(wanted, subject.type === 'test' ? undefined : eq(analyticsDestinations.enabled, true)));
    let added = 0;
    const event = subject.type === 'report' ? 'report' : subject.type === 'alert' ? subject.event : 'test';
    for (const d of destinations) {
      const [row] = await tx
        .insert(analyticsDeliveries)
        .values({ orgId, destinationId: d.id, subjectType: subject.type, subjectId: subject.id, event })
        .onConflictDoNothing({ target: [analyticsDeliveries.destinationId, analyticsDeliveries.subjectType, analyticsDeliveries.subjectId, analyticsDeliveries.event] })
        .returning({ id: analyticsDeliveries.id });
      if (!row) continue;
      await this.#platform.jobs.enqueue(tx, DELIVER_JOB, { orgId, deliveryId: row.id });
      added++;
    }
    return added;
  }

  /** A test message to one destination, now (through the same job). */
  async test(p: Principal, destinationId: string, origin: Origin) {
    await this.#destinations.get(p, destinationId);
    const id = randomUUID();
    await this.#platform.db.withOrg(p.orgId, async (tx) => {
      await this.queue(tx, p.orgId, { type: 'test', id, destinationId });
      await recordAudit(tx, auditBy(p), origin, { action: 'analytics.destination_tested', targetType: 'analytics_destination', targetId: destinationId });
    });
    return { deliveryId: (await this.forSubject(p.orgId, id))[0]?.id ?? null };
  }

  async get(p: Principal, id: string) {
    if (p.personaScope) throw notFound('delivery');
    const rows = await this.#platform.db.withOrg(p.orgId, (tx) =>
      tx
        .select({ d: analyticsDeliveries, name: analyticsDestinations.name, kind: analyticsDestinations.kind })
        .from(analyticsDeliveries)
        .leftJoin(analyticsDestinations, eq(analyticsDestinations.id, analyticsDeliveries.destinationId))
        .where(eq(analyticsDeliveries.id, id)),
    );
    if (!rows[0]) throw notFound('delivery');
    return deliveryView({ ...rows[0].d, destinationName: rows[0].name, destinationKind: rows[0].kind });
  }

  async forSubject(orgId: string, subjectId: string) {
    return this.#platform.db.withOrg(orgId, async (tx) => {
      const rows = await tx
        .select({ d: analyticsDeliveries, name: analyticsDestinations.name, kind: analyticsDestinations.kind })
        .from(analyticsDeliveries)
        .leftJoin(analyticsDestinations, eq(analyticsDestinations.id, analyticsDeliveries.destinationId))
        .where(eq(analyticsDeliveries.subjectId, subjectId))
        .orderBy(asc(analyticsDeliveries.createdAt));
      return rows.map((r) => deliveryView({ ...r.d, destinationName: r.name, destinationKind: r.kind }));
    });
  }

  async forSubjects(orgId: string, subjectIds: string[]) {
    if (!subjectIds.length) return new Map<string, ReturnType<typeof deliveryView>[]>();
    const rows = await this.#platform.db.withOrg(orgId, (tx) =>
      tx
        .select({ d: analyticsDeliveries, name: analyticsDestinations.name, kind: analyticsDestinations.kind })
        .from(analyticsDeliveries)
        .leftJoin(analyticsDestinations, eq(analyticsDestinations.id, analyticsDeliveries.destinationId))
        .where(inArray(analyticsDeliveries.subjectId, subjectIds))
        .orderBy(asc(analyticsDeliveries.createdAt)),
    );
    const by = new Map<string, ReturnType<typeof deliveryView>[]>();
    for (const r of rows) by.set(r.d.subjectId, [...(by.get(r.d.subjectId) ?? []), deliveryView({ ...r.d, destinationName: r.name, destinationKind: r.kind })]);
    return by;
  }

  /** The job: send one delivery unless it was sent already; record the outcome. */
  async deliver(orgId: string, deliveryId: string, retryCount = 0): Promise<'sent' | 'skipped' | 'failed'> {
    const loaded = await this.#platform.db.withOrg(orgId, async (tx) => {
      const delivery = (await tx.select().from(analyticsDeliveries).where(eq(analyticsDeliveries.id, deliveryId)))[0];
      if (!delivery || delivery.status === 'sent') return null;
      const destination = await this.#destinations.open(tx, delivery.destinationId);
      const report = delivery.subjectType === 'report' ? (await tx.select().from(analyticsReports).where(eq(analyticsReports.id, delivery.subjectId)))[0] : undefined;
      const alert = delivery.subjectType === 'alert' ? (await tx.select().from(analyticsAlerts).where(eq(analyticsAlerts.id, delivery.subjectId)))[0] : undefined;
      return { delivery, destination, report, alert };
    });
    if (!loaded) return 'skipped';
    const { delivery, destination } = loaded;
    let outcome: { ok: true } | { ok: false; error: string; retryable: boolean };
    if (!destination) outcome = { ok: false, error: 'The destination was deleted', retryable: false };
    else {
      try {
        await send(destination, await this.#compose(delivery, destination, loaded.report, loaded.alert));
        outcome = { ok: true };
      } catch (error) {
        outcome = { ok: false, error: (error as Error).message.slice(0, 1000), retryable: error instanceof DeliveryError ? error.retryable : true };
      }
    }
    const final = !outcome.ok && (!outcome.retryable || retryCount >= DELIVERY_RETRIES);
    await this.#platform.db.withOrg(orgId, (tx) =>
      tx
        .update(analyticsDeliveries)
        .set({
          attempts: sql`${analyticsDeliveries.attempts} + 1`,
          status: outcome.ok ? 'sent' : final ? 'failed' : 'pending',
          error: outcome.ok ? null : outcome.error,
          sentAt: outcome.ok ? new Date() : null,
          updatedAt: new Date(),
        })
        .where(eq(analyticsDeliveries.id, deliveryId)),
    );
    if (outcome.ok) return 'sent';
    this.#platform.log.warn({ orgId, deliveryId, destination: destination?.kind, err: outcome.error, final }, 'analytics delivery failed');
    if (!final) throw new Error(outcome.error);
    return 'failed';
  }

  async #compose(
    delivery: DeliveryRow,
    destination: OpenedDestination,
    report: typeof analyticsReports.$inferSelect | undefined,
    alert: typeof analyticsAlerts.$inferSelect | undefined,
  ): Promise<Message> {
    if (delivery.subjectType === 'report') {
      if (!report) throw new DeliveryError('The report no longer exists', false);
      const data = report.data as ReportData;
      const text = reportSummary(data);
      const pdf = report.pdfKey ? await this.#platform.storage.get(report.pdfKey) : null;
      const html = report.htmlKey && destination.kind === 'email' ? (await this.#platform.storage.get(report.htmlKey)).toString('utf8') : undefined;
      const name = `atelier-${report.kind}-${report.periodStart}${data.subject ? `-${slug(data.subject.name)}` : ''}`;
      return {
        id: delivery.id,
        subject: text.split('\n')[0]!,
        text,
        ...(html ? { html } : {}),
        ...(pdf ? { attachment: { filename: `${name}.pdf`, contentType: 'application/pdf', bytes: pdf } } : {}),
        payload: {
          type: 'report',
          report: { id: report.id, kind: report.kind, personaId: report.personaId, periodStart: report.periodStart, periodEnd: report.periodEnd, currency: report.currency, kpis: data.kpis, revenue: data.revenue },
        },
      };
    }
    if (delivery.subjectType === 'alert') {
      if (!alert) throw new DeliveryError('The alert no longer exists', false);
      const resolved = delivery.event === 'resolved';
      const head = resolved ? `RESOLVED: ${alert.title}` : `ALERT (${alert.severity}): ${alert.title}`;
      const since = resolved && alert.resolvedAt ? `Open from ${iso(alert.openedAt)} to ${iso(alert.resolvedAt)}` : `Since ${iso(alert.openedAt)}`;
      const detail = typeof (alert.details as { message?: unknown }).message === 'string' ? [(alert.details as { message: string }).message] : [];
      return {
        id: delivery.id,
        subject: `[Atelier] ${head}`,
        text: [head, since, ...detail].join('\n'),
        payload: { type: 'alert', event: delivery.event, alert: { id: alert.id, rule: alert.rule, subject: alert.subject, personaId: alert.personaId, severity: alert.severity, status: alert.status, title: alert.title, details: alert.details, openedAt: alert.openedAt.toISOString(), resolvedAt: alert.resolvedAt?.toISOString() ?? null } },
      };
    }
    return { id: delivery.id, subject: '[Atelier] Test message', text: `Test message from Atelier to "${destination.name}": reports and alerts will arrive here.`, payload: { type: 'test' } };
  }
}

const iso = (d: Date) => `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
const slug = (name: string) => name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'persona';
