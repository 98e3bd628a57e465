import { sql } from 'drizzle-orm';
import type { Tx } from '../../platform/db/database.ts';
import { fans } from '../../platform/db/schema/index.ts';

export interface FanSighting {
  personaId: string;
  platform: string;
  platformFanId: string;
  channelId?: string | null;
  handle?: string | null;
  displayName?: string | null;
  language?: string | null;
  seenAt?: Date;
}

/**
 * The one way a fan record comes to exist: by the platform's id of the account, per persona. Every
 * path that meets a fan (ledger import, chat, PPV, engagement) calls this; an erased fan is never revived
 * (its platform id was replaced, so the same account starts a fresh record).
 */
export async function upsertFan(tx: Tx, orgId: string, s: FanSighting): Promise<typeof fans.$inferSelect> {
  const seenAt = s.seenAt ?? new Date();
  const [row] = await tx
    .insert(fans)
    .values({
      orgId,
      personaId: s.personaId,
      platform: s.platform,
      platformFanId: s.platformFanId,
      channelId: s.channelId ?? null,
      handle: s.handle ?? null,
      displayName: s.displayName ?? null,
      language: s.language ?? null,
      firstSeenAt: seenAt,
      lastSeenAt: seenAt,
    })
    .onConflictDoUpdate({
      target: [fans.personaId, fans.platform, fans.platformFanId],
      set: {
        handle: sql`coalesce(excluded.handle, ${fans.handle})`,
        displayName: sql`coalesce(excluded.display_name, ${fans.displayName})`,
        language: sql`coalesce(${fans.language}, excluded.language)`,
        channelId: sql`coalesce(${fans.channelId}, excluded.channel_id)`,
        firstSeenAt: sql`least(${fans.firstSeenAt}, excluded.first_seen_at)`,
        lastSeenAt: sql`greatest(${fans.lastSeenAt}, excluded.last_seen_at)`,
        updatedAt: sql`now()`,
      },
    })
    .returning();
  return row!;
}
