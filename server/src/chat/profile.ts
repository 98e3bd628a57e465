/** The persona's chat settings beyond her card: model parameters and selling limits, with their defaults. */
import { z } from 'zod';

const pacingShape = {
  enabled: z.boolean().default(true),
  msPerChar: z.number().int().min(0).max(500).default(30),
  maxMs: z.number().int().min(0).max(60_000).default(6000),
};
const pacingDefault = { enabled: true, msPerChar: 30, maxMs: 6000 };

const paramsShape = {
  temperature: z.number().min(0).max(2).optional(),
  /** Longest reply, in tokens. */
  maxTokens: z.number().int().min(16).max(4096).default(320),
  /** The whole prompt (system, knowledge, history) stays within this many tokens. */
  contextTokens: z.number().int().min(512).max(200_000).default(4096),
  /** Overrides the provider's embedding model; none anywhere = lexical memory search. */
  embeddingModel: z.string().max(200).optional(),
  /** Extract facts to remember every N fan messages (0 = never). */
  memoryEvery: z.number().int().min(0).max(200).default(8),
  /** Summarise older messages once this many are outside the recent window (0 = never). */
  summaryAfter: z.number().int().min(0).max(2000).default(40),
  /** Messages kept verbatim at most (the token budget may keep fewer). */
  recentWindow: z.number().int().min(2).max(400).default(30),
};

/** Stored parameters (and what the API answers): keys it does not know are dropped, never fatal to a reply. */
export const chatParamsSchema = z.object({
  ...paramsShape,
  /** Human-like pacing: a typing pause proportional to the reply length, where the platform shows typing. */
  pacing: z.object(pacingShape).default(pacingDefault),
});
export type ChatParams = z.infer<typeof chatParamsSchema>;

/** What an operator sends: an unknown key is a typo ({ maxToken: 5 }) and refused with its name, not dropped. */
export const chatParamsInputSchema = z.strictObject({
  ...paramsShape,
  pacing: z.strictObject(pacingShape).default(pacingDefault),
});

const sellingShape = {
  enabled: z.boolean().default(true),
  /** Offers to one fan per rolling 24 hours. */
  maxOffersPerDay: z.number().int().min(0).max(50).default(2),
  /** Fan messages between two offers in one conversation. */
  minMessagesBetweenOffers: z.number().int().min(0).max(1000).default(6),
  /** How the prompt frames selling: mention only when asked, suggest when it fits, or suggest readily. */
  pushiness: z.enum(['subtle', 'balanced', 'eager']).default('subtle'),
};
export const sellingSchema = z.object(sellingShape);
export type Selling = z.infer<typeof sellingSchema>;
/** What an operator sends: strict, like chatParamsInputSchema. */
export const sellingInputSchema = z.strictObject(sellingShape);

export const parseParams = (v: unknown): ChatParams => chatParamsSchema.parse(v ?? {});
export const parseSelling = (v: unknown): Selling => sellingSchema.parse(v ?? {});

/** Rough token count (about four characters per token) — enough to keep a prompt inside its budget. */
export const estimateTokens = (text: string) => Math.ceil(text.length / 4) + 1;
