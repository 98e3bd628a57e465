/**
 * Read-only queries on other capabilities' tables, for the figures no exported service function gives in
 * bulk: post metrics and publication outcomes (publishing), follower counts kept in the channel cache by
 * publishing's metrics round, generation run times (generation) and chat reply times (chat). Nothing here
 * writes; every query runs inside the caller's withOrg transaction, so RLS keeps it to one organization.
 * Money never comes from here: revenue and costs go through the Sales ledger's services.
 */
import { sql } from 'drizzle-orm';
import { rowsOf, type Tx } from '../../platform/db/database.ts';

const num = (v: unknown) => Number(v ?? 0);

export interface ChannelCounters {
  channelId: string;
  personaId: string;
  impressions: number;
  likes: number;
  comments: number;
  shares: number;
  clicks: number;
  targets: number;
}

/** The platforms' latest cumulative figures summed per channel (publishing's post_metrics, one row per target). */
export async function channelCounters(tx: Tx): Promise<ChannelCounters[]> {
  const rows = rowsOf<Record<string, unknown>>(
    await tx.execute(sql`
      select m.channel_id, c.persona_id, sum(m.impressions) as impressions, sum(m.likes) as likes, sum(m.comments) as comments,
             sum(m.shares) as shares, sum(m.clicks) as clicks, count(*) as targets
      from post_metrics m join channels c on c.id = m.channel_id
      group by m.channel_id, c.persona_id`),
  );
  return rows.map((r) => ({
    channelId: String(r.channel_id),
    personaId: String(r.persona_id),
    impressions: num(r.impressions),
    likes: num(r.likes),
    comments: num(r.comments),
    shares: num(r.shares),
    clicks: num(r.clicks),
    targets: num(r.targets),
  }));
}

/** The same figures per UTC day of publication, for a channel seen for the first time (its history so far). */
export async function countersByPublishDay(tx: Tx, channelId: string): Promise<(Omit<ChannelCounters, 'channelId' | 'personaId'> & { day: string })[]> {
  const rows = rowsOf<Record<string, unknown>>(
    await tx.execute(sql`
      select to_char(coalesce(t.published_at, m.fetched_at) at time zone 'UTC', 'YYYY-MM-DD') as day, sum(m.impressions) as impressions,
             sum(m.likes) as likes, sum(m.comments) as comments, sum(m.shares) as shares, sum(m.clicks) as clicks, count(*) as targets
      from post_metrics m join post_targets t on t.id = m.target_id
      where m.channel_id = ${channelId}
      group by 1 order by 1`),
  );
  return rows.map((r) => ({ day: String(r.day), impressions: num(r.impressions), likes: num(r.likes), comments: num(r.comments), shares: num(r.shares), clicks: num(r.clicks), targets: num(r.targets) }));
}

/** Targets published, and targets that failed or need review, per channel and UTC day, in [from, end). */
export async function publicationOutcomes(tx: Tx, from: string, end: string) {
  const rows = rowsOf<Record<string, unknown>>(
    await tx.execute(sql`
      select t.channel_id, c.persona_id, to_char(t.published_at at time zone 'UTC', 'YYYY-MM-DD') as day, count(*) as published, 0 as failed
      from post_targets t join channels c on c.id = t.channel_id
      where t.status = 'published' and t.published_at >= ${from}::date and t.published_at < ${end}::date
      group by 1, 2, 3
      union all
      select t.channel_id, c.persona_id, to_char(t.updated_at at time zone 'UTC', 'YYYY-MM-DD') as day, 0 as published, count(*) as failed
      from post_targets t join channels c on c.id = t.channel_id
      where t.status in ('failed', 'needs_review') and t.updated_at >= ${from}::date and t.updated_at < ${end}::date
      group by 1, 2, 3`),
  );
  const by = new Map<string, { channelId: string; personaId: string; day: string; published: number; failed: number }>();
  for (const r of rows) {
    const key = `${r.channel_id}|${r.day}`;
    const row = by.get(key) ?? { channelId: String(r.channel_id), personaId: String(r.persona_id), day: String(r.day), published: 0, failed: 0 };
    row.published += num(r.published);
    row.failed += num(r.failed);
    by.set(key, row);
  }
  return [...by.values()];
}

