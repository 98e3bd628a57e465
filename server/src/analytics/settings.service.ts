import type { Platform } from '../platform/platform.ts';
import type { Origin, Principal } from '../platform/auth/principal.ts';
import { auditBy, recordAudit } from '../platform/audit/audit.ts';
import { forbidden } from '../platform/http/problem.ts';
import { analyticsSettings } from '../platform/db/schema/index.ts';
import { rangeOf } from './range.ts';
import { REBUILD_JOB } from './rollups/rollup.service.ts';
import { readSettings, saveSettings, type AnalyticsSettings } from './settings.ts';

/** The organization's analytics settings, and rebuilding rollups on request. */
export class SettingsService {
  readonly #platform: Platform;
  constructor(platform: Platform) {
    this.#platform = platform;
  }

  async get(p: Principal) {
    const row = await this.#platform.db.withOrg(p.orgId, async (tx) => (await tx.select().from(analyticsSettings))[0]);
    return { settings: readSettings(row?.settings), updatedAt: row?.updatedAt.toISOString() ?? null };
  }

  /** Settings for a job (no principal): defaults when none were saved. */
  async forOrg(orgId: string): Promise<AnalyticsSettings> {
    const row = await this.#platform.db.withOrg(orgId, async (tx) => (await tx.select().from(analyticsSettings))[0]);
    return readSettings(row?.settings);
  }

  async put(p: Principal, settings: AnalyticsSettings, origin: Origin) {
    const row = await this.#platform.db.withOrg(p.orgId, async (tx) => {
      const saved = await saveSettings(tx, p.orgId, settings);
      await recordAudit(tx, auditBy(p), origin, { action: 'analytics.settings_set', targetType: 'organization', targetId: p.orgId, details: { settings } });
      return saved;
    });
    return { settings: readSettings(row.settings), updatedAt: row.updatedAt.toISOString() };
  }

  async rebuild(p: Principal, body: { from: string; to: string }, origin: Origin) {
    if (p.personaScope) throw forbidden('Rebuilding analytics needs access to every persona');
    rangeOf(body.from, body.to); // validates order and length
    await this.#platform.db.withOrg(p.orgId, async (tx) => {
      await this.#platform.jobs.enqueue(tx, REBUILD_JOB, { orgId: p.orgId, from: body.from, to: body.to }, { singletonKey: `${p.orgId}:${body.from}:${body.to}` });
      await recordAudit(tx, auditBy(p), origin, { action: 'analytics.rebuild_queued', targetType: 'organization', targetId: p.orgId, details: body });
    });
    return { queued: true, ...body };
  }
}
