import { sql } from 'drizzle-orm';
import { bigint, boolean, date, index, integer, jsonb, pgTable, primaryKey, text, timestamp, unique, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { organizations, users } from './tenancy.ts';
import { channels, personas } from './content.ts';

const id = () => uuid('id').primaryKey().default(sql`gen_random_uuid()`);
const orgId = () => uuid('org_id').notNull().references(() => organizations.id, { onDelete: 'cascade' });
const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
const updatedAt = () => timestamp('updated_at', { withTimezone: true }).notNull().defaultNow();
const count = (name: string) => bigint(name, { mode: 'number' }).notNull().default(0);

/** What one rollup row measures; each family fills its own columns and leaves the others at 0. */
export const rollupFamilies = ['posts', 'audience', 'conversions', 'revenue', 'costs', 'tech'] as const;
export type RollupFamily = (typeof rollupFamilies)[number];

/** The figures a rollup row carries; each family fills its own columns and leaves the others at 0. */
const measures = () => ({
  // posts
  published: count('published'),
  failed: count('failed'),
  impressions: count('impressions'),
  likes: count('likes'),
  comments: count('comments'),
  shares: count('shares'),
  clicks: count('clicks'),
  // audience
  followers: bigint('followers', { mode: 'number' }),
  followerChange: count('follower_change'),
  // conversions (tracking links)
  linkClicks: count('link_clicks'),
  linkSubscribers: count('link_subscribers'),
  // revenue (per currency)
  grossMinor: count('gross_minor'),
  feeMinor: count('fee_minor'),
  netMinor: count('net_minor'),
  transactions: count('transactions'),
  // costs (per currency)
  costMinor: count('cost_minor'),
  // tech
  genJobs: count('gen_jobs'),
  genFailed: count('gen_failed'),
  genMs: count('gen_ms'),
  chatReplies: count('chat_replies'),
  chatFailed: count('chat_failed'),
  chatLatencyMs: count('chat_latency_ms'),
});

/**
 * Daily rollups: one row per UTC day, organization, persona (null: org-wide), channel (null: not tied to
 * one), metric family and currency ('' outside money families). Rewritten by natural key, so running a
 * day again replaces its row instead of adding to it. Counter columns are the day's change; `followers`
 * is a level (the last count seen that day). `cumulative` keeps the platform counters a row's deltas were
 * taken from, for the next day's difference.
 */
export const analyticsDaily = pgTable(
  'analytics_daily',
  {
    orgId: orgId(),
    day: date('day').notNull(),
    family: text('family', { enum: rollupFamilies }).notNull(),
    personaId: uuid('persona_id').references(() => personas.id, { onDelete: 'cascade' }),
    channelId: uuid('channel_id').references(() => channels.id, { onDelete: 'cascade' }),
    currency: text('currency').notNull().default(''),
    ...measures(),
    cumulative: jsonb('cumulative').notNull().default({}),
    updatedAt: updatedAt(),
  },
  (t) => [
    unique('analytics_daily_key').on(t.orgId, t.day, t.family, t.personaId, t.channelId, t.currency).nullsNotDistinct(),
    index('analytics_daily_org_day_idx').on(t.orgId, t.day),
    index('analytics_daily_persona_idx').on(t.personaId, t.day),
    index('analytics_daily_channel_idx').on(t.channelId, t.family, t.day),
  ],
);

/**
 * The organization's daily totals, summed from analytics_daily over personas and channels (org-wide rows
 * included), one row per day, family and currency: an agency-wide 90-day view reads a few hundred rows
 * instead of every persona's and channel's. `followers` is the sum of each channel's latest count on or
 * before the day. Rewritten from analytics_daily whenever the days it covers are.
 */
export const analyticsOrgDaily = pgTable(
  'analytics_org_daily',
  {
    orgId: orgId(),
    day: date('day').notNull(),
    family: text('family', { enum: rollupFamilies }).notNull(),
    currency: text('currency').notNull().default(''),
    ...measures(),
    /** Engagements of the channel rows that reported impressions (the engagement rate's numerator). */
    engagedSeen: count('engaged_seen'),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.day, t.family, t.currency] })],
);

/** Per-organization analytics settings (report schedule, alert thresholds…); validated by analytics/settings.ts. */
export const analyticsSettings = pgTable('analytics_settings', {
  orgId: uuid('org_id')
    .primaryKey()
    .references(() => organizations.id, { onDelete: 'cascade' }),
  settings: jsonb('settings').notNull().default({}),
  updatedAt: updatedAt(),
});

