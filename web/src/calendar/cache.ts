import { useSyncExternalStore } from 'react';
import type { QueryClient } from '@tanstack/react-query';

/**
 * Publishing events reaching the cache: a target moved (publishing, published, failed…) and a channel
 * whose credentials stopped working. Keys are those of ./queries.ts: ['org', orgId, 'calendar', …].
 */
interface CalendarEvent {
  type: string;
  orgId: string;
  data: unknown;
}

export interface ReconnectAlert {
  orgId: string;
  channelId: string;
  handle: string;
  message: string;
}

let alerts: ReconnectAlert[] = [];
const listeners = new Set<() => void>();
function emit() {
  for (const listener of listeners) listener();
}
function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Reconnect alerts received while the dashboard is open (the channel list says which are still broken). */
export function useReconnectAlerts(orgId: string): ReconnectAlert[] {
  const all = useSyncExternalStore(subscribe, () => alerts);
  return all.filter((a) => a.orgId === orgId);
}

export function applyCalendarEvent(qc: QueryClient, orgId: string, event: CalendarEvent) {
  if (event.orgId !== orgId) return;
  switch (event.type) {
    case 'post.target_updated': {
      const { postId } = event.data as { postId: string };
      void qc.invalidateQueries({ queryKey: ['org', orgId, 'calendar'] });
      void qc.invalidateQueries({ queryKey: ['org', orgId, 'post', postId] });
      break;
    }
    case 'alert.channel_reconnect': {
      const data = event.data as Omit<ReconnectAlert, 'orgId'>;
      alerts = [...alerts.filter((a) => a.channelId !== data.channelId), { orgId, channelId: data.channelId, handle: data.handle, message: data.message }];
      emit();
      void qc.invalidateQueries({ queryKey: ['org', orgId, 'channels'] });
      void qc.invalidateQueries({ queryKey: ['org', orgId, 'calendar'] });
      break;
    }
    default:
      break;
  }
}

/** After a gap in the stream, publishing may have moved on. */
export function catchUpCalendar(qc: QueryClient, orgId: string) {
  void qc.invalidateQueries({ queryKey: ['org', orgId, 'calendar'] });
  void qc.invalidateQueries({ queryKey: ['org', orgId, 'post'] });
  void qc.invalidateQueries({ queryKey: ['org', orgId, 'channels'] });
}
