import { useEffect } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { getSession, useSession } from '../../api/session';

const EVENTS = ['engagement.new', 'engagement.updated'] as const;

/**
 * Refreshes the inbox when something arrives or changes. The dashboard-wide stream (app/live.ts) does
 * not carry these events yet, so the open inbox listens on a stream of its own; the browser reconnects
 * it by itself, and the lists poll while it is down.
 */
export function useEngagementEvents() {
  const session = useSession();
  const token = session?.accessToken;
  const orgId = session?.orgId;
  const queryClient = useQueryClient();

  useEffect(() => {
    if (!token || !orgId || typeof EventSource === 'undefined') return;
    const source = new EventSource(`/api/v1/events?access_token=${encodeURIComponent(getSession()?.accessToken ?? token)}`);
    const refresh = (message: MessageEvent<string>) => {
      let id: string | undefined;
      try {
        id = (JSON.parse(message.data) as { data?: { id?: string } }).data?.id;
      } catch {
        // A malformed event still means "something changed".
      }
      void queryClient.invalidateQueries({ queryKey: ['org', orgId, 'engagements'] });
      if (id) void queryClient.invalidateQueries({ queryKey: ['org', orgId, 'engagement', id] });
    };
    for (const type of EVENTS) source.addEventListener(type, refresh);
    return () => source.close();
  }, [token, orgId, queryClient]);
}
