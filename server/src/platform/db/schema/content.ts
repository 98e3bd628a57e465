import { sql } from 'drizzle-orm';
import { bigint, check, index, integer, jsonb, pgTable, primaryKey, real, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { organizations, users } from './tenancy.ts';

const id = () => uuid('id').primaryKey().default(sql`gen_random_uuid()`);
const orgId = () => uuid('org_id').notNull().references(() => organizations.id, { onDelete: 'cascade' });
const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
const updatedAt = () => timestamp('updated_at', { withTimezone: true }).notNull().defaultNow();

export const personas = pgTable(
  'personas',
  {
    id: id(),
    orgId: orgId(),
    name: text('name').notNull(),
    bio: text('bio').notNull().default(''),
    timezone: text('timezone').notNull(),
    languages: text('languages').array().notNull(),
    statedAge: integer('stated_age').notNull(),
    /** The creator's attestation: fictional, adult, not modelled on a real person. Never null. */
    attestedBy: uuid('attested_by').notNull().references(() => users.id),
    attestedAt: timestamp('attested_at', { withTimezone: true }).notNull(),
    attestationText: text('attestation_text').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [check('personas_adult', sql`${t.statedAge} >= 18`), index('personas_org_idx').on(t.orgId)],
);

export const personaAssignments = pgTable(
  'persona_assignments',
  {
    orgId: orgId(),
    userId: uuid('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    personaId: uuid('persona_id').notNull().references(() => personas.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.userId, t.personaId] })],
);

export const channels = pgTable(
  'channels',
  {
    id: id(),
    orgId: orgId(),
    personaId: uuid('persona_id').notNull().references(() => personas.id, { onDelete: 'cascade' }),
    platform: text('platform').notNull(),
    handle: text('handle').notNull(),
    settings: jsonb('settings').notNull().default({}),
    status: text('status').notNull().default('active'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('channels_persona_idx').on(t.personaId)],
);

/** Platform credentials, AES-256-GCM under the master keyring; key_id says which key sealed the row. */
export const secrets = pgTable(
  'secrets',
  {
    id: id(),
    orgId: orgId(),
    ownerType: text('owner_type').notNull(),
    ownerId: uuid('owner_id').notNull(),
    name: text('name').notNull(),
    keyId: text('key_id').notNull(),
    sealed: text('sealed').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('secrets_owner_name_key').on(t.ownerType, t.ownerId, t.name)],
);

export const mediaAssets = pgTable(
  'media_assets',
  {
    id: id(),
    orgId: orgId(),
    personaId: uuid('persona_id').notNull().references(() => personas.id, { onDelete: 'cascade' }),
    storageKey: text('storage_key').notNull(),
    sha256: text('sha256').notNull(),
    mimeType: text('mime_type').notNull(),
    bytes: bigint('bytes', { mode: 'number' }).notNull(),
    width: integer('width'),
    height: integer('height'),
    rating: text('rating', { enum: ['unrated', 'sfw', 'suggestive', 'explicit'] }).notNull().default('unrated'),
    /** Provider, workflow, seed, parameters: enough to regenerate. */
    origin: jsonb('origin').notNull().default({}),
    kind: text('kind', { enum: ['image', 'video', 'audio'] }).notNull().default('image'),
    /** Explicit media waits for approval unless the persona auto-approves (an audited admin choice). */
    status: text('status', { enum: ['pending_approval', 'approved', 'rejected'] }).notNull().default('approved'),
    tags: text('tags').array().notNull().default(sql`'{}'::text[]`),
    ratingScores: jsonb('rating_scores'),
    ratingMethod: text('rating_method'),
    /** 64-bit dHash (hex) of the original, to catch near-duplicates. */
    phash: text('phash'),
    variants: jsonb('variants').notNull().default([]),
    thumbnailKey: text('thumbnail_key'),
    durationSeconds: real('duration_seconds'),
    jobId: uuid('job_id'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('media_assets_persona_idx').on(t.personaId, t.createdAt), index('media_assets_org_sha_idx').on(t.orgId, t.sha256)],
);

export const posts = pgTable(
  'posts',
  {
    id: id(),
    orgId: orgId(),
    personaId: uuid('persona_id').notNull().references(() => personas.id, { onDelete: 'cascade' }),
    /** draft → approved → scheduled → publishing → published | failed | needs_review | cancelled (rolled up from targets). */
    status: text('status').notNull().default('draft'),
    caption: text('caption').notNull().default(''),
    scheduledAt: timestamp('scheduled_at', { withTimezone: true }),
    priority: integer('priority').notNull().default(0),
    assetId: uuid('asset_id'),
    slotTemplateId: uuid('slot_template_id'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('posts_persona_idx').on(t.personaId, t.scheduledAt)],
);
