import type { DragMove } from './drag';
import type { CalendarFormat } from './format';
import type { CalendarDay, Channel, FreeSlot, Post } from './types';

export type DayItem = { kind: 'post'; post: Post; at: string } | { kind: 'slot'; slot: FreeSlot; at: string };

/** A day's posts and its free slots still ahead, in time order. */
export function dayItems(day: CalendarDay, now = new Date().toISOString()): DayItem[] {
  const posts: DayItem[] = day.posts.map((post) => ({ kind: 'post', post, at: post.scheduledAt ?? '' }));
  const slots: DayItem[] = day.freeSlots.filter((slot) => slot.at > now).map((slot) => ({ kind: 'slot', slot, at: slot.at }));
  return [...posts, ...slots].sort((a, b) => a.at.localeCompare(b.at));
}

export interface ViewProps {
  days: CalendarDay[];
  today: string;
  format: CalendarFormat;
  channels: Map<string, Channel>;
  drag: DragMove;
  onOpen: (postId: string) => void;
  /** Null for members who may not write posts. */
  onNew: ((date: string, slot: FreeSlot) => void) | null;
  onMoveTo: ((post: Post) => void) | null;
}
