import type { QueryClient } from '@tanstack/react-query';
import type { LiveEvent } from '../studio/cache';
import { ANALYTICS } from './queries';

/** Live alert changes the server announces; the alert lists (and the open count on the tab) refetch. */
export const ANALYTICS_EVENTS = ['alert.opened', 'alert.resolved'] as const;

export function applyAnalyticsEvent(qc: QueryClient, orgId: string, event: LiveEvent) {
  if (event.orgId !== orgId || !(ANALYTICS_EVENTS as readonly string[]).includes(event.type)) return;
  void qc.invalidateQueries({ queryKey: ['org', orgId, ANALYTICS, 'alerts'] });
}

/** After the stream was down: whatever changed meanwhile is read again. */
export function catchUpAnalytics(qc: QueryClient, orgId: string) {
  void qc.invalidateQueries({ queryKey: ['org', orgId, ANALYTICS, 'alerts'] });
}
