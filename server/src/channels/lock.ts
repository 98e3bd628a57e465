import { asc, inArray } from 'drizzle-orm';
import type { Tx } from '../platform/db/database.ts';
import { channels } from '../platform/db/schema/index.ts';

/**
 * Locks channels' rows until the transaction ends, in id order (so two transactions locking several never
 * deadlock). What is decided per channel from rows that many processes write — the stored credentials
 * before a "reconnect needed" flag, X's monthly budget, Reddit's posting frequency, an erase against a
 * running engagement pull — is decided under this lock, on PostgreSQL and PGlite alike. "No key update":
 * rows referencing the channel can still be inserted meanwhile. Returns the locked rows' status and handle.
 */
export async function lockChannels(tx: Tx, channelIds: readonly string[]) {
  const ids = [...new Set(channelIds)];
  if (!ids.length) return [];
  return tx
    .select({ id: channels.id, status: channels.status, handle: channels.handle })
    .from(channels)
    .where(inArray(channels.id, ids))
    .orderBy(asc(channels.id))
    .for('no key update');
}
