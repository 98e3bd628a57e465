import type { BenchSection } from '../harness.ts';

const PERSONAS = Number(process.env.BENCH_PERSONAS ?? 5);

/**
 * The floor: an unauthenticated health check (database, queue and storage probes) against an
 * authenticated, RLS-scoped read of a few rows. Their ratio shows what auth + a tenant transaction cost.
 */
export const httpBaseline: BenchSection = {
  name: 'http',
  async prepare(ctx) {
    for (let i = 0; i < PERSONAS; i++) {
      await ctx.api('POST', '/api/v1/personas', {
        name: `Bench persona ${i + 1}`,
        bio: 'A fictional persona for the benchmark.',
        timezone: 'Europe/Paris',
        languages: ['en', 'fr'],
        statedAge: 30,
        attestation: { fictional: true, adult: true, notRealPerson: true },
      });
    }
    const listed = await ctx.api<{ items: unknown[] }>('GET', '/api/v1/personas');
    if (listed.items.length !== PERSONAS) throw new Error(`expected ${PERSONAS} personas, the API lists ${listed.items.length}`);
  },
  targets: () => [
    { name: 'GET /healthz', path: '/healthz' },
    { name: 'GET /api/v1/personas', path: '/api/v1/personas', authenticated: true },
  ],
  ratios: [{ name: 'personas/healthz', numerator: 'GET /api/v1/personas', denominator: 'GET /healthz' }],
};
