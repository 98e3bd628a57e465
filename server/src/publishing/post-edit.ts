/**
 * Editing a post's set of channels: which existing target each wanted entry keeps, which are new and
 * which go. A target that was sent, is being sent or may have been sent (published, publishing,
 * needs_review) is never removed, and only rewritten when a republish is asked for explicitly.
 */
import type { TargetInput } from './calendar.service.ts';

interface ExistingTarget {
  id: string;
  channelId: string;
  variant: string;
  text: string;
  options: Record<string, unknown>;
  status: string;
}

export const isUnsent = (status: string) => status === 'draft' || status === 'scheduled' || status === 'failed';

export interface TargetEdit {
  existing: ExistingTarget | null;
  input: TargetInput;
}

export function matchTargets(
  current: ExistingTarget[],
  wanted: TargetInput[] | undefined,
  opts: { captionChanged: boolean; republish: boolean },
): { writable: TargetEdit[]; removed: ExistingTarget[] } {
  // Without a new caption, a kept target keeps its own text (it may have been written for that channel).
  const keepText = (t: ExistingTarget, input: TargetInput): TargetInput => ({ ...input, text: input.text ?? (opts.captionChanged ? undefined : t.text) });
  const writableStatus = (t: ExistingTarget) => isUnsent(t.status) || (opts.republish && t.status === 'published');
  if (!wanted) {
    const writable = current.filter(writableStatus).map((t) => ({ existing: t, input: keepText(t, { channelId: t.channelId, variant: t.variant, options: t.options }) }));
    return { writable, removed: [] };
  }
  const pool = current.filter((t) => t.status !== 'cancelled');
  const take = (pred: (t: ExistingTarget) => boolean) => {
    const i = pool.findIndex(pred);
    return i >= 0 ? pool.splice(i, 1)[0]! : null;
  };
  const edits: TargetEdit[] = wanted.map((input) => {
    const existing = (input.id ? take((t) => t.id === input.id) : null) ?? take((t) => t.channelId === input.channelId);
    if (!existing) return { existing: null, input: { ...input, id: undefined } };
    return { existing, input: keepText(existing, { variant: existing.variant, options: existing.options, ...input, channelId: existing.channelId }) };
  });
  return {
    writable: edits.filter((e) => !e.existing || writableStatus(e.existing)),
    removed: pool.filter((t) => isUnsent(t.status)),
  };
}
