import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Platform } from '../../platform/platform.ts';
import { providers } from '../../platform/db/schema/index.ts';
import { recordCost } from './cost-lines.repository.ts';
import { isCurrency } from './money.ts';

/**
 * What a provider's config may declare about its price (`config.cost`): a fixed amount per job and/or per
 * second of run time, in minor units of `currency`. Self-hosted back-ends (ComfyUI, A1111) book as GPU
 * time, hosted APIs as API spend.
 */
export const providerCostSchema = z.strictObject({
  currency: z.string().length(3).refine((c) => isCurrency(c.toUpperCase()), 'an ISO 4217 currency'),
  perJobMinor: z.number().int().min(0).max(100_000_000).optional(),
  perSecondMinor: z.number().min(0).max(1_000_000).optional(),
});

const GPU_TYPES = new Set(['comfyui', 'a1111']);

export interface FinishedJob {
  id: string;
  personaId: string;
  providerId: string | null;
  kind: string;
  startedAt: Date | null;
  finishedAt: Date | null;
}

/**
 * Books a finished generation job's cost through recordCost (source studio, source id = job id, so a
 * retried or re-run hook books it once). Bookkeeping never fails the job: problems are logged.
 */
export async function bookStudioSpend(platform: Platform, orgId: string, job: FinishedJob): Promise<void> {
  if (!job.providerId) return;
  try {
    await platform.db.withOrg(orgId, async (tx) => {
      const provider = (await tx.select({ type: providers.type, name: providers.name, config: providers.config }).from(providers).where(eq(providers.id, job.providerId!)))[0];
      const declared = providerCostSchema.safeParse((provider?.config as { cost?: unknown } | undefined)?.cost);
      if (!provider || !declared.success) return;
      const cost = declared.data;
      const seconds = job.startedAt && job.finishedAt ? Math.max(0, (job.finishedAt.getTime() - job.startedAt.getTime()) / 1000) : 0;
      const amount = Math.round((cost.perJobMinor ?? 0) + (cost.perSecondMinor ?? 0) * Math.ceil(seconds));
      await recordCost(tx, orgId, {
        personaId: job.personaId,
        kind: GPU_TYPES.has(provider.type) ? 'gpu' : 'api',
        description: `${provider.name}: ${job.kind} job (${Math.ceil(seconds)} s)`,
        amountMinor: amount,
        currency: cost.currency.toUpperCase(),
        occurredOn: (job.finishedAt ?? new Date()).toISOString().slice(0, 10),
        source: 'studio',
        sourceId: job.id,
      });
    });
  } catch (error) {
    platform.log.warn({ err: error, jobId: job.id }, 'studio spend not booked');
  }
}
