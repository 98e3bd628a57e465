import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';
import { unwrap } from '../../api/problem';
import type { paths } from '../../api/schema';
import { useOrgKey } from '../../app/me';
import { useChatLive } from './live';

type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;

export type ConversationDetail = Json<paths['/api/v1/conversations/{id}']['get']['responses'][200]>;
export type Conversation = Json<paths['/api/v1/conversations']['get']['responses'][200]>['items'][number];
export type ChatMessage = ConversationDetail['messages'][number];
export type ConversationStatus = Conversation['status'];
export type ChatProfile = Json<paths['/api/v1/personas/{id}/chat-profile']['get']['responses'][200]>;
export type ChatProfileInput = paths['/api/v1/personas/{id}/chat-profile']['put']['requestBody']['content']['application/json'];
export type Suggestion = Json<paths['/api/v1/conversations/{id}/suggestion']['get']['responses'][200]>;

const LIST_LIMIT = 100;
const MESSAGE_PAGE = 100;
/**
 * Only while the event stream is down is the inbox polled, this often. Live, nothing polls: every message in or
 * out comes as an event, and so does a fan message once the bot answered or skipped it.
 */
const POLL_MS = 20_000;

export function useConversations(personaId: string, status: ConversationStatus | '') {
  const key = useOrgKey();
  const live = useChatLive();
  return useQuery({
    queryKey: key('conversations', personaId, status || 'all'),
    queryFn: async () => (await unwrap(api.GET('/api/v1/conversations', { params: { query: { personaId, limit: LIST_LIMIT, ...(status ? { status } : {}) } } }))).items,
    refetchInterval: live ? false : POLL_MS,
  });
}

export function useConversation(id: string) {
  const key = useOrgKey();
  const live = useChatLive();
  return useQuery({
    queryKey: key('conversation', id),
    queryFn: () => unwrap(api.GET('/api/v1/conversations/{id}', { params: { path: { id }, query: { limit: MESSAGE_PAGE } } })),
    refetchInterval: live ? false : POLL_MS,
  });
}

/** Older messages, one page before `beforeSeq`. */
export async function olderMessages(id: string, beforeSeq: number): Promise<ChatMessage[]> {
  return (await unwrap(api.GET('/api/v1/conversations/{id}', { params: { path: { id }, query: { limit: MESSAGE_PAGE, beforeSeq } } }))).messages;
}

/** Adds or replaces messages by id, in sequence order. */
export function mergeMessages(current: ChatMessage[], incoming: ChatMessage[]): ChatMessage[] {
  const byId = new Map(current.map((m) => [m.id, m]));
  for (const m of incoming) byId.set(m.id, m);
  return [...byId.values()].sort((a, b) => a.seq - b.seq);
}

/** The conversation changed (takeover, block…): its detail keeps its messages, the lists reload. */
function useConversationChanged() {
  const key = useOrgKey();
  const queryClient = useQueryClient();
  return (view: Conversation) => {
    queryClient.setQueryData<ConversationDetail>(key('conversation', view.id), (old) => (old ? { ...old, ...view } : old));
    void queryClient.invalidateQueries({ queryKey: key('conversations') });
  };
}

export function useConversationAction(action: 'takeover' | 'handback' | 'end') {
  const changed = useConversationChanged();
  return useMutation({
    mutationFn: (id: string) =>
      action === 'takeover'
        ? unwrap(api.POST('/api/v1/conversations/{id}/takeover', { params: { path: { id } } }))
        : action === 'handback'
          ? unwrap(api.POST('/api/v1/conversations/{id}/handback', { params: { path: { id } } }))
          : unwrap(api.POST('/api/v1/conversations/{id}/end', { params: { path: { id } } })),
    onSuccess: changed,
  });
}

export function useBlockFan() {
  const changed = useConversationChanged();
  return useMutation({
    mutationFn: ({ id, blocked }: { id: string; blocked: boolean }) => unwrap(api.POST('/api/v1/conversations/{id}/block', { params: { path: { id } }, body: { blocked } })),
    onSuccess: changed,
  });
}

/** An operator has looked after the fan's self-harm alert: it clears until the next signal. */
export function useClearSelfHarm() {
  const changed = useConversationChanged();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.POST('/api/v1/conversations/{id}/self-harm/clear', { params: { path: { id } } })),
    onSuccess: changed,
  });
}

export function useSendMessage(id: string) {
  const key = useOrgKey();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (text: string) => unwrap(api.POST('/api/v1/conversations/{id}/messages', { params: { path: { id } }, body: { text } })),
    onSuccess: (message) => {
      queryClient.setQueryData<ConversationDetail>(key('conversation', id), (old) => (old ? { ...old, messages: mergeMessages(old.messages, [message]) } : old));
      // Sending took the conversation over: the status comes back with the detail.
      void queryClient.invalidateQueries({ queryKey: key('conversation', id) });
      void queryClient.invalidateQueries({ queryKey: key('conversations') });
    },
  });
}

/** A reply drafted with the bot's context and guards; nothing is sent. Asked for on demand (it runs the model). */
export function useSuggestion(id: string) {
  return useMutation({ mutationFn: () => unwrap(api.GET('/api/v1/conversations/{id}/suggestion', { params: { path: { id } } })) });
}

// ── Chat profile ────────────────────────────────────────────────────────────────────────────────────

export function useChatProfile(personaId: string) {
  const key = useOrgKey();
  return useQuery({
    queryKey: key('chat-profile', personaId),
    queryFn: () => unwrap(api.GET('/api/v1/personas/{id}/chat-profile', { params: { path: { id: personaId } } })),
  });
}

export function useSaveChatProfile(personaId: string) {
  const key = useOrgKey();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: ChatProfileInput) => unwrap(api.PUT('/api/v1/personas/{id}/chat-profile', { params: { path: { id: personaId } }, body })),
    onSuccess: (profile) => queryClient.setQueryData(key('chat-profile', personaId), profile),
  });
}

export function useImportCard(personaId: string) {
  const key = useOrgKey();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { card: Record<string, unknown> } | { png: string }) => unwrap(api.POST('/api/v1/personas/{id}/card/import', { params: { path: { id: personaId } }, body })),
    onSuccess: ({ importedSpec: _spec, ...profile }) => queryClient.setQueryData(key('chat-profile', personaId), profile),
  });
}

/** The saved card as a file: V2/V3 JSON, or a PNG carrying both. */
export async function downloadCard(personaId: string, name: string, format: 'json' | 'png', spec: 'v2' | 'v3') {
  const blob =
    format === 'png'
      ? ((await unwrap(api.GET('/api/v1/personas/{id}/card', { params: { path: { id: personaId }, query: { format, spec } }, parseAs: 'blob' }))) as unknown as Blob)
      : new Blob([JSON.stringify(await unwrap(api.GET('/api/v1/personas/{id}/card', { params: { path: { id: personaId }, query: { format, spec } } })), null, 2)], { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = `${name.replace(/[^\p{L}\p{N}_-]+/gu, '_') || 'card'}${format === 'json' ? `.${spec}.json` : '.png'}`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
