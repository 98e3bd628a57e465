import { eq, sql } from 'drizzle-orm';
import type { Platform } from '../platform/platform.ts';
import { dailyPlanRuns, personas, personaStudio } from '../platform/db/schema/index.ts';
import type { Principal } from '../platform/auth/principal.ts';
import { studioSettingsSchema, type DailyPlan } from './identity.ts';
import type { GenerationInput } from './requests.ts';
import type { StudioService } from './studio.service.ts';

export const DAILY_PLAN_TICK = 'studio.daily-plan-tick';
const TICK_CRON = '*/5 * * * *';

/**
 * Each persona's daily routine (e.g. 06:00 in her timezone: 4 photos across themes, 1 clip, captions).
 * A tick every few minutes finds personas whose local plan time has passed today and that have no run
 * for their local date yet; the (persona, local date) row makes it exactly once per day, whatever the
 * number of workers, restarts or DST jumps.
 */
export class DailyPlanner {
  readonly #platform: Platform;
  readonly #studio: StudioService;
  constructor(platform: Platform, studio: StudioService) {
    this.#platform = platform;
    this.#studio = studio;
  }

  register() {
    this.#platform.jobs.register({
      name: DAILY_PLAN_TICK,
      schedule: TICK_CRON,
      options: { retryLimit: 1, expireInSeconds: 600 },
      handler: () => this.tick(new Date()),
    });
  }

  /** Returns the personas planned by this tick. */
  async tick(now: Date): Promise<{ personaId: string; localDate: string; jobs: number; skipped: string[] }[]> {
    const candidates = await this.#platform.db.withSystem((tx) =>
      tx
        .select({ orgId: personaStudio.orgId, personaId: personaStudio.personaId, settings: personaStudio.settings, timezone: personas.timezone })
        .from(personaStudio)
        .innerJoin(personas, eq(personas.id, personaStudio.personaId))
        .where(sql`(${personaStudio.settings} -> 'dailyPlan' ->> 'enabled')::boolean is true`),
    );
    const planned = [];
    for (const c of candidates) {
      const settings = studioSettingsSchema.safeParse(c.settings);
      if (!settings.success) continue;
      const local = localClock(now, c.timezone);
      if (local.time < settings.data.dailyPlan.localTime) continue;
      const claimed = await this.#platform.db.withOrg(c.orgId, (tx) =>
        tx.insert(dailyPlanRuns).values({ orgId: c.orgId, personaId: c.personaId, localDate: local.date }).onConflictDoNothing().returning(),
      );
      if (!claimed.length) continue;
      planned.push({ personaId: c.personaId, localDate: local.date, ...(await this.#plan(c.orgId, c.personaId, settings.data.dailyPlan, local.date, Boolean(settings.data.videoProviderId))) });
    }
    return planned;
  }

  async #plan(orgId: string, personaId: string, plan: DailyPlan, localDate: string, hasVideoProvider: boolean) {
    const system: Principal = { orgId, role: 'admin', userId: null, apiKeyId: null, personaScope: null, sessionId: null };
    const origin = { ip: null, userAgent: 'daily-plan', requestId: null };
    const dayIndex = Math.floor(Date.parse(`${localDate}T00:00:00Z`) / 86_400_000);
    const theme = (i: number) => (plan.themes.length ? plan.themes[(dayIndex + i) % plan.themes.length]! : 'a candid everyday moment, natural light');
    const requests: GenerationInput[] = [];
    for (let i = 0; i < plan.images; i++) {
      requests.push({ kind: 'image', personaId, prompt: theme(i), tags: ['daily-plan'], captionPlatforms: plan.captionPlatforms });
    }
    for (let i = 0; i < plan.clips; i++) {
      requests.push(
        hasVideoProvider
          ? { kind: 'video', personaId, prompt: theme(plan.images + i), durationSeconds: 5, tags: ['daily-plan'] }
          : { kind: 'montage', personaId, durationSeconds: 10, tags: ['daily-plan'] },
      );
    }
    let jobs = 0;
    const skipped: string[] = [];
    for (const request of requests) {
      try {
        await this.#studio.request(system, request, origin, { planDate: localDate });
        jobs++;
      } catch (error) {
        // One missing provider must not stop the rest of the day's plan; the reason is kept.
        skipped.push(`${request.kind}: ${(error as Error).message}`);
        this.#platform.log.warn({ err: error, personaId, kind: request.kind }, 'daily plan item skipped');
      }
    }
    return { jobs, skipped };
  }
}

/** The wall clock in a timezone: local date (YYYY-MM-DD) and time (HH:MM). */
export function localClock(now: Date, timeZone: string): { date: string; time: string } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .formatToParts(now)
      .map((p) => [p.type, p.value]),
  );
  return { date: `${parts.year}-${parts.month}-${parts.day}`, time: `${parts.hour}:${parts.minute}` };
}

