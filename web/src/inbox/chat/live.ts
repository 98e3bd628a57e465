import { useEffect, useSyncExternalStore } from 'react';
import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import { getSession, useSession } from '../../api/session';
import type { ChatMessage, ConversationDetail } from './queries';

/**
 * The chat inbox's live events. The dashboard-wide stream (app/live.ts) does not carry chat events, so the open
 * inbox listens on a stream of its own (as the engagement inbox does): a message in or out lands in the open
 * conversation at once, the list reloads around it, and safety alerts are kept for the operator to see. While the
 * stream is down, the queries poll.
 */
export const ALERT_KINDS = ['stated_under_18', 'self_harm', 'send_failed', 'model_failed', 'no_model'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];
const EVENTS = ['chat.message', 'chat.conversation', ...ALERT_KINDS.map((k) => `alert.chat_${k}`)];

export interface ChatAlert {
  /** The event's time and conversation: one alert per event. */
  id: string;
  kind: AlertKind;
  conversationId: string;
  personaId: string | null;
  at: string;
}

const MAX_ALERTS = 30;
/** Bursts of events reload the open conversation once, and a list at most once a second. */
const RELOAD_AFTER_MS = 250;
const LIST_RELOAD_AFTER_MS = 1000;

let live = false;
let alerts: ChatAlert[] = [];
const listeners = new Set<() => void>();
const notify = () => listeners.forEach((l) => l());
const subscribe = (listener: () => void) => {
  listeners.add(listener);
  return () => listeners.delete(listener);
};

/** True while the chat stream is open. */
export function useChatLive(): boolean {
  return useSyncExternalStore(subscribe, () => live);
}

export function useChatAlerts() {
  const list = useSyncExternalStore(subscribe, () => alerts);
  return {
    alerts: list,
    dismiss: (id: string) => {
      alerts = alerts.filter((a) => a.id !== id);
      notify();
    },
  };
}

function setLive(next: boolean) {
  if (next === live) return;
  live = next;
  notify();
}

interface Event {
  type: string;
  personaId?: string;
  at: string;
  data: unknown;
}

export function useChatEvents() {
  const session = useSession();
  const token = session?.accessToken;
  const orgId = session?.orgId;
  const queryClient = useQueryClient();

  useEffect(() => {
    if (!token || !orgId || typeof EventSource === 'undefined') return;
    const timers = new Map<string, ReturnType<typeof setTimeout>>();
    const later = (key: unknown[], after = RELOAD_AFTER_MS) => {
      const id = JSON.stringify(key);
      if (timers.has(id)) return;
      timers.set(
        id,
        setTimeout(() => {
          timers.delete(id);
          void queryClient.invalidateQueries({ queryKey: key });
        }, after),
      );
    };
    const source = new EventSource(`/api/v1/events?access_token=${encodeURIComponent(getSession()?.accessToken ?? token)}`);
    source.addEventListener('open', () => {
      setLive(true);
      // Whatever happened while the stream was down.
      void queryClient.invalidateQueries({ queryKey: ['org', orgId, 'conversations'] });
      void queryClient.invalidateQueries({ queryKey: ['org', orgId, 'conversation'] });
    });
    source.addEventListener('error', () => setLive(source.readyState === EventSource.OPEN));
    const onEvent = (message: MessageEvent<string>) => {
      let event: Event;
      try {
        event = JSON.parse(message.data) as Event;
      } catch {
        return; // the next reload corrects the cache
      }
      applyChatEvent(queryClient, orgId, event, later);
    };
    for (const type of EVENTS) source.addEventListener(type, onEvent);
    return () => {
      source.close();
      for (const t of timers.values()) clearTimeout(t);
      setLive(false);
    };
  }, [token, orgId, queryClient]);
}

function applyChatEvent(queryClient: QueryClient, orgId: string, event: Event, later: (key: unknown[], after?: number) => void) {
  const data = (event.data ?? {}) as Record<string, unknown>;
  if (event.type === 'chat.message') {
    const message = data as unknown as ChatMessage;
    if (typeof message.conversationId !== 'string') return;
    const key = ['org', orgId, 'conversation', message.conversationId];
    queryClient.setQueryData<ConversationDetail>(key, (old) => {
      if (!old) return old;
      const byId = new Map(old.messages.map((m) => [m.id, m]));
      byId.set(message.id, message);
      return { ...old, messages: [...byId.values()].sort((a, b) => a.seq - b.seq) };
    });
    // The conversation's own fields move with its messages (counters, language, memories): one reload per burst.
    later(key);
  } else {
    const conversationId = typeof data.conversationId === 'string' ? data.conversationId : null;
    if (conversationId) later(['org', orgId, 'conversation', conversationId]);
    const kind = event.type.startsWith('alert.chat_') ? (event.type.slice('alert.chat_'.length) as AlertKind) : null;
    if (kind && conversationId && (ALERT_KINDS as readonly string[]).includes(kind)) {
      alerts = [{ id: `${event.at}:${conversationId}:${kind}`, kind, conversationId, personaId: event.personaId ?? null, at: event.at }, ...alerts].slice(0, MAX_ALERTS);
      notify();
    }
  }
  // Lists are keyed by persona: only that persona's lists reload.
  later(event.personaId ? ['org', orgId, 'conversations', event.personaId] : ['org', orgId, 'conversations'], LIST_RELOAD_AFTER_MS);
}
