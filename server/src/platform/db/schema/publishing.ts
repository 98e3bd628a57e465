import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { organizations, users } from './tenancy.ts';
import { channels, mediaAssets, personas, posts } from './content.ts';

const id = () => uuid('id').primaryKey().default(sql`gen_random_uuid()`);
const orgId = () => uuid('org_id').notNull().references(() => organizations.id, { onDelete: 'cascade' });
const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
const updatedAt = () => timestamp('updated_at', { withTimezone: true }).notNull().defaultNow();

export const targetStatuses = ['draft', 'scheduled', 'publishing', 'published', 'failed', 'needs_review', 'cancelled'] as const;
export type TargetStatus = (typeof targetStatuses)[number];

/** One post on one channel: what to send (asset variant + text) and where it stands. */
export const postTargets = pgTable(
  'post_targets',
  {
    id: id(),
    orgId: orgId(),
    postId: uuid('post_id')
      .notNull()
      .references(() => posts.id, { onDelete: 'cascade' }),
    channelId: uuid('channel_id')
      .notNull()
      .references(() => channels.id, { onDelete: 'cascade' }),
    assetId: uuid('asset_id').references(() => mediaAssets.id, { onDelete: 'set null' }),
    /** Which stored variant of the asset goes out (original, portrait, story, landscape, square). */
    variant: text('variant').notNull().default('original'),
    text: text('text').notNull().default(''),
    options: jsonb('options').notNull().default({}),
    status: text('status', { enum: targetStatuses }).notNull().default('draft'),
    scheduledAt: timestamp('scheduled_at', { withTimezone: true }),
    /** Stable for the life of the target: every attempt and every recovery uses it. */
    idempotencyKey: uuid('idempotency_key').notNull().default(sql`gen_random_uuid()`),
    /** Bumped on every (re)schedule: a queued dispatch for an older version does nothing. */
    version: integer('version').notNull().default(0),
    attempts: integer('attempts').notNull().default(0),
    claimedAt: timestamp('claimed_at', { withTimezone: true }),
    publishedAt: timestamp('published_at', { withTimezone: true }),
    remoteId: text('remote_id'),
    remoteUrl: text('remote_url'),
    /** A/B test: which of the post's variants ('A'…'D') this target carries; null when the post has none. */
    variantKey: text('variant_key'),
    /** What the platform billed for this post (X charges per post, more with a link), in cents. */
    costCents: integer('cost_cents').notNull().default(0),
    /** What the platform answered worth keeping (a Telegram album's message ids, X's cost…), from the last publication. */
    meta: jsonb('meta').notNull().default({}),
    error: jsonb('error'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('post_targets_post_idx').on(t.postId),
    index('post_targets_due_idx').on(t.status, t.scheduledAt),
    uniqueIndex('post_targets_idempotency_key').on(t.idempotencyKey),
  ],
);

/** Recurring slots in the persona's local time (e.g. 10:00, 15:00, 20:00; weekday-specific rhythms). */
export const slotTemplates = pgTable(
  'slot_templates',
  {
    id: id(),
    orgId: orgId(),
    personaId: uuid('persona_id')
      .notNull()
      .references(() => personas.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    /** ISO weekdays 1 (Monday) … 7 (Sunday); empty = every day. */
    weekdays: integer('weekdays').array().notNull().default(sql`'{}'::integer[]`),
    localTime: text('local_time').notNull(),
    channelIds: uuid('channel_ids').array().notNull().default(sql`'{}'::uuid[]`),
    /** Auto-fill gives a slot of higher priority the better media first. */
    priority: integer('priority').notNull().default(0),
    enabled: boolean('enabled').notNull().default(true),
    createdAt: createdAt(),
  },
  (t) => [index('slot_templates_persona_idx').on(t.personaId)],
);

/** A/B test: 2–4 variants of one post (caption and/or media); targets say which variant they carry. */
export const postVariants = pgTable(
  'post_variants',
  {
    orgId: orgId(),
    postId: uuid('post_id')
      .notNull()
      .references(() => posts.id, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    caption: text('caption').notNull().default(''),
    assetId: uuid('asset_id').references(() => mediaAssets.id, { onDelete: 'set null' }),
    /** Set on the variant Thompson sampling picked, with the probability it is best. */
    winner: boolean('winner').notNull().default(false),
    winProbability: integer('win_probability_pct'),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.postId, t.key] })],
);

