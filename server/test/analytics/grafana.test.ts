import { readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, testRuntime, type TestRuntime } from '../helpers/runtime.ts';
import { ownerClient, personaBody } from '../helpers/api.ts';
import { rowsOf } from '../../src/platform/db/database.ts';
import { analyticsDaily } from '../../src/platform/db/schema/index.ts';

interface Target {
  rawSql: string;
}
interface Panel {
  title: string;
  targets: Target[];
}
const dashboard = JSON.parse(readFileSync(new URL('../../../deploy/grafana/dashboards/business.json', import.meta.url), 'utf8')) as {
  panels: Panel[];
  templating: { list: { name: string; query: string }[] };
};

/** Grafana's macros and variables, as Grafana expands them for PostgreSQL. */
function expand(text: string, vars: { org: string; personas: string[] }) {
  return text
    .replace(/\$__timeFilter\(([^)]+)\)/g, "$1 BETWEEN '2026-01-01T00:00:00Z' AND '2026-12-31T23:59:59Z'")
    .replaceAll('${persona:sqlstring}', vars.personas.map((p) => `'${p}'`).join(','))
    .replaceAll('${org}', vars.org);
}

/** The business dashboard's queries, run as the read-only role Grafana logs in with. */
describe.each(backends)('Grafana business dashboard on %s', (backend) => {
  let rt: TestRuntime;
  let orgId: string;
  let personaId: string;
  const asGrafana = <T>(query: string) =>
    rt.platform.db.withSystem(async (tx) => {
      await tx.execute(sql.raw('set local role atelier_grafana'));
      return rowsOf<T>(await tx.execute(sql.raw(query)));
    });

  beforeAll(async () => {
    rt = await testRuntime(backend);
    const o = await ownerClient(rt.app, rt.platform, 'Grafana Org');
    orgId = o.orgId;
    personaId = (await o.client.post('/api/v1/personas', personaBody('Gwen'))).body.id;
    const base = { orgId, personaId, channelId: null };
    await rt.platform.db.withOrg(orgId, (tx) =>
      tx.insert(analyticsDaily).values([
        { ...base, day: '2026-05-01', family: 'revenue', currency: 'EUR', grossMinor: 1200, feeMinor: 200, netMinor: 1000, transactions: 2 },
        { ...base, day: '2026-05-01', family: 'revenue', currency: 'JPY', grossMinor: 500, netMinor: 500, transactions: 1 },
        { ...base, day: '2026-05-02', family: 'revenue', currency: 'EUR', grossMinor: 300, netMinor: 250, feeMinor: 50, transactions: 1 },
        { ...base, day: '2026-05-01', family: 'costs', currency: 'EUR', costMinor: 400 },
        { ...base, day: '2026-05-01', family: 'conversions', currency: '', linkClicks: 40, linkSubscribers: 4 },
        { ...base, day: '2026-05-01', family: 'tech', currency: '', genJobs: 2, genMs: 60_000, chatReplies: 4, chatLatencyMs: 8000 },
      ]),
    );
  }, 120_000);
  afterAll(async () => {
    await rt?.stop();
  });

  it('runs every panel and variable query as atelier_grafana, with amounts per currency', async () => {
    const vars = { org: orgId, personas: [personaId] };
    for (const v of dashboard.templating.list) expect((await asGrafana(expand(v.query, vars))).length, v.name).toBeGreaterThan(0);
    for (const panel of dashboard.panels) for (const t of panel.targets) await expect(asGrafana(expand(t.rawSql, vars)), panel.title).resolves.toBeDefined();

    const revenue = dashboard.panels.find((p) => p.title.startsWith('Net revenue in the range'))!;
    expect(await asGrafana<{ metric: string; value: number }>(expand(revenue.targets[0]!.rawSql, vars))).toEqual([
      { metric: 'EUR', value: 12.5 },
      { metric: 'JPY', value: 500 },
    ]);
    const table = dashboard.panels.find((p) => p.title === 'Per persona')!;
    expect(await asGrafana(expand(table.targets[0]!.rawSql, vars))).toEqual([expect.objectContaining({ Persona: 'Gwen', 'Net revenue': 'EUR 12.50, JPY 500.00' })]);
  });

  it('cannot read money at its source nor write anything', async () => {
    const refusal = async (query: string) => {
      try {
        await asGrafana(query);
        return 'allowed';
      } catch (error) {
        return String((error as { cause?: { message?: string } }).cause?.message ?? (error as Error).message);
      }
    };
    for (const query of [
      'select count(*) from transactions',
      'select count(*) from secrets',
      'select email from users',
      `delete from analytics_daily where org_id = '${orgId}'`,
      `update personas set name = 'x' where id = '${personaId}'`,
    ]) {
      expect(await refusal(query), query).toMatch(/permission denied/);
    }
  });
});
