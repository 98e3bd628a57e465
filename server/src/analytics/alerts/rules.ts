/**
 * Alert rules. Each looks at the organization's state now and returns its findings, one per subject (a
 * channel, a persona, a queue, a provider…). Condition rules are re-checked on every evaluation: a
 * finding that no longer comes back resolves its alert. Event rules (chat safety) report things that
 * happened; their alert stays open until someone acknowledges it.
 *
 * Thresholds come from the organization's settings (analytics/settings.ts). Install-wide facts (queue
 * depth, free storage) are read once per evaluation round and shared by every organization's rules.
 */
import { sql } from 'drizzle-orm';
import { rowsOf } from '../../platform/db/database.ts';
import type { Platform } from '../../platform/platform.ts';
import { listAudit } from '../../platform/audit/audit.ts';
import type { QueueDepthRow } from '../../platform/observability/metrics.ts';
import type { ChannelsService } from '../../channels/index.ts';
import type { ProvidersService } from '../../generation/providers/providers.service.ts';
import type { PersonasService } from '../../personas/index.ts';
import { systemPrincipal } from '../system.ts';
import type { AnalyticsSettings } from '../settings.ts';
import { addDays, utcDay } from '../range.ts';
import { readFigures } from '../rollups/read.ts';
import { formatMinor } from '../../sales/ledger/money.ts';

export type Severity = 'info' | 'warning' | 'critical';

export interface Finding {
  subject: string;
  personaId: string | null;
  severity: Severity;
  title: string;
  details: Record<string, unknown>;
}

export interface InstallFacts {
  queues: QueueDepthRow[];
  /** Free share of the media volume (0–1); null when storage is S3 or unknown. */
  storageFreeRatio: number | null;
}

export interface RuleContext {
  orgId: string;
  now: Date;
  settings: AnalyticsSettings;
  platform: Platform;
  install: InstallFacts;
  channels: ChannelsService;
  providers: ProvidersService;
  personas: PersonasService;
}

export interface Rule {
  key: string;
  name: string;
  description: string;
  kind: 'condition' | 'event';
  settingsKey: keyof AnalyticsSettings['alerts'];
  evaluate(ctx: RuleContext): Promise<Finding[]>;
}

const CHAT_SAFETY_ACTIONS: Record<string, string> = {
  'chat.alert.self_harm': 'A fan may be in distress (self-harm signal): answer in person',
  'chat.alert.stated_under_18': 'A fan stated being under 18: the conversation was stopped, review it',
};

