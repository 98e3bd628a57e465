import type { ChatMessage } from './queries';

/**
 * What the safety layer saw and did with one message, as notes for the operator (i18n keys under chat.notes and
 * their values). Plain messages give none; only what deserves a look is listed.
 */
export interface Note {
  key: string;
  values?: Record<string, string | number>;
  /** A safety matter (not a delivery detail): shown louder. */
  alert?: boolean;
}

const PROBLEM_KINDS = new Set(['sexual_content', 'prompt_leak', 'off_platform_payment', 'empty', 'unknown_price', 'unknown_pack', 'offer_not_allowed']);
const SKIP_REASONS = new Set(['rate_limited', 'blocked', 'no_adapter', 'operator_holds', 'ended', 'no_model', 'gone']);
const FIXED = new Set(['first_contact_notice', 'self_harm', 'minor_goodbye', 'minor_continue']);

const obj = (v: unknown): Record<string, unknown> | null => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

export interface PaidOffer {
  packId: string | null;
  title: string;
  priceMinor: number;
  currency: string;
  /** How many media the fan unlocks by paying. */
  media: number;
}

/**
 * A pay-to-view message the bot sent after a reply that offered a pack (where the platform sells in chat): the
 * engine records it as `safety.fixed: 'paid_offer'` with `safety.paid`. Messages stored before the title was
 * recorded carry it as their text.
 */
export function paidOffer(m: Pick<ChatMessage, 'text' | 'safety'>): PaidOffer | null {
  const s = obj(m.safety);
  const paid = obj(s?.paid);
  if (s?.fixed !== 'paid_offer' || !paid || typeof paid.priceMinor !== 'number' || typeof paid.currency !== 'string') return null;
  return {
    packId: typeof paid.packId === 'string' ? paid.packId : null,
    title: typeof paid.title === 'string' && paid.title ? paid.title : m.text,
    priceMinor: paid.priceMinor,
    currency: paid.currency,
    media: typeof paid.media === 'number' ? paid.media : 0,
  };
}

export function safetyNotes(m: Pick<ChatMessage, 'direction' | 'state' | 'safety'>): Note[] {
  const s = obj(m.safety) ?? {};
  const notes: Note[] = [];
  if (m.direction === 'in') {
    const screen = obj(s.screen);
    if (screen?.minor) notes.push({ key: 'minor', values: { matched: String(screen.minor) }, alert: true });
    if (screen?.selfHarm === true) notes.push({ key: 'selfHarm', alert: true });
    if (screen?.asksIfAI === true) notes.push({ key: 'asksIfAI' });
    if (screen?.probesInstructions === true) notes.push({ key: 'probesInstructions' });
    if (m.state === 'skipped' && typeof s.skipped === 'string') notes.push({ key: SKIP_REASONS.has(s.skipped) ? `skipped.${s.skipped}` : 'skipped.other' });
    return notes;
  }
  if (typeof s.fixed === 'string' && FIXED.has(s.fixed)) notes.push({ key: `fixed.${s.fixed}`, alert: s.fixed !== 'first_contact_notice' });
  const reply = obj(s.reply);
  if (reply) {
    const kinds = new Set(list(reply.drafts).flatMap((d) => list(d).map((p) => String(obj(p)?.kind ?? ''))));
    for (const kind of kinds) if (PROBLEM_KINDS.has(kind)) notes.push({ key: `caught.${kind}`, alert: true });
    if (list(reply.drafts).length > 1) notes.push({ key: 'regenerated' });
    const removed = list(reply.removed).length;
    if (removed) notes.push({ key: 'removed', values: { count: removed } });
    if (list(reply.removedClaims).length) notes.push({ key: 'removedClaims', alert: true });
    if (reply.disclosureAdded === true) notes.push({ key: 'disclosureAdded' });
    if (reply.fallback === true) notes.push({ key: 'fallback' });
    const offered = list(reply.offered).length;
    if (offered) notes.push({ key: 'offered', values: { count: offered } });
  }
  if (m.state === 'suppressed') notes.push({ key: 'suppressed' });
  if (m.state === 'failed') notes.push({ key: 'failed', values: { error: typeof s.sendError === 'string' ? s.sendError : '' } });
  return notes;
}
