import type { ChatProfile, ChatProfileInput } from '../queries';

/** What the editor changes: the profile without its identity and timestamp. */
export type Draft = Omit<ChatProfile, 'personaId' | 'updatedAt'>;
export type Card = Draft['card'];
export type LoreEntry = Draft['lorebook']['entries'][number];
export type Params = Draft['params'];
export type Selling = Draft['selling'];

export interface SectionProps {
  draft: Draft;
  set: (patch: Partial<Draft>) => void;
  errors: Record<string, string>;
  readOnly: boolean;
}

export function toDraft(p: ChatProfile): Draft {
  const { personaId: _p, updatedAt: _u, ...draft } = p;
  return draft;
}

export function toBody(d: Draft): ChatProfileInput {
  return {
    card: d.card,
    lorebook: d.lorebook,
    providerId: d.providerId,
    model: d.model?.trim() || null,
    params: d.params,
    selling: d.selling,
    firstContactNotice: d.firstContactNotice?.trim() || null,
    rateLimitPerMinute: d.rateLimitPerMinute,
  };
}

/** About four characters a token: the same rough count the server budgets the prompt with. */
export const estimateTokens = (text: string) => (text ? Math.ceil(text.length / 4) + 1 : 0);

/** "a, b ,, c" → ["a", "b", "c"] */
export const splitList = (text: string) =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

export const newEntry = (order: number): LoreEntry => ({ keys: [], content: '', enabled: true, insertion_order: order, extensions: {} });
