import { sql } from 'drizzle-orm';
import { bigint, boolean, check, date, index, integer, jsonb, numeric, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { organizations, users } from './tenancy.ts';
import { channels, mediaAssets, personas } from './content.ts';

const id = () => uuid('id').primaryKey().default(sql`gen_random_uuid()`);
const orgId = () => uuid('org_id').notNull().references(() => organizations.id, { onDelete: 'cascade' });
const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
const updatedAt = () => timestamp('updated_at', { withTimezone: true }).notNull().defaultNow();
const personaRef = () =>
  uuid('persona_id')
    .notNull()
    .references(() => personas.id, { onDelete: 'cascade' });
/** Money is always minor units (cents) plus an ISO 4217 code beside it: amounts of two currencies never meet in a sum. */
const minor = (name: string) => bigint(name, { mode: 'number' });
const currency = () => text('currency').notNull();

/** Org-wide sales settings: the reporting currency every total is converted to. */
export const salesSettings = pgTable('sales_settings', {
  orgId: uuid('org_id')
    .primaryKey()
    .references(() => organizations.id, { onDelete: 'cascade' }),
  reportingCurrency: text('reporting_currency').notNull().default('EUR'),
  updatedAt: updatedAt(),
});

// ---------------------------------------------------------------------------------------------------
// Catalogue

/** A pack (a set of media sold together) or a bundle (a set of packs sold together). */
export const packs = pgTable(
  'packs',
  {
    id: id(),
    orgId: orgId(),
    personaId: personaRef(),
    kind: text('kind', { enum: ['pack', 'bundle'] }).notNull().default('pack'),
    title: text('title').notNull(),
    description: text('description').notNull().default(''),
    /** The most restricted rating among its media, kept in step by the catalogue service. */
    rating: text('rating', { enum: ['sfw', 'suggestive', 'explicit'] }).notNull().default('sfw'),
    status: text('status', { enum: ['draft', 'active', 'archived'] }).notNull().default('draft'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('packs_persona_idx').on(t.personaId)],
);

export const packItems = pgTable(
  'pack_items',
  {
    orgId: orgId(),
    packId: uuid('pack_id')
      .notNull()
      .references(() => packs.id, { onDelete: 'cascade' }),
    assetId: uuid('asset_id')
      .notNull()
      .references(() => mediaAssets.id, { onDelete: 'cascade' }),
    position: integer('position').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.packId, t.assetId] })],
);

export const bundleItems = pgTable(
  'bundle_items',
  {
    orgId: orgId(),
    bundleId: uuid('bundle_id')
      .notNull()
      .references(() => packs.id, { onDelete: 'cascade' }),
    packId: uuid('pack_id')
      .notNull()
      .references(() => packs.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.bundleId, t.packId] }), check('bundle_items_not_self', sql`${t.bundleId} <> ${t.packId}`)],
);

/** Named price lists (e.g. "Standard", "Holiday"); exactly one default per persona. */
export const priceLists = pgTable(
  'price_lists',
  {
    id: id(),
    orgId: orgId(),
    personaId: personaRef(),
    name: text('name').notNull(),
    isDefault: boolean('is_default').notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('price_lists_default_key').on(t.personaId).where(sql`${t.isDefault}`)],
);

/** The list price of a pack on one platform, in one price list. */
export const packPrices = pgTable(
  'pack_prices',
  {
    orgId: orgId(),
    priceListId: uuid('price_list_id')
      .notNull()
      .references(() => priceLists.id, { onDelete: 'cascade' }),
    packId: uuid('pack_id')
      .notNull()
      .references(() => packs.id, { onDelete: 'cascade' }),
    platform: text('platform').notNull(),
    amountMinor: minor('amount_minor').notNull(),
    currency: currency(),
  },
  (t) => [primaryKey({ columns: [t.priceListId, t.packId, t.platform] }), check('pack_prices_positive', sql`${t.amountMinor} >= 0`)],
);

