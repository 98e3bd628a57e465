import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import * as schema from './schema/index.ts';

export type Schema = typeof schema;
export type Orm = PgDatabase<PgQueryResultHKT, Schema>;
/** A transaction: inside withOrg it runs as atelier_app with RLS scoped to one organization. */
export type Tx = PgTransaction<PgQueryResultHKT, Schema>;

const migrationsFolder = join(dirname(fileURLToPath(import.meta.url)), 'migrations');
const APP_ROLE = 'atelier_app';

export type DatabaseTarget = { kind: 'pglite'; dataDir: string | null } | { kind: 'postgres'; url: string; poolMax: number };

export interface Database {
  readonly kind: 'pglite' | 'postgres';
  readonly orm: Orm;
  /** The embedded instance, for pg-boss's fromPglite; null on PostgreSQL. */
  readonly pglite: PGlite | null;
  /** The pool, for pg-boss on PostgreSQL; null on PGlite. */
  readonly pool: pg.Pool | null;
  /** Every tenant read and write goes through here: one transaction, RLS pinned to orgId. */
  withOrg<T>(orgId: string, fn: (tx: Tx) => Promise<T>): Promise<T>;
  /**
   * Owner-role transaction, RLS not applied. Only for what precedes or spans tenants: sign-in,
   * organization bootstrap, key rotation, the job runner picking the org of a job.
   */
  withSystem<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export async function openDatabase(target: DatabaseTarget): Promise<Database> {
  if (target.kind === 'pglite') {
    if (target.dataDir) mkdirSync(target.dataDir, { recursive: true });
    const client = await PGlite.create(target.dataDir ?? undefined);
    const orm = drizzlePglite({ client, schema }) as unknown as Orm;
    await migratePglite(orm as never, { migrationsFolder });
    return build('pglite', orm, client, null, () => client.close());
  }
  const pool = new pg.Pool({ connectionString: target.url, max: target.poolMax });
  // An idle connection dropped by the server (restart, failover, terminated backend) is re-emitted by the
  // pool; without a listener that 'error' event crashes the process. The pool already discarded the client.
  pool.on('error', (err) => {
    if (!pool.ending) process.emitWarning(`idle PostgreSQL connection lost: ${err.message}`);
  });
  const orm = drizzlePg({ client: pool, schema }) as unknown as Orm;
  await migratePg(orm as never, { migrationsFolder });
  return build('postgres', orm, null, pool, () => pool.end());
}

function build(
  kind: Database['kind'],
  orm: Orm,
  pglite: PGlite | null,
  pool: pg.Pool | null,
  close: () => Promise<void>,
): Database {
  return {
    kind,
    orm,
    pglite,
    pool,
    withOrg(orgId, fn) {
      return orm.transaction(async (tx) => {
        // One round trip for both: set_config('role', …, true) is what SET LOCAL ROLE does (same membership check,
        // undone at commit or rollback). Every tenant transaction pays this, so it is worth one statement less.
        await tx.execute(sql`select set_config('app.org_id', ${orgId}, true), set_config('role', ${APP_ROLE}, true)`);
        return fn(tx as Tx);
      });
    },
    withSystem(fn) {
      return orm.transaction(async (tx) => fn(tx as Tx));
    },
    async ping() {
      await orm.execute(sql`select 1`);
    },
    close,
  };
}

/** Leaves the app role for platform work inside a tenant transaction (e.g. pg-boss's own tables). */
export async function asOwner<T>(tx: Tx, fn: () => Promise<T>): Promise<T> {
  const rows = await tx.execute(sql`select current_user as role`);
  if (rowsOf<{ role: string }>(rows)[0]?.role !== APP_ROLE) return fn();
  await tx.execute(sql`reset role`);
  try {
    return await fn();
  } finally {
    await tx.execute(sql.raw(`set local role ${APP_ROLE}`));
  }
}

/** drizzle's execute() returns rows directly on some drivers and `{ rows }` on others. */
export function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}
