/**
 * Character Card V2/V3 (see /work/shared/reference/PROTOCOLS.md, "Character cards"): one normal form kept in
 * chat_profiles (the card's `data` without its book, and the book apart), read from V1/V2/V3 JSON, written
 * back as V2 or V3. Unknown `extensions` keys and V3-only fields survive a round trip untouched.
 */
import { z } from 'zod';

const text = (max: number) => z.string().max(max).default('');
const extensions = z.record(z.string(), z.unknown()).default({});

export const lorebookEntrySchema = z.object({
  keys: z.array(z.string().max(200)).max(100).default([]),
  content: z.string().max(20_000),
  enabled: z.boolean().default(true),
  insertion_order: z.number().int().default(0),
  case_sensitive: z.boolean().optional(),
  use_regex: z.boolean().optional(),
  constant: z.boolean().optional(),
  name: z.string().max(200).optional(),
  comment: z.string().max(2000).optional(),
  priority: z.number().optional(),
  id: z.union([z.number(), z.string().max(100)]).optional(),
  selective: z.boolean().optional(),
  secondary_keys: z.array(z.string().max(200)).max(100).optional(),
  position: z.enum(['before_char', 'after_char']).optional(),
  extensions,
});

export const lorebookSchema = z.object({
  name: z.string().max(200).optional(),
  description: z.string().max(2000).optional(),
  scan_depth: z.number().int().min(0).max(1000).optional(),
  token_budget: z.number().int().min(0).max(100_000).optional(),
  recursive_scanning: z.boolean().optional(),
  extensions,
  entries: z.array(lorebookEntrySchema).max(2000).default([]),
});

export const cardDataSchema = z.object({
  name: z.string().max(200).default(''),
  nickname: z.string().max(200).optional(),
  description: text(50_000),
  personality: text(20_000),
  scenario: text(20_000),
  first_mes: text(20_000),
  mes_example: text(50_000),
  creator_notes: text(20_000),
  system_prompt: text(50_000),
  post_history_instructions: text(20_000),
  alternate_greetings: z.array(z.string().max(20_000)).max(100).default([]),
  group_only_greetings: z.array(z.string().max(20_000)).max(100).default([]),
  tags: z.array(z.string().max(100)).max(200).default([]),
  creator: text(200),
  character_version: text(100),
  extensions,
  // V3 fields kept as they came (they matter to other tools, not to the chat engine).
  assets: z.array(z.record(z.string(), z.unknown())).max(200).optional(),
  creator_notes_multilingual: z.record(z.string(), z.string().max(20_000)).optional(),
  source: z.array(z.string().max(2000)).max(50).optional(),
  creation_date: z.number().optional(),
  modification_date: z.number().optional(),
});

export type CardData = z.infer<typeof cardDataSchema>;
export type Lorebook = z.infer<typeof lorebookSchema>;
export type LorebookEntry = z.infer<typeof lorebookEntrySchema>;

export class CardFormatError extends Error {
  override readonly name = 'CardFormatError';
}

const str = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);
const strings = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined);
const obj = (v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);