export const RULES: Rule[] = [
  {
    key: 'publish_failures',
    name: 'Publish failures',
    description: 'At least `threshold` posts failed or need review on one channel within `windowMinutes`, and nothing was published there since. Resolves on the next successful publication (or when the burst ages out of the window).',
    kind: 'condition',
    settingsKey: 'publishFailures',
    async evaluate({ orgId, now, settings, platform }) {
      const { threshold, windowMinutes } = settings.alerts.publishFailures;
      const since = new Date(now.getTime() - windowMinutes * 60_000);
      // Publishing's targets, read-only: failures in the window and the last publication per channel.
      const rows = await platform.db.withOrg(orgId, async (tx) =>
        rowsOf<{ channel_id: string; persona_id: string; platform: string; handle: string; failures: string; last_failure: string; last_published: string | null; last_error: unknown }>(
          await tx.execute(sql`
            select t.channel_id, c.persona_id, c.platform, c.handle, count(*) as failures, max(t.updated_at)::text as last_failure,
                   (select max(p.published_at)::text from post_targets p where p.channel_id = t.channel_id and p.status = 'published') as last_published,
                   (array_agg(t.error order by t.updated_at desc))[1] as last_error
            from post_targets t join channels c on c.id = t.channel_id
            where t.status in ('failed', 'needs_review') and t.updated_at >= ${since.toISOString()}::timestamptz
            group by t.channel_id, c.persona_id, c.platform, c.handle`),
        ),
      );
      return rows
        .filter((r) => Number(r.failures) >= threshold && !(r.last_published && Date.parse(r.last_published) > Date.parse(r.last_failure)))
        .map((r) => ({
          subject: r.channel_id,
          personaId: r.persona_id,
          severity: 'warning' as const,
          title: `${r.failures} posts failed on ${r.platform} ${r.handle} in the last ${windowMinutes} minutes`,
          details: { channelId: r.channel_id, platform: r.platform, handle: r.handle, failures: Number(r.failures), message: (r.last_error as { message?: string } | null)?.message ?? null },
        }));
    },
  },
  {
    key: 'channel_reconnect',
    name: 'Channel needs reconnecting',
    description: 'A platform revoked a channel’s authorisation (publishing flags it "reconnect needed"). Resolves when the channel is reconnected.',
    kind: 'condition',
    settingsKey: 'channelReconnect',
    async evaluate({ orgId, channels }) {
      const list = await channels.list(systemPrincipal(orgId));
      return list
        .filter((c) => c.status === 'reconnect_needed')
        .map((c) => ({ subject: c.id, personaId: c.personaId, severity: 'critical' as const, title: `Reconnect ${c.platform} ${c.handle}: the platform revoked its authorisation`, details: { channelId: c.id, platform: c.platform, handle: c.handle } }));
    },
  },
  {
    key: 'token_expiring',
    name: 'Access token expiring',
    description: 'A channel’s access token expires within `days` days and there is no refresh token to renew it by itself.',
    kind: 'condition',
    settingsKey: 'tokenExpiry',
    async evaluate({ orgId, now, settings, channels }) {
      const horizon = now.getTime() + settings.alerts.tokenExpiry.days * 86_400_000;
      const out: Finding[] = [];
      for (const c of await channels.list(systemPrincipal(orgId))) {
        if (c.status !== 'active' || !c.credentialNames.includes('expires_at') || c.credentialNames.includes('refresh_token')) continue;
        const { credentials } = await channels.account(orgId, c.id);
        const expires = Date.parse(credentials.expires_at ?? '');
        if (Number.isNaN(expires) || expires > horizon) continue;
        const expired = expires <= now.getTime();
        out.push({
          subject: c.id,
          personaId: c.personaId,
          severity: expired ? 'critical' : 'warning',
          title: expired ? `The ${c.platform} token of ${c.handle} has expired: reconnect it` : `The ${c.platform} token of ${c.handle} expires on ${new Date(expires).toISOString().slice(0, 10)}: reconnect it before then`,
          details: { channelId: c.id, platform: c.platform, handle: c.handle, expiresAt: new Date(expires).toISOString() },
        });
      }
      return out;
    },
  },
  {
    key: 'revenue_drop',
    name: 'Revenue drop',
    description: 'Yesterday’s net revenue (reporting currency) fell more than `percent` % below the average of the 7 days before, for the agency or a persona whose average is at least `minTrailingMinor`.',
    kind: 'condition',
    settingsKey: 'revenueDrop',
    async evaluate({ orgId, now, settings, platform, personas }) {
      const { percent, minTrailingMinor } = settings.alerts.revenueDrop;
      const yesterday = addDays(utcDay(now), -1);
      const window = { from: addDays(yesterday, -7), end: addDays(yesterday, 1) };
      const list = await personas.list(systemPrincipal(orgId));
      const names = new Map(list.map((p) => [p.id, p.name]));
      const out: Finding[] = [];
      await platform.db.withOrg(orgId, async (tx) => {
        const subjects: { key: string; personaIds: string[] | null }[] = [{ key: 'agency', personaIds: null }, ...list.map((p) => ({ key: p.id, personaIds: [p.id] }))];
        for (const s of subjects) {
          const read = await readFigures(tx, orgId, window, { personaIds: s.personaIds }, 'day');
          const net = (day: string) => read.figures.get(day)?.revenueNetMinor ?? 0;
          const last = net(yesterday);
          const trailing = Array.from({ length: 7 }, (_, i) => net(addDays(window.from, i)));
          // A missing exchange rate makes the day's figure unknown: no verdict rather than a false drop.
          if (read.warnings.length) continue;
          const average = trailing.reduce((a, b) => a + b, 0) / 7;
          if (average < minTrailingMinor || average <= 0) continue;
          const drop = (average - last) / average;
          if (drop * 100 < percent) continue;
          const who = s.key === 'agency' ? 'Agency' : (names.get(s.key) ?? 'A persona');
          out.push({
            subject: s.key,
            personaId: s.key === 'agency' ? null : s.key,
            severity: 'warning',
            title: `${who}: revenue on ${yesterday} was ${Math.round(drop * 100)} % below the 7-day average (${formatMinor(last, read.reportingCurrency)} vs ${formatMinor(Math.round(average), read.reportingCurrency)} ${read.reportingCurrency})`,
            details: { day: yesterday, netMinor: last, trailingAverageMinor: Math.round(average), dropPercent: Math.round(drop * 100), currency: read.reportingCurrency },
          });
        }
      });
      return out;
    },
  },
  {
    key: 'queue_backlog',
    name: 'Queue backlog',
    description: 'A job queue holds more than `queued` waiting jobs (install-wide): workers are not keeping up.',
    kind: 'condition',
    settingsKey: 'queueBacklog',
    async evaluate({ settings, install }) {
      return install.queues
        .filter((q) => q.state === 'queued' && q.count > settings.alerts.queueBacklog.queued)
        .map((q) => ({ subject: q.queue, personaId: null, severity: 'warning' as const, title: `Queue ${q.queue} holds ${q.count} waiting jobs`, details: { queue: q.queue, queued: q.count, message: 'Start another worker (npm run cli -- worker) or look at the failing jobs.' } }));
    },
  },
  {
    key: 'provider_down',
    name: 'Provider down',
    description: 'A configured, enabled generation back-end (ComfyUI, Ollama, …) does not answer its health check.',
    kind: 'condition',
    settingsKey: 'providerDown',
    async evaluate({ orgId, providers }) {
      const p = systemPrincipal(orgId);
      const out: Finding[] = [];
      for (const provider of await providers.list(p)) {
        if (!provider.enabled) continue;
        // The check's latency is observed by the providers service (atelier_provider_latency_seconds).
        const health = await providers.check(p, provider.id).catch((error: Error) => ({ ok: false, detail: error.message }));
        if (health.ok) continue;
        out.push({ subject: provider.id, personaId: null, severity: 'critical', title: `${provider.name} (${provider.type}) does not answer`, details: { providerId: provider.id, type: provider.type, message: health.detail ?? null } });
      }
      return out;
    },
  },
  {
    key: 'storage_near_full',
    name: 'Storage nearly full',
    description: 'Less than `freeRatio` of the media volume is free (local storage; an S3 bucket’s capacity is its owner’s concern).',
    kind: 'condition',
    settingsKey: 'storage',
    async evaluate({ settings, install }) {
      const ratio = install.storageFreeRatio;
      if (ratio === null || ratio >= settings.alerts.storage.freeRatio) return [];
      return [{ subject: 'storage', personaId: null, severity: 'critical', title: `Only ${(ratio * 100).toFixed(1)} % of the media storage is free`, details: { freeRatio: ratio } }];
    },
  },
  {
    key: 'chat_safety',
    name: 'Chat safety',
    description: 'The chat guard stopped a conversation (a fan stated being under 18, or a self-harm signal) in the last 24 hours. Stays open until acknowledged.',
    kind: 'event',
    settingsKey: 'chatSafety',
    async evaluate({ orgId, now, platform }) {
      const since = now.getTime() - 86_400_000;
      const out: Finding[] = [];
      await platform.db.withOrg(orgId, async (tx) => {
        for (const [action, title] of Object.entries(CHAT_SAFETY_ACTIONS)) {
          for (const row of await listAudit(tx, { limit: 200, action })) {
            if (row.createdAt.getTime() < since) continue;
            out.push({ subject: row.id, personaId: null, severity: 'critical', title, details: { auditId: row.id, conversationId: row.targetId, at: row.createdAt.toISOString(), ...((row.details as Record<string, unknown> | null) ?? {}) } });
          }
        }
      });
      return out;
    },
  },
];

export const ruleByKey = new Map(RULES.map((r) => [r.key, r]));
