/**
 * An organization's analytics settings: when reports are made and which alert rules run with which
 * thresholds. Stored as one JSON document (analytics_settings); every field has a default, so an
 * organization that never saved anything gets the defaults below.
 */
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Tx } from '../platform/db/database.ts';
import { analyticsSettings } from '../platform/db/schema/index.ts';

const hour = z.number().int().min(0).max(23);
const toggle = <T extends z.ZodRawShape>(extra: T = {} as T) => z.strictObject({ enabled: z.boolean().default(true), ...extra }).prefault({} as never);

export const settingsSchema = z.strictObject({
  reports: z
    .strictObject({
      /** Yesterday's figures (UTC day), made at `hour` UTC. */
      daily: toggle({ hour: hour.default(7) }),
      /** The previous calendar month, made on the 1st at `hour` UTC. */
      monthly: toggle({ hour: hour.default(8) }),
      /** Each persona's performance review on the analysis day of her weekly rhythm (Friday by default), from `hour` in her timezone. */
      weekly: toggle({ hour: hour.default(9) }),
      /** Daily and monthly reports also for each persona, not only for the agency. */
      perPersona: z.boolean().default(false),
    })
    .prefault({}),
  alerts: z
    .strictObject({
      publishFailures: toggle({ threshold: z.number().int().min(1).max(1000).default(3), windowMinutes: z.number().int().min(5).max(1440).default(60) }),
      channelReconnect: toggle(),
      tokenExpiry: toggle({ days: z.number().int().min(1).max(60).default(7) }),
      revenueDrop: toggle({ percent: z.number().int().min(1).max(100).default(50), minTrailingMinor: z.number().int().min(0).default(1000) }),
      queueBacklog: toggle({ queued: z.number().int().min(1).default(500) }),
      providerDown: toggle(),
      storage: toggle({ freeRatio: z.number().min(0.001).max(0.9).default(0.1) }),
      chatSafety: toggle(),
    })
    .prefault({}),
});

export type AnalyticsSettings = z.output<typeof settingsSchema>;
export type SettingsInput = z.input<typeof settingsSchema>;

export const DEFAULT_SETTINGS: AnalyticsSettings = settingsSchema.parse({});

/** Stored settings with defaults filled in; a stored document that no longer validates falls back to the defaults. */
export function readSettings(stored: unknown): AnalyticsSettings {
  const parsed = settingsSchema.safeParse(stored ?? {});
  return parsed.success ? parsed.data : DEFAULT_SETTINGS;
}

export async function loadSettings(tx: Tx): Promise<AnalyticsSettings> {
  const row = (await tx.select().from(analyticsSettings))[0];
  return readSettings(row?.settings);
}

export async function saveSettings(tx: Tx, orgId: string, settings: AnalyticsSettings) {
  await tx
    .insert(analyticsSettings)
    .values({ orgId, settings })
    .onConflictDoUpdate({ target: analyticsSettings.orgId, set: { settings, updatedAt: new Date() } });
  return (await tx.select().from(analyticsSettings).where(eq(analyticsSettings.orgId, orgId)))[0]!;
}
