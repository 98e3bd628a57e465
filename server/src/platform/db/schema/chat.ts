import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgTable, real, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { organizations, users } from './tenancy.ts';
import { channels, personas } from './content.ts';
import { providers } from './studio.ts';
import { fans } from './sales.ts';

const id = () => uuid('id').primaryKey().default(sql`gen_random_uuid()`);
const orgId = () => uuid('org_id').notNull().references(() => organizations.id, { onDelete: 'cascade' });
const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
const updatedAt = () => timestamp('updated_at', { withTimezone: true }).notNull().defaultNow();

/**
 * How a persona chats: her character card (V2/V3 fields as imported or edited, unknown extensions kept),
 * its lorebook, the text model and its parameters, selling limits, and the AI notice sent on first contact.
 */
export const chatProfiles = pgTable('chat_profiles', {
  personaId: uuid('persona_id')
    .primaryKey()
    .references(() => personas.id, { onDelete: 'cascade' }),
  orgId: orgId(),
  /** Card data: name, description, personality, scenario, first_mes, mes_example, system_prompt, … */
  card: jsonb('card').notNull().default({}),
  /** Lorebook (character_book) entries: keyword-triggered knowledge. */
  lorebook: jsonb('lorebook').notNull().default({ entries: [] }),
  /** A text provider of the org (generation providers); null = none configured, the bot stays silent. */
  providerId: uuid('provider_id').references(() => providers.id, { onDelete: 'set null' }),
  /** Overrides the provider's model when set. */
  model: text('model'),
  /** temperature, maxTokens, contextTokens, embeddingModel, memoryEvery, pacing… (validated by chat/profile.ts). */
  params: jsonb('params').notNull().default({}),
  /** enabled, maxOffersPerDay, minMessagesBetweenOffers, pushiness. */
  selling: jsonb('selling').notNull().default({}),
  /** Sent once per conversation on channels whose audience did not sign up to an AI persona (Telegram, Discord). */
  firstContactNotice: text('first_contact_notice'),
  /** Fan messages per minute answered; more are stored and not answered. */
  rateLimitPerMinute: integer('rate_limit_per_minute').notNull().default(12),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

/** One conversation per fan and channel. */
export const chatConversations = pgTable(
  'chat_conversations',
  {
    id: id(),
    orgId: orgId(),
    personaId: uuid('persona_id')
      .notNull()
      .references(() => personas.id, { onDelete: 'cascade' }),
    channelId: uuid('channel_id')
      .notNull()
      .references(() => channels.id, { onDelete: 'cascade' }),
    fanId: uuid('fan_id')
      .notNull()
      .references(() => fans.id, { onDelete: 'cascade' }),
    /** Where replies go on the platform (Telegram chat id, Discord channel id, Fanvue fan uuid). */
    remoteChatId: text('remote_chat_id').notNull(),
    /** bot: the bot answers; operator: a person holds it, the bot sends nothing; ended: nobody answers automatically. */
    status: text('status', { enum: ['bot', 'operator', 'ended'] }).notNull().default('bot'),
    operatorUserId: uuid('operator_user_id').references(() => users.id, { onDelete: 'set null' }),
    /** Rolling summary of the messages older than `summarizedThrough`. */
    summary: text('summary').notNull().default(''),
    summarizedThrough: integer('summarized_through').notNull().default(0),
    /** The fan's language (ISO 639-1), detected from their messages. */
    language: text('language'),
    lastActivityAt: timestamp('last_activity_at', { withTimezone: true }).notNull().defaultNow(),
    /** Per-conversation message sequence: the row lock taken to bump it orders messages by commit. */
    lastSeq: integer('last_seq').notNull().default(0),
    fanMessages: integer('fan_messages').notNull().default(0),
    botMessages: integer('bot_messages').notNull().default(0),
    offersMade: integer('offers_made').notNull().default(0),
    lastOfferSeq: integer('last_offer_seq').notNull().default(0),
    lastOfferAt: timestamp('last_offer_at', { withTimezone: true }),
    memorizedThrough: integer('memorized_through').notNull().default(0),
    noticeSentAt: timestamp('notice_sent_at', { withTimezone: true }),
    /** Who processes the conversation now (see chat/engine/lease.ts): one worker at a time, across processes. */
    leaseToken: uuid('lease_token'),
    leaseUntil: timestamp('lease_until', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('chat_conversations_channel_fan_key').on(t.channelId, t.fanId),
    index('chat_conversations_persona_idx').on(t.personaId, t.lastActivityAt),
    index('chat_conversations_fan_idx').on(t.fanId),
  ],
);

/** Every message in and out, kept for the inbox and the audit; the safety verdict says what the guards did. */
export const chatMessages = pgTable(
  'chat_messages',
  {
    id: id(),
    orgId: orgId(),
    conversationId: uuid('conversation_id')
      .notNull()
      .references(() => chatConversations.id, { onDelete: 'cascade' }),
    channelId: uuid('channel_id')
      .notNull()
      .references(() => channels.id, { onDelete: 'cascade' }),
    seq: integer('seq').notNull(),
    direction: text('direction', { enum: ['in', 'out'] }).notNull(),
    author: text('author', { enum: ['bot', 'operator', 'fan', 'system'] }).notNull(),
    authorUserId: uuid('author_user_id').references(() => users.id, { onDelete: 'set null' }),
    text: text('text').notNull(),
    /** The platform's id of the message (inbound: dedups redeliveries; outbound: what the platform answered). */
    remoteId: text('remote_id'),
    /**
     * in: pending → handled | skipped (rate limit, block, operator holds); out: sent | failed | suppressed.
     */
    state: text('state', { enum: ['pending', 'handled', 'skipped', 'sent', 'failed', 'suppressed'] }).notNull(),
    /** The inbound message a reply answers. */
    replyTo: uuid('reply_to'),
    safety: jsonb('safety'),
    createdAt: createdAt(),
    handledAt: timestamp('handled_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('chat_messages_conversation_seq_key').on(t.conversationId, t.seq),
    uniqueIndex('chat_messages_remote_key').on(t.channelId, t.direction, t.remoteId),
    index('chat_messages_pending_idx').on(t.conversationId).where(sql`${t.state} = 'pending'`),
  ],
);

/** Facts the model extracted about a fan, with embeddings from the configured embedding model when there is one. */
export const chatMemories = pgTable(
  'chat_memories',
  {
    id: id(),
    orgId: orgId(),
    fanId: uuid('fan_id')
      .notNull()
      .references(() => fans.id, { onDelete: 'cascade' }),
    conversationId: uuid('conversation_id').references(() => chatConversations.id, { onDelete: 'cascade' }),
    fact: text('fact').notNull(),
    embedding: real('embedding').array(),
    embeddingModel: text('embedding_model'),
    createdAt: createdAt(),
  },
  (t) => [index('chat_memories_fan_idx').on(t.fanId)],
);
