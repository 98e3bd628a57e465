import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { organizations } from './tenancy.ts';
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
