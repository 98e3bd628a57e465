/**
 * Alert evaluation, on a schedule (every 5 minutes) or on demand. For each organization every enabled rule
 * is asked for its findings; then, in one transaction:
 * - a finding without an open alert of the same rule and subject opens one (a partial unique index keeps
 *   it to one open alert per rule and subject) and queues a "fired" notification to the destinations that
 *   take alerts; a finding with one just refreshes it (last seen, details) — no second notification;
 * - an open alert of a condition rule that was evaluated and found nothing is resolved, and a "resolved"
 *   notification queued. A rule that failed to evaluate (a database hiccup) leaves its alerts as they are;
 *   a disabled rule resolves its open alerts.
 * Event alerts (chat safety) are deduplicated across time (an event is raised once, ever) and are
 * resolved by acknowledging them. Changes are also announced live (`alert.opened`, `alert.resolved`).
 */
import { and, desc, eq, inArray, isNull, sql, type SQL } from 'drizzle-orm';
import type { Platform } from '../../platform/platform.ts';
import { analyticsAlerts, organizations } from '../../platform/db/schema/index.ts';
import type { Origin, Principal } from '../../platform/auth/principal.ts';
import { auditBy, recordAudit } from '../../platform/audit/audit.ts';
import { notFound } from '../../platform/http/problem.ts';
import type { ChannelsService } from '../../channels/index.ts';
import type { ProvidersService } from '../../generation/providers/providers.service.ts';
import type { PersonasService } from '../../personas/index.ts';
import type { SettingsService } from '../settings.service.ts';
import type { DeliveryService } from '../delivery/delivery.service.ts';
import { RULES, ruleByKey, type Finding, type InstallFacts } from './rules.ts';

export const ALERTS_JOB = 'analytics.alerts';
export const ALERTS_SCHEDULE = '*/5 * * * *';

type Row = typeof analyticsAlerts.$inferSelect;

export function alertView(a: Row) {
  return {
    id: a.id,
    rule: a.rule,
    kind: ruleByKey.get(a.rule)?.kind ?? 'condition',
    subject: a.subject,
    personaId: a.personaId,
    severity: a.severity,
    status: a.status,
    title: a.title,
    details: a.details as Record<string, unknown>,
    openedAt: a.openedAt.toISOString(),
    lastSeenAt: a.lastSeenAt.toISOString(),
    resolvedAt: a.resolvedAt?.toISOString() ?? null,
    acknowledgedAt: a.acknowledgedAt?.toISOString() ?? null,
    acknowledgedBy: a.acknowledgedBy,
  };
}

interface Deps {
  settings: SettingsService;
  delivery: DeliveryService;
  channels: ChannelsService;
  providers: ProvidersService;
  personas: PersonasService;
}

export interface EvaluationResult {
  orgId: string;
  opened: number;
  resolved: number;
  open: number;
  failedRules: string[];
}

export class AlertsService {
  readonly #platform: Platform;
  readonly #deps: Deps;
  constructor(platform: Platform, deps: Deps) {
    this.#platform = platform;
    this.#deps = deps;
  }

  register() {
    this.#platform.jobs.register({ name: ALERTS_JOB, schedule: ALERTS_SCHEDULE, options: { retryLimit: 0, expireInSeconds: 600 }, handler: () => this.evaluateAll(new Date()) });
  }

  async installFacts(): Promise<InstallFacts> {
    const queues = await this.#platform.jobs.depth().catch(() => []);
    const gauge = await this.#platform.metrics.storageFreeRatio.get().catch(() => null);
    const value = gauge?.values.find((v) => v.labels.volume === 'data')?.value;
    return { queues, storageFreeRatio: typeof value === 'number' ? value : null };
  }