/** The latest figures the platform reports for one published target (cumulative; analytics keeps history). */
export const postMetrics = pgTable(
  'post_metrics',
  {
    targetId: uuid('target_id')
      .primaryKey()
      .references(() => postTargets.id, { onDelete: 'cascade' }),
    orgId: orgId(),
    channelId: uuid('channel_id')
      .notNull()
      .references(() => channels.id, { onDelete: 'cascade' }),
    impressions: integer('impressions').notNull().default(0),
    likes: integer('likes').notNull().default(0),
    comments: integer('comments').notNull().default(0),
    shares: integer('shares').notNull().default(0),
    clicks: integer('clicks').notNull().default(0),
    raw: jsonb('raw').notNull().default({}),
    fetchedAt: timestamp('fetched_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('post_metrics_channel_idx').on(t.channelId)],
);

export const engagementKinds = ['comment', 'mention', 'reply'] as const;
export const engagementStatuses = ['new', 'drafted', 'sent', 'dismissed', 'failed'] as const;

/** Comments, mentions and replies on the persona's own posts, pulled per channel, answered by an operator. */
export const engagements = pgTable(
  'engagements',
  {
    id: id(),
    orgId: orgId(),
    personaId: uuid('persona_id')
      .notNull()
      .references(() => personas.id, { onDelete: 'cascade' }),
    channelId: uuid('channel_id')
      .notNull()
      .references(() => channels.id, { onDelete: 'cascade' }),
    /** Our post it answers, when known. */
    targetId: uuid('target_id').references(() => postTargets.id, { onDelete: 'set null' }),
    kind: text('kind', { enum: engagementKinds }).notNull(),
    remoteId: text('remote_id').notNull(),
    /** What it replies to on the platform (our post or another comment). */
    parentRemoteId: text('parent_remote_id'),
    authorRemoteId: text('author_remote_id'),
    authorHandle: text('author_handle').notNull().default(''),
    text: text('text').notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull(),
    status: text('status', { enum: engagementStatuses }).notNull().default('new'),
    draft: text('draft'),
    replyRemoteId: text('reply_remote_id'),
    repliedAt: timestamp('replied_at', { withTimezone: true }),
    repliedBy: uuid('replied_by').references(() => users.id, { onDelete: 'set null' }),
    /** Sent by an auto-reply rule rather than a person. */
    automatic: boolean('automatic').notNull().default(false),
    error: jsonb('error'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('engagements_remote_key').on(t.channelId, t.remoteId), index('engagements_persona_idx').on(t.personaId, t.status, t.receivedAt)],
);

/** Facts fetched from a platform and kept for a while (Reddit subreddit rules, Instagram quota…), per channel. */
export const channelCache = pgTable(
  'channel_cache',
  {
    orgId: orgId(),
    channelId: uuid('channel_id')
      .notNull()
      .references(() => channels.id, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    value: jsonb('value').notNull(),
    fetchedAt: timestamp('fetched_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.channelId, t.key] })],
);

/**
 * The persona's weekly rhythm (the seed's Monday planning, Tuesday–Thursday publishing, Friday analysis,
 * weekend specials), editable; `days` is validated by publishing/rhythm.ts.
 */
export const weeklyRhythms = pgTable('weekly_rhythms', {
  personaId: uuid('persona_id')
    .primaryKey()
    .references(() => personas.id, { onDelete: 'cascade' }),
  orgId: orgId(),
  days: jsonb('days').notNull().default([]),
  updatedAt: updatedAt(),
});

/** An OAuth connect in progress (state → PKCE verifier), consumed once by the callback. */
export const oauthStates = pgTable('oauth_states', {
  state: text('state').primaryKey(),
  orgId: orgId(),
  personaId: uuid('persona_id')
    .notNull()
    .references(() => personas.id, { onDelete: 'cascade' }),
  /** Reconnecting an existing channel; null when connecting a new one. */
  channelId: uuid('channel_id').references(() => channels.id, { onDelete: 'cascade' }),
  platform: text('platform').notNull(),
  /** PKCE code verifier, sealed with the master keyring. */
  verifierSealed: text('verifier_sealed').notNull(),
  redirectUri: text('redirect_uri').notNull(),
  /** Where the web goes back to afterwards. */
  returnTo: text('return_to').notNull().default('/settings'),
  createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  createdAt: createdAt(),
});
