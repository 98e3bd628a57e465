import { useEffect, useSyncExternalStore } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { getSession, useSession } from '../api/session';
import { applyLiveEvent, catchUp, type LiveEvent } from '../studio/cache';
import { applyCalendarEvent, catchUpCalendar } from '../calendar/cache';
import { ANALYTICS_EVENTS, applyAnalyticsEvent, catchUpAnalytics } from '../analytics/live';

/**
 * One event stream for the whole dashboard. EventSource cannot send headers, so the access token
 * goes in the query; the stream is reopened whenever the session renews its token. While it is down,
 * `useLiveStatus()` says so and the lists that depend on it poll instead.
 */
export type LiveStatus = 'connecting' | 'live' | 'down';

let status: LiveStatus = 'down';
const listeners = new Set<() => void>();
function setStatus(next: LiveStatus) {
  if (next === status) return;
  status = next;
  for (const listener of listeners) listener();
}
function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useLiveStatus(): LiveStatus {
  return useSyncExternalStore(subscribe, () => status);
}

const EVENTS = ['generation.progress', 'generation.updated', 'media.updated', 'post.target_updated', 'alert.channel_reconnect', ...ANALYTICS_EVENTS] as const;
const MAX_BACKOFF_MS = 30_000;

export function useLiveEvents() {
  const session = useSession();
  const token = session?.accessToken;
  const orgId = session?.orgId;
  const queryClient = useQueryClient();

  useEffect(() => {
    if (!token || !orgId || typeof EventSource === 'undefined') return;
    let source: EventSource | null = null;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let failures = 0;

    const onEvent = (message: MessageEvent<string>) => {
      try {
        const event = JSON.parse(message.data) as LiveEvent;
        applyLiveEvent(queryClient, orgId, event);
        applyCalendarEvent(queryClient, orgId, event);
        applyAnalyticsEvent(queryClient, orgId, event);
      } catch {
        // A malformed event is dropped; the next list refresh corrects the cache.
      }
    };

    const open = () => {
      const current = getSession()?.accessToken ?? token;
      source = new EventSource(`/api/v1/events?access_token=${encodeURIComponent(current)}`);
      setStatus('connecting');
      source.addEventListener('open', () => {
        failures = 0;
        setStatus('live');
        catchUp(queryClient, orgId);
        catchUpCalendar(queryClient, orgId);
        catchUpAnalytics(queryClient, orgId);
      });
      for (const type of EVENTS) source.addEventListener(type, onEvent);
      source.addEventListener('error', () => {
        setStatus('down');
        // The browser retries a dropped connection by itself; a refused one (expired token) it gives up.
        if (source?.readyState === EventSource.CLOSED) {
          source.close();
          failures += 1;
          retry = setTimeout(open, Math.min(MAX_BACKOFF_MS, 1000 * 2 ** failures));
        }
      });
    };

    open();
    return () => {
      clearTimeout(retry);
      source?.close();
      setStatus('down');
    };
  }, [token, orgId, queryClient]);
}