  async evaluateAll(now = new Date()) {
    const install = await this.installFacts();
    const orgs = await this.#platform.db.withSystem((tx) => tx.select({ id: organizations.id }).from(organizations));
    const results: EvaluationResult[] = [];
    for (const org of orgs) {
      try {
        results.push(await this.evaluateOrg(org.id, now, install));
      } catch (error) {
        this.#platform.log.warn({ err: error, orgId: org.id }, 'alert evaluation failed for an organization');
      }
    }
    return results;
  }

  async evaluateOrg(orgId: string, now = new Date(), install?: InstallFacts): Promise<EvaluationResult> {
    const settings = await this.#deps.settings.forOrg(orgId);
    const facts = install ?? (await this.installFacts());
    const ctx = { orgId, now, settings, platform: this.#platform, install: facts, channels: this.#deps.channels, providers: this.#deps.providers, personas: this.#deps.personas };
    const evaluated = new Set<string>();
    const failedRules: string[] = [];
    const findings: (Finding & { rule: string })[] = [];
    for (const rule of RULES) {
      if (!settings.alerts[rule.settingsKey].enabled) {
        evaluated.add(rule.key);
        continue;
      }
      try {
        for (const f of await rule.evaluate(ctx)) findings.push({ ...f, rule: rule.key });
        evaluated.add(rule.key);
      } catch (error) {
        failedRules.push(rule.key);
        this.#platform.log.warn({ err: error, orgId, rule: rule.key }, 'alert rule could not be evaluated');
      }
    }

    const changes = await this.#platform.db.withOrg(orgId, async (tx) => {
      const open = await tx.select().from(analyticsAlerts).where(eq(analyticsAlerts.status, 'open'));
      const openByKey = new Map(open.map((a) => [`${a.rule}|${a.subject}`, a]));
      const eventKeys = findings.filter((f) => ruleByKey.get(f.rule)?.kind === 'event');
      const seenEvents = eventKeys.length
        ? new Set(
            (await tx.select({ rule: analyticsAlerts.rule, subject: analyticsAlerts.subject }).from(analyticsAlerts).where(inArray(analyticsAlerts.subject, eventKeys.map((f) => f.subject)))).map((a) => `${a.rule}|${a.subject}`),
          )
        : new Set<string>();
      const opened: Row[] = [];
      const resolved: Row[] = [];
      const found = new Set<string>();
      for (const f of findings) {
        const key = `${f.rule}|${f.subject}`;
        found.add(key);
        const existing = openByKey.get(key);
        if (existing) {
          await tx.update(analyticsAlerts).set({ lastSeenAt: now, title: f.title, details: f.details, severity: f.severity }).where(eq(analyticsAlerts.id, existing.id));
          continue;
        }
        if (seenEvents.has(key)) continue;
        const [row] = await tx
          .insert(analyticsAlerts)
          .values({ orgId, rule: f.rule, subject: f.subject, personaId: f.personaId, severity: f.severity, title: f.title, details: f.details, openedAt: now, lastSeenAt: now })
          .onConflictDoNothing()
          .returning();
        if (!row) continue;
        opened.push(row);
        await this.#deps.delivery.queue(tx, orgId, { type: 'alert', id: row.id, event: 'fired' });
      }
      for (const a of open) {
        const rule = ruleByKey.get(a.rule);
        if (!rule || rule.kind !== 'condition' || !evaluated.has(a.rule) || found.has(`${a.rule}|${a.subject}`)) continue;
        const [row] = await tx
          .update(analyticsAlerts)
          .set({ status: 'resolved', resolvedAt: now })
          .where(and(eq(analyticsAlerts.id, a.id), eq(analyticsAlerts.status, 'open')))
          .returning();
        if (!row) continue;
        resolved.push(row);
        await this.#deps.delivery.queue(tx, orgId, { type: 'alert', id: row.id, event: 'resolved' });
      }
      const [count] = await tx.select({ n: sql<number>`count(*)::int` }).from(analyticsAlerts).where(eq(analyticsAlerts.status, 'open'));
      return { opened, resolved, open: Number(count?.n ?? 0) };
    });
    for (const a of changes.opened) await this.#announce('alert.opened', orgId, a);
    for (const a of changes.resolved) await this.#announce('alert.resolved', orgId, a);
    return { orgId, opened: changes.opened.length, resolved: changes.resolved.length, open: changes.open, failedRules };
  }

  async list(p: Principal, q: { status: 'open' | 'resolved' | 'all'; personaId?: string | undefined; rule?: string | undefined; limit: number }) {
    if (q.personaId) await this.#deps.personas.get(p, q.personaId);
    return this.#platform.db.withOrg(p.orgId, async (tx) => {
      const where = and(
        q.status === 'all' ? undefined : eq(analyticsAlerts.status, q.status),
        q.personaId ? eq(analyticsAlerts.personaId, q.personaId) : undefined,
        q.rule ? eq(analyticsAlerts.rule, q.rule) : undefined,
        visibleTo(p),
      );
      const rows = await tx.select().from(analyticsAlerts).where(where).orderBy(desc(analyticsAlerts.openedAt)).limit(q.limit);
      const [open] = await tx.select({ n: sql<number>`count(*)::int` }).from(analyticsAlerts).where(and(eq(analyticsAlerts.status, 'open'), visibleTo(p)));
      return { items: rows.map(alertView), openCount: Number(open?.n ?? 0) };
    });
  }

  async get(p: Principal, id: string) {
    const row = await this.#own(p, id);
    return { ...alertView(row), deliveries: await this.#deps.delivery.forSubject(p.orgId, id) };
  }

  /** Marks an alert seen by a person; an event alert (nothing to clear by itself) is resolved by it. */
  async acknowledge(p: Principal, id: string, origin: Origin) {
    const row = await this.#own(p, id);
    const event = ruleByKey.get(row.rule)?.kind === 'event';
    const now = new Date();
    const updated = await this.#platform.db.withOrg(p.orgId, async (tx) => {
      const [u] = await tx
        .update(analyticsAlerts)
        .set({ acknowledgedAt: now, acknowledgedBy: p.userId, ...(event && row.status === 'open' ? { status: 'resolved' as const, resolvedAt: now } : {}) })
        .where(eq(analyticsAlerts.id, id))
        .returning();
      await recordAudit(tx, auditBy(p), origin, { action: 'analytics.alert_acknowledged', targetType: 'analytics_alert', targetId: id, details: { rule: row.rule } });
      return u!;
    });
    return { ...alertView(updated), deliveries: await this.#deps.delivery.forSubject(p.orgId, id) };
  }

  rules(settings: Awaited<ReturnType<SettingsService['get']>>['settings']) {
    return {
      items: RULES.map((r) => ({ rule: r.key, name: r.name, description: r.description, kind: r.kind, settingsKey: r.settingsKey, settings: settings.alerts[r.settingsKey] as Record<string, unknown> & { enabled: boolean } })),
    };
  }

  async #own(p: Principal, id: string) {
    const row = await this.#platform.db.withOrg(p.orgId, async (tx) => (await tx.select().from(analyticsAlerts).where(and(eq(analyticsAlerts.id, id), visibleTo(p))))[0]);
    if (!row) throw notFound('alert');
    return row;
  }

  async #announce(type: 'alert.opened' | 'alert.resolved', orgId: string, a: Row) {
    await this.#platform.events
      .publish({ type, orgId, ...(a.personaId ? { personaId: a.personaId } : {}), data: alertView(a) })
      .catch((err: unknown) => this.#platform.log.warn({ err }, 'alert event not published'));
  }
}

/** Restricted members see their personas' alerts; alerts about no persona (queues, storage…) need the whole org. */
function visibleTo(p: Principal): SQL | undefined {
  if (p.personaScope === null) return undefined;
  return p.personaScope.length ? inArray(analyticsAlerts.personaId, p.personaScope) : isNull(analyticsAlerts.id);
}
