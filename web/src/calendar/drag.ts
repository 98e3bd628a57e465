import { useState, type DragEvent } from 'react';
import { zoned } from './dates';
import { canReschedule, type Post } from './types';

const TYPE = 'application/x-atelier-post';
/** The tray of unscheduled posts drags with the same payload, so any day or slot takes its posts too. */
export const POST_DRAG_TYPE = TYPE;

interface Dragged {
  postId: string;
  date: string;
  time: string;
}

export interface DragMove {
  /** Props for a post chip: draggable when the post can still move. */
  source(post: Post): { draggable: boolean; onDragStart?: (e: DragEvent) => void; onDragEnd?: () => void };
  /** Props for a drop zone: a day (the post keeps its time) or a free slot (it takes the slot's time). */
  target(date: string, time?: string): { onDragOver: (e: DragEvent) => void; onDragLeave: () => void; onDrop: (e: DragEvent) => void; 'data-drop': 'over' | 'ready' | undefined };
}

/**
 * Drag and drop with the HTML5 API. The dragged post is also kept in state, since `dataTransfer` can
 * only be read on drop; the Move to… dialog does the same for keyboard and screen-reader users.
 */
export function useDragMove({ timezone, enabled, onMove }: { timezone: string; enabled: boolean; onMove: (postId: string, localDate: string, localTime: string) => void }): DragMove {
  const [dragged, setDragged] = useState<Dragged | null>(null);
  const [over, setOver] = useState<string | null>(null);

  const read = (e: DragEvent): Dragged | null => {
    if (dragged) return dragged;
    try {
      return JSON.parse(e.dataTransfer.getData(TYPE)) as Dragged;
    } catch {
      return null;
    }
  };

  return {
    source(post) {
      if (!enabled || !post.scheduledAt || !canReschedule(post)) return { draggable: false };
      const local = zoned(post.scheduledAt, timezone);
      return {
        draggable: true,
        onDragStart: (e) => {
          const payload = { postId: post.id, ...local };
          e.dataTransfer.effectAllowed = 'move';
          e.dataTransfer.setData(TYPE, JSON.stringify(payload));
          e.dataTransfer.setData('text/plain', post.id);
          setDragged(payload);
        },
        onDragEnd: () => {
          setDragged(null);
          setOver(null);
        },
      };
    },
    target(date, time) {
      const id = `${date}|${time ?? ''}`;
      return {
        'data-drop': dragged ? (over === id ? 'over' : 'ready') : undefined,
        onDragOver: (e) => {
          if (!dragged && !e.dataTransfer.types.includes(TYPE)) return;
          // A slot inside a day: the innermost zone wins.
          e.preventDefault();
          e.stopPropagation();
          e.dataTransfer.dropEffect = 'move';
          if (over !== id) setOver(id);
        },
        onDragLeave: () => setOver((current) => (current === id ? null : current)),
        onDrop: (e) => {
          e.preventDefault();
          e.stopPropagation();
          const payload = read(e);
          setDragged(null);
          setOver(null);
          if (!payload) return;
          const localTime = time ?? payload.time;
          if (payload.date === date && payload.time === localTime) return;
          onMove(payload.postId, date, localTime);
        },
      };
    },
  };
}
