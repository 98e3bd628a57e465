import { sql } from 'drizzle-orm';
import { boolean, date, index, integer, jsonb, pgTable, primaryKey, real, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { organizations, users } from './tenancy.ts';
import { mediaAssets, personas } from './content.ts';

const id = () => uuid('id').primaryKey().default(sql`gen_random_uuid()`);
const orgId = () => uuid('org_id').notNull().references(() => organizations.id, { onDelete: 'cascade' });
const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
const updatedAt = () => timestamp('updated_at', { withTimezone: true }).notNull().defaultNow();

/** A persona's look, voice and routine for the studio; `settings` is validated by generation/identity.ts. */
export const personaStudio = pgTable('persona_studio', {
  personaId: uuid('persona_id')
    .primaryKey()
    .references(() => personas.id, { onDelete: 'cascade' }),
  orgId: orgId(),
  settings: jsonb('settings').notNull().default({}),
  autoApproveExplicit: boolean('auto_approve_explicit').notNull().default(false),
  updatedAt: updatedAt(),
});

/** An organization's generation back-ends (its own ComfyUI, Ollama…); credentials live in secrets. */
export const providers = pgTable(
  'providers',
  {
    id: id(),
    orgId: orgId(),
    kind: text('kind', { enum: ['image', 'text', 'voice'] }).notNull(),
    type: text('type').notNull(),
    name: text('name').notNull(),
    config: jsonb('config').notNull().default({}),
    enabled: boolean('enabled').notNull().default(true),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('providers_org_kind_idx').on(t.orgId, t.kind)],
);

export const generationKinds = ['image', 'video', 'montage', 'caption', 'voice'] as const;
export const generationStatuses = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;

export const generationJobs = pgTable(
  'generation_jobs',
  {
    id: id(),
    orgId: orgId(),
    personaId: uuid('persona_id')
      .notNull()
      .references(() => personas.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: generationKinds }).notNull(),
    providerId: uuid('provider_id'),
    status: text('status', { enum: generationStatuses }).notNull().default('queued'),
    progress: real('progress').notNull().default(0),
    progressMessage: text('progress_message'),
    request: jsonb('request').notNull(),
    /** Readable reason when failed: `{ message, kind, details }` (e.g. ComfyUI's failing node). */
    error: jsonb('error'),
    resultAssetIds: uuid('result_asset_ids').array().notNull().default(sql`'{}'::uuid[]`),
    resultCaptionIds: uuid('result_caption_ids').array().notNull().default(sql`'{}'::uuid[]`),
    attempts: integer('attempts').notNull().default(0),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    /** Set when the daily plan made this job: the persona's local date. */
    planDate: date('plan_date'),
    createdAt: createdAt(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [index('generation_jobs_persona_idx').on(t.personaId, t.createdAt), index('generation_jobs_status_idx').on(t.orgId, t.status)],
);

export const captions = pgTable(
  'captions',
  {
    id: id(),
    orgId: orgId(),
    personaId: uuid('persona_id')
      .notNull()
      .references(() => personas.id, { onDelete: 'cascade' }),
    assetId: uuid('asset_id').references(() => mediaAssets.id, { onDelete: 'set null' }),
    jobId: uuid('job_id'),
    platform: text('platform').notNull(),
    language: text('language').notNull(),
    /** A/B variant number within one request, from 1. */
    variant: integer('variant').notNull(),
    text: text('text').notNull(),
    hashtags: text('hashtags').array().notNull().default(sql`'{}'::text[]`),
    disclosureAdded: boolean('disclosure_added').notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [index('captions_persona_idx').on(t.personaId, t.createdAt)],
);

/** One row per persona and local day the daily plan ran: the tick is idempotent through it. */
export const dailyPlanRuns = pgTable(
  'daily_plan_runs',
  {
    orgId: orgId(),
    personaId: uuid('persona_id')
      .notNull()
      .references(() => personas.id, { onDelete: 'cascade' }),
    localDate: date('local_date').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.personaId, t.localDate] })],
);
