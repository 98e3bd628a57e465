/**
 * When X's automation rules let the persona answer by herself: only someone who engaged first (a reply
 * to her, or a post naming her), at most one automatic reply per person and conversation, never the
 * same person twice within 24 hours, only what arrived after the switch was turned on, and never to
 * someone asking to be left alone. AI-written replies additionally need X's approval, recorded by the
 * owner (the switch cannot be on without it). No likes, follows, reposts or first messages, ever.
 */
import type { Tx } from '../../platform/db/database.ts';
import { foldForMatch } from '../../generation/captions/human-claims.ts';
import * as repo from './engagement.repository.ts';

export interface AutoReplySettings {
  enabled: boolean;
  /** When it was last turned on: older items are a person's to answer. */
  enabledAt?: string;
  approval?: { recordedAt: string; recordedBy: string; reference: string };
}

export const AUTO_REPLY_WINDOW_MS = 24 * 3600_000;

/** "Stop", "leave me alone", "arrête"…: an opt-out is honoured by silence. */
const OPT_OUT = /\b(?:stop|unsubscribe|opt[- ]?out|leave\s+me\s+alone|don'?t\s+(?:reply|answer|message)|arrete[sz]?|stoppe|laisse[sz]?[- ]moi|para|dejame|hor\s+auf|lass\s+mich)\b/;

export function addressedTo(row: Pick<repo.EngagementRow, 'kind' | 'text'>, handle: string): boolean {
  if (row.kind === 'reply') return true;
  const name = handle.replace(/^@/, '').toLowerCase();
  return !!name && new RegExp(`(^|[^\\w])@${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?!\\w)`, 'i').test(row.text);
}

export async function autoReplyAllowed(tx: Tx, row: repo.EngagementRow, handle: string, s: AutoReplySettings, now: Date): Promise<{ ok: true } | { ok: false; reason: string }> {
  if (!s.enabled || !s.approval) return { ok: false, reason: 'off' };
  if (row.status !== 'new') return { ok: false, reason: 'handled' };
  if (!row.authorRemoteId) return { ok: false, reason: 'unknown_author' };
  if (!addressedTo(row, handle)) return { ok: false, reason: 'not_addressed' };
  if (s.enabledAt && row.receivedAt < new Date(s.enabledAt)) return { ok: false, reason: 'before_enabled' };
  if (now.getTime() - row.receivedAt.getTime() > AUTO_REPLY_WINDOW_MS) return { ok: false, reason: 'too_old' };
  if (OPT_OUT.test(foldForMatch(row.text))) return { ok: false, reason: 'opt_out' };
  const already = await repo.automaticRepliesTo(tx, row.channelId, row.authorRemoteId, { targetId: row.targetId, parentRemoteId: row.parentRemoteId }, new Date(now.getTime() - AUTO_REPLY_WINDOW_MS));
  if (already) return { ok: false, reason: 'already_answered' };
  return { ok: true };
}