export const destinationKinds = ['telegram', 'discord', 'email', 'webhook'] as const;
export type DestinationKind = (typeof destinationKinds)[number];

/** Where reports and alert notifications go; credentials (bot token, webhook URL, SMTP password) are sealed in `secrets`. */
export const analyticsDestinations = pgTable('analytics_destinations', {
  id: id(),
  orgId: orgId(),
  kind: text('kind', { enum: destinationKinds }).notNull(),
  name: text('name').notNull(),
  /** Non-secret settings (chat id, SMTP host and recipients, API roots); validated by analytics/delivery. */
  config: jsonb('config').notNull().default({}),
  /** Report kinds sent here (daily, weekly, monthly). */
  reports: text('reports').array().notNull().default(sql`'{}'::text[]`),
  alerts: boolean('alerts').notNull().default(true),
  enabled: boolean('enabled').notNull().default(true),
  createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const reportKinds = ['daily', 'weekly', 'monthly'] as const;
export type ReportKind = (typeof reportKinds)[number];

/** A generated report: figures frozen in `data`, documents in storage. One per kind, subject and period. */
export const analyticsReports = pgTable(
  'analytics_reports',
  {
    id: id(),
    orgId: orgId(),
    kind: text('kind', { enum: reportKinds }).notNull(),
    /** null: the whole agency. */
    personaId: uuid('persona_id').references(() => personas.id, { onDelete: 'cascade' }),
    periodStart: date('period_start').notNull(),
    /** Exclusive. */
    periodEnd: date('period_end').notNull(),
    currency: text('currency').notNull(),
    data: jsonb('data').notNull(),
    htmlKey: text('html_key'),
    pdfKey: text('pdf_key'),
    pdfError: text('pdf_error'),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (t) => [unique('analytics_reports_period_key').on(t.orgId, t.kind, t.personaId, t.periodStart).nullsNotDistinct(), index('analytics_reports_created_idx').on(t.orgId, t.createdAt)],
);

export const alertStatuses = ['open', 'resolved'] as const;
export const alertSeverities = ['info', 'warning', 'critical'] as const;

/** A rule's finding about one subject (a channel, a queue, a provider…). At most one open per rule and subject. */
export const analyticsAlerts = pgTable(
  'analytics_alerts',
  {
    id: id(),
    orgId: orgId(),
    rule: text('rule').notNull(),
    /** What it is about, stable across evaluations: a channel id, queue name, provider id, 'org'… */
    subject: text('subject').notNull(),
    personaId: uuid('persona_id').references(() => personas.id, { onDelete: 'cascade' }),
    severity: text('severity', { enum: alertSeverities }).notNull(),
    status: text('status', { enum: alertStatuses }).notNull().default('open'),
    title: text('title').notNull(),
    details: jsonb('details').notNull().default({}),
    openedAt: timestamp('opened_at', { withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
    resolvedAt: timestamp('resolved_at', { withTimezone: true }),
    acknowledgedAt: timestamp('acknowledged_at', { withTimezone: true }),
    acknowledgedBy: uuid('acknowledged_by').references(() => users.id, { onDelete: 'set null' }),
  },
  (t) => [
    uniqueIndex('analytics_alerts_open_key').on(t.orgId, t.rule, t.subject).where(sql`${t.status} = 'open'`),
    index('analytics_alerts_org_opened_idx').on(t.orgId, t.openedAt),
  ],
);

export const deliveryStatuses = ['pending', 'sent', 'failed'] as const;

/**
 * One message to one destination about one report or one alert change (fired, resolved). The natural
 * key makes queuing the same delivery twice a no-op; the job records the outcome here.
 */
export const analyticsDeliveries = pgTable(
  'analytics_deliveries',
  {
    id: id(),
    orgId: orgId(),
    destinationId: uuid('destination_id')
      .notNull()
      .references(() => analyticsDestinations.id, { onDelete: 'cascade' }),
    /** report | alert */
    subjectType: text('subject_type', { enum: ['report', 'alert', 'test'] }).notNull(),
    subjectId: uuid('subject_id').notNull(),
    /** report: 'report'; alert: 'fired' | 'resolved'; test: 'test'. */
    event: text('event').notNull(),
    status: text('status', { enum: deliveryStatuses }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    error: text('error'),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [unique('analytics_deliveries_key').on(t.destinationId, t.subjectType, t.subjectId, t.event), index('analytics_deliveries_subject_idx').on(t.subjectId)],
);