/** Reads a card of any version (V1 flat, V2, V3) into the normal form; throws CardFormatError when it is none. */
export function parseCard(input: unknown): { card: CardData; lorebook: Lorebook; spec: 'v1' | 'v2' | 'v3' } {
  const root = obj(input);
  if (!root) throw new CardFormatError('A character card is a JSON object');
  const spec = root.spec === 'chara_card_v3' ? 'v3' : root.spec === 'chara_card_v2' ? 'v2' : 'v1';
  const data = spec === 'v1' ? root : obj(root.data);
  if (!data) throw new CardFormatError(`A ${root.spec} card needs a "data" object`);
  if (str(data.name) === undefined && str(data.description) === undefined && str(data.first_mes) === undefined) {
    throw new CardFormatError('Not a character card: no name, description or first message');
  }
  const raw = {
    name: str(data.name),
    nickname: str(data.nickname),
    description: str(data.description),
    personality: str(data.personality),
    scenario: str(data.scenario),
    first_mes: str(data.first_mes),
    mes_example: str(data.mes_example),
    creator_notes: str(data.creator_notes) ?? str((data as { creatorcomment?: unknown }).creatorcomment),
    system_prompt: str(data.system_prompt),
    post_history_instructions: str(data.post_history_instructions),
    alternate_greetings: strings(data.alternate_greetings),
    group_only_greetings: strings(data.group_only_greetings),
    tags: strings(data.tags),
    creator: str(data.creator),
    character_version: str(data.character_version),
    extensions: obj(data.extensions),
    assets: Array.isArray(data.assets) ? data.assets.filter((a) => obj(a)) : undefined,
    creator_notes_multilingual: obj(data.creator_notes_multilingual),
    source: strings(data.source),
    creation_date: typeof data.creation_date === 'number' ? data.creation_date : undefined,
    modification_date: typeof data.modification_date === 'number' ? data.modification_date : undefined,
  };
  const card = cardDataSchema.safeParse(Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined)));
  if (!card.success) throw new CardFormatError(`Invalid character card: ${card.error.issues[0]?.path.join('.')} ${card.error.issues[0]?.message}`);
  return { card: card.data, lorebook: parseLorebook(data.character_book), spec };
}

function parseLorebook(input: unknown): Lorebook {
  const book = obj(input);
  if (!book) return { extensions: {}, entries: [] };
  const entries = (Array.isArray(book.entries) ? book.entries : [])
    .map((e) => obj(e))
    .filter((e): e is Record<string, unknown> => !!e && typeof e.content === 'string')
    .map((e) => ({ ...e, keys: strings(e.keys) ?? [], secondary_keys: strings(e.secondary_keys), extensions: obj(e.extensions) ?? {} }));
  const parsed = lorebookSchema.safeParse({ ...book, entries, extensions: obj(book.extensions) ?? {} });
  if (!parsed.success) throw new CardFormatError(`Invalid lorebook: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

/** The card as V2 or V3 JSON, its lorebook as `character_book`. */
export function exportCard(card: CardData, lorebook: Lorebook, spec: 'v2' | 'v3'): Record<string, unknown> {
  const { assets, creator_notes_multilingual, source, creation_date, modification_date, nickname, group_only_greetings, ...common } = card;
  const book = lorebook.entries.length || lorebook.name ? { character_book: spec === 'v2' ? { ...lorebook, entries: lorebook.entries.map(({ use_regex: _r, ...e }) => e) } : lorebook } : {};
  if (spec === 'v2') {
    return { spec: 'chara_card_v2', spec_version: '2.0', data: { ...common, ...book } };
  }
  return {
    spec: 'chara_card_v3',
    spec_version: '3.0',
    data: {
      ...common,
      group_only_greetings,
      ...(nickname !== undefined ? { nickname } : {}),
      ...(assets !== undefined ? { assets } : {}),
      ...(creator_notes_multilingual !== undefined ? { creator_notes_multilingual } : {}),
      ...(source !== undefined ? { source } : {}),
      ...(creation_date !== undefined ? { creation_date } : {}),
      modification_date: Math.floor(Date.now() / 1000),
      ...book,
    },
  };
}

/** `{{char}}`/`{{user}}` (any case, spaces allowed) replaced by the persona's and the fan's names. */
export function fillPlaceholders(text: string, names: { char: string; user: string }): string {
  return text.replace(/\{\{\s*(char|user)\s*\}\}|<(BOT|USER)>/gi, (_m, a: string | undefined, b: string | undefined) =>
    (a ?? b ?? '').toLowerCase() === 'user' ? names.user : names.char,
  );
}

/** `mes_example` split into its `<START>` blocks. */
export function exampleBlocks(mesExample: string): string[] {
  return mesExample
    .split(/<START>/i)
    .map((b) => b.trim())
    .filter(Boolean);
}