/** Saved fan filters (new this week, top spenders, expired, inactive 14 days, custom); `filter` validated by sales/segments. */
export const segments = pgTable('segments', {
  id: id(),
  orgId: orgId(),
  /** null: across all personas of the org. */
  personaId: uuid('persona_id').references(() => personas.id, { onDelete: 'cascade' }),
  name: text('name').notNull(),
  filter: jsonb('filter').notNull(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

/** A platform's tracking link (Fanvue) or our own, with the conversions it reports. */
export const trackingLinks = pgTable('tracking_links', {
  id: id(),
  orgId: orgId(),
  personaId: personaRef(),
  channelId: uuid('channel_id').references(() => channels.id, { onDelete: 'set null' }),
  name: text('name').notNull(),
  url: text('url').notNull(),
  remoteId: text('remote_id'),
  clicks: integer('clicks').notNull().default(0),
  subscribers: integer('subscribers').notNull().default(0),
  fetchedAt: timestamp('fetched_at', { withTimezone: true }),
  createdAt: createdAt(),
});

/**
 * Percent (basis points) or fixed (minor units, in `currency`) discount, or a free trial; time-boxed, limited
 * to channels / platforms / packs / a fan segment when those are set (empty = all).
 */
export const promotions = pgTable(
  'promotions',
  {
    id: id(),
    orgId: orgId(),
    personaId: personaRef(),
    name: text('name').notNull(),
    kind: text('kind', { enum: ['percent', 'fixed', 'free_trial'] }).notNull(),
    /** percent: basis points (2500 = 25 %); fixed: minor units; free_trial: days. */
    value: integer('value').notNull(),
    currency: text('currency'),
    startsAt: timestamp('starts_at', { withTimezone: true }).notNull(),
    endsAt: timestamp('ends_at', { withTimezone: true }).notNull(),
    platforms: text('platforms').array().notNull().default(sql`'{}'::text[]`),
    channelIds: uuid('channel_ids').array().notNull().default(sql`'{}'::uuid[]`),
    packIds: uuid('pack_ids').array().notNull().default(sql`'{}'::uuid[]`),
    segmentId: uuid('segment_id').references(() => segments.id, { onDelete: 'set null' }),
    trackingLinkId: uuid('tracking_link_id').references(() => trackingLinks.id, { onDelete: 'set null' }),
    status: text('status', { enum: ['active', 'paused', 'archived'] }).notNull().default('active'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('promotions_persona_idx').on(t.personaId, t.startsAt), check('promotions_window', sql`${t.endsAt} > ${t.startsAt}`), check('promotions_value', sql`${t.value} >= 0`)],
);

// ---------------------------------------------------------------------------------------------------
// Fans

export const fans = pgTable(
  'fans',
  {
    id: id(),
    orgId: orgId(),
    personaId: personaRef(),
    channelId: uuid('channel_id').references(() => channels.id, { onDelete: 'set null' }),
    platform: text('platform').notNull(),
    /** The platform's id of the fan's account; replaced by a random token on erase. */
    platformFanId: text('platform_fan_id').notNull(),
    handle: text('handle'),
    displayName: text('display_name'),
    firstSeenAt: timestamp('first_seen_at', { withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
    subscription: text('subscription', { enum: ['none', 'trial', 'active', 'expired', 'cancelled'] }).notNull().default('none'),
    subscriptionEndsAt: timestamp('subscription_ends_at', { withTimezone: true }),
    tags: text('tags').array().notNull().default(sql`'{}'::text[]`),
    notes: text('notes').notNull().default(''),
    language: text('language'),
    /** e.g. stated_under_18 (set by chat safety), blocked, vip. */
    flags: text('flags').array().notNull().default(sql`'{}'::text[]`),
    /** Lifetime net spend in the org's reporting currency, kept by the ledger. */
    totalSpendMinor: minor('total_spend_minor').notNull().default(0),
    lastPurchaseAt: timestamp('last_purchase_at', { withTimezone: true }),
    erasedAt: timestamp('erased_at', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('fans_platform_key').on(t.personaId, t.platform, t.platformFanId), index('fans_persona_seen_idx').on(t.personaId, t.lastSeenAt)],
);

// ---------------------------------------------------------------------------------------------------
// Ledger

export const transactionKinds = ['subscription', 'renewal', 'tip', 'ppv', 'pack', 'refund', 'chargeback'] as const;
export type TransactionKind = (typeof transactionKinds)[number];

/** One money movement. Refunds and chargebacks are negative. `(source, source_id)` makes imports idempotent. */
export const transactions = pgTable(
  'transactions',
  {
    id: id(),
    orgId: orgId(),
    personaId: personaRef(),
    fanId: uuid('fan_id').references(() => fans.id, { onDelete: 'set null' }),
    channelId: uuid('channel_id').references(() => channels.id, { onDelete: 'set null' }),
    platform: text('platform').notNull(),
    kind: text('kind', { enum: transactionKinds }).notNull(),
    grossMinor: minor('gross_minor').notNull(),
    feeMinor: minor('fee_minor').notNull().default(0),
    netMinor: minor('net_minor').notNull(),
    currency: currency(),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull(),
    /** fanvue_api | csv:<platform> | manual */
    source: text('source').notNull(),
    sourceId: text('source_id').notNull(),
    importId: uuid('import_id'),
    packId: uuid('pack_id').references(() => packs.id, { onDelete: 'set null' }),
    campaignId: uuid('campaign_id'),
    description: text('description').notNull().default(''),
    /** The platform's record as received, minus personal data after an erase. */
    raw: jsonb('raw').notNull().default({}),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('transactions_source_key').on(t.orgId, t.source, t.sourceId),
    index('transactions_persona_time_idx').on(t.personaId, t.occurredAt),
    index('transactions_fan_idx').on(t.fanId),
  ],
);

/** One CSV statement or API sync run: what came in, and why a file was refused (line-numbered errors). */
export const ledgerImports = pgTable('ledger_imports', {
  id: id(),
  orgId: orgId(),
  personaId: uuid('persona_id').references(() => personas.id, { onDelete: 'cascade' }),
  source: text('source').notNull(),
  filename: text('filename'),
  status: text('status', { enum: ['imported', 'rejected', 'running', 'failed'] }).notNull(),
  rows: integer('rows').notNull().default(0),
  added: integer('added').notNull().default(0),
  updated: integer('updated').notNull().default(0),
  errors: jsonb('errors').notNull().default([]),
  createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
  createdAt: createdAt(),
});

/** Units of `currency` per one unit of the org's reporting currency, per day. */
export const exchangeRates = pgTable(
  'exchange_rates',
  {
    orgId: orgId(),
    day: date('day').notNull(),
    currency: text('currency').notNull(),
    rate: numeric('rate', { precision: 18, scale: 8 }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.currency, t.day] })],
);

// ---------------------------------------------------------------------------------------------------
// PPV

export const ppvCampaigns = pgTable(
  'ppv_campaigns',
  {
    id: id(),
    orgId: orgId(),
    personaId: personaRef(),
    channelId: uuid('channel_id')
      .notNull()
      .references(() => channels.id, { onDelete: 'cascade' }),
    segmentId: uuid('segment_id').references(() => segments.id, { onDelete: 'set null' }),
    packId: uuid('pack_id').references(() => packs.id, { onDelete: 'set null' }),
    assetIds: uuid('asset_ids').array().notNull().default(sql`'{}'::uuid[]`),
    message: text('message').notNull(),
    priceMinor: minor('price_minor').notNull(),
    currency: currency(),
    scheduledAt: timestamp('scheduled_at', { withTimezone: true }),
    status: text('status', { enum: ['draft', 'scheduled', 'sending', 'sent', 'failed', 'cancelled'] }).notNull().default('draft'),
    recipients: integer('recipients').notNull().default(0),
    sent: integer('sent').notNull().default(0),
    purchases: integer('purchases').notNull().default(0),
    revenueMinor: minor('revenue_minor').notNull().default(0),
    error: jsonb('error'),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('ppv_campaigns_persona_idx').on(t.personaId, t.scheduledAt), check('ppv_price_positive', sql`${t.priceMinor} >= 0`)],
);

/** Per-fan delivery of a campaign: the primary key makes a resend after a crash skip fans already sent to. */
export const ppvRecipients = pgTable(
  'ppv_recipients',
  {
    orgId: orgId(),
    campaignId: uuid('campaign_id')
      .notNull()
      .references(() => ppvCampaigns.id, { onDelete: 'cascade' }),
    fanId: uuid('fan_id')
      .notNull()
      .references(() => fans.id, { onDelete: 'cascade' }),
    status: text('status', { enum: ['pending', 'sent', 'failed', 'purchased'] }).notNull().default('pending'),
    remoteMessageId: text('remote_message_id'),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    error: text('error'),
  },
  (t) => [primaryKey({ columns: [t.campaignId, t.fanId] })],
);

// ---------------------------------------------------------------------------------------------------
// Agency billing

/** Who a persona is billed to, and the agency's share of its net revenue. */
export const billingProfiles = pgTable('billing_profiles', {
  personaId: uuid('persona_id')
    .primaryKey()
    .references(() => personas.id, { onDelete: 'cascade' }),
  orgId: orgId(),
  clientName: text('client_name').notNull(),
  clientEmail: text('client_email'),
  /** Agency share of net revenue, in basis points (3000 = 30 %). */
  revenueShareBps: integer('revenue_share_bps').notNull().default(0),
  /** Fixed monthly infrastructure share charged to this persona, in the reporting currency. */
  infrastructureMinor: minor('infrastructure_minor').notNull().default(0),
  updatedAt: updatedAt(),
});

/** Costs per persona: GPU/API spend recorded by the studio, infrastructure share, manual lines. */
export const costLines = pgTable(
  'cost_lines',
  {
    id: id(),
    orgId: orgId(),
    personaId: uuid('persona_id').references(() => personas.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: ['gpu', 'api', 'infrastructure', 'platform', 'manual'] }).notNull(),
    description: text('description').notNull(),
    amountMinor: minor('amount_minor').notNull(),
    currency: currency(),
    occurredOn: date('occurred_on').notNull(),
    /** studio | publishing | manual; with source_id, recording the same spend twice is a no-op. */
    source: text('source').notNull().default('manual'),
    sourceId: text('source_id'),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (t) => [index('cost_lines_persona_idx').on(t.personaId, t.occurredOn), uniqueIndex('cost_lines_source_key').on(t.orgId, t.source, t.sourceId)],
);

/** A monthly statement, frozen when generated: figures in `totals`, documents in storage. */
export const statements = pgTable(
  'statements',
  {
    id: id(),
    orgId: orgId(),
    /** null: the whole organization (the agency's own view). */
    personaId: uuid('persona_id').references(() => personas.id, { onDelete: 'cascade' }),
    month: date('month').notNull(),
    currency: text('currency').notNull(),
    totals: jsonb('totals').notNull(),
    htmlKey: text('html_key'),
    pdfKey: text('pdf_key'),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (t) => [index('statements_month_idx').on(t.orgId, t.month)],
);