/** Followers per channel as publishing's metrics round last cached them (channel_cache `account_metrics`). */
export async function followerCounts(tx: Tx, key: string): Promise<{ channelId: string; personaId: string; followers: number; fetchedAt: Date }[]> {
  const rows = rowsOf<Record<string, unknown>>(
    await tx.execute(sql`
      select k.channel_id, c.persona_id, k.value ->> 'followers' as followers, k.fetched_at
      from channel_cache k join channels c on c.id = k.channel_id
      where k.key = ${key} and jsonb_typeof(k.value -> 'followers') = 'number'`),
  );
  return rows.map((r) => ({ channelId: String(r.channel_id), personaId: String(r.persona_id), followers: Math.max(0, Math.round(num(r.followers))), fetchedAt: new Date(String(r.fetched_at)) }));
}

export interface TechDay {
  personaId: string;
  day: string;
  genJobs: number;
  genFailed: number;
  genMs: number;
  chatReplies: number;
  chatFailed: number;
  chatLatencyMs: number;
}

/** Generation jobs finished and automatic chat replies per persona and UTC day, in [from, end). */
export async function technicalFigures(tx: Tx, from: string, end: string): Promise<TechDay[]> {
  const gen = rowsOf<Record<string, unknown>>(
    await tx.execute(sql`
      select persona_id, to_char(finished_at at time zone 'UTC', 'YYYY-MM-DD') as day,
             count(*) filter (where status in ('succeeded', 'failed')) as jobs,
             count(*) filter (where status = 'failed') as failed,
             coalesce(sum(extract(epoch from finished_at - started_at) * 1000) filter (where status = 'succeeded' and started_at is not null), 0) as ms
      from generation_jobs
      where finished_at >= ${from}::date and finished_at < ${end}::date
      group by 1, 2`),
  );
  const chat = rowsOf<Record<string, unknown>>(
    await tx.execute(sql`
      select v.persona_id, to_char(o.created_at at time zone 'UTC', 'YYYY-MM-DD') as day,
             count(*) filter (where o.state = 'sent') as replies,
             count(*) filter (where o.state = 'failed') as failed,
             coalesce(sum(greatest(0, extract(epoch from o.created_at - i.created_at) * 1000)) filter (where o.state = 'sent'), 0) as ms
      from chat_messages o
      join chat_messages i on i.id = o.reply_to
      join chat_conversations v on v.id = o.conversation_id
      where o.direction = 'out' and o.author = 'bot' and o.created_at >= ${from}::date and o.created_at < ${end}::date
      group by 1, 2`),
  );
  const by = new Map<string, TechDay>();
  const get = (personaId: string, day: string) => {
    const key = `${personaId}|${day}`;
    let t = by.get(key);
    if (!t) by.set(key, (t = { personaId, day, genJobs: 0, genFailed: 0, genMs: 0, chatReplies: 0, chatFailed: 0, chatLatencyMs: 0 }));
    return t;
  };
  for (const r of gen) {
    const t = get(String(r.persona_id), String(r.day));
    t.genJobs += num(r.jobs);
    t.genFailed += num(r.failed);
    t.genMs += Math.round(num(r.ms));
  }
  for (const r of chat) {
    const t = get(String(r.persona_id), String(r.day));
    t.chatReplies += num(r.replies);
    t.chatFailed += num(r.failed);
    t.chatLatencyMs += Math.round(num(r.ms));
  }
  return [...by.values()].filter((t) => t.genJobs || t.chatReplies || t.chatFailed);
}
