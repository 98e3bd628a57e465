import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';
import { unwrap } from '../../api/problem';
import type { paths } from '../../api/schema';
import { useOrgKey } from '../../app/me';
import { useLiveStatus } from '../../app/live';

type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;

export type Engagement = Json<paths['/api/v1/engagements/{id}']['get']['responses'][200]>;
export type EngagementStatus = Engagement['status'];
export type AutoReply = Json<paths['/api/v1/channels/{id}/auto-reply']['get']['responses'][200]>;
export interface EngagementFilter {
  status?: EngagementStatus | undefined;
  channelId?: string | undefined;
}

const PAGE = 30;
/** Without the event stream the inbox is polled this often. */
const POLL_MS = 30_000;

export function useEngagements(personaId: string, filter: EngagementFilter) {
  const key = useOrgKey();
  const live = useLiveStatus() === 'live';
  return useInfiniteQuery({
    queryKey: key('engagements', personaId, filter),
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam }) =>
      unwrap(
        api.GET('/api/v1/engagements', {
          params: { query: { personaId, limit: PAGE, ...(filter.status ? { status: filter.status } : {}), ...(filter.channelId ? { channelId: filter.channelId } : {}), ...(pageParam ? { cursor: pageParam } : {}) } },
        }),
      ),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    placeholderData: keepPreviousData,
    refetchInterval: live ? false : POLL_MS,
  });
}

export function useEngagement(id: string | null) {
  const key = useOrgKey();
  return useQuery({
    queryKey: key('engagement', id),
    queryFn: () => unwrap(api.GET('/api/v1/engagements/{id}', { params: { path: { id: id! } } })),
    enabled: !!id,
  });
}

/** An item changed: its detail takes the new version, the lists reload around it. */
function useChanged() {
  const key = useOrgKey();
  const queryClient = useQueryClient();
  return (item?: Engagement) => {
    if (item) queryClient.setQueryData(key('engagement', item.id), item);
    void queryClient.invalidateQueries({ queryKey: key('engagements') });
  };
}

export function useEngagementAction(action: 'draft' | 'send' | 'dismiss') {
  const changed = useChanged();
  return useMutation({
    mutationFn: (id: string) =>
      action === 'draft'
        ? unwrap(api.POST('/api/v1/engagements/{id}/draft', { params: { path: { id } } }))
        : action === 'send'
          ? unwrap(api.POST('/api/v1/engagements/{id}/send', { params: { path: { id } } }))
          : unwrap(api.POST('/api/v1/engagements/{id}/dismiss', { params: { path: { id } } })),
    onSuccess: changed,
    // A failed send changed the item too (failed, with the reason).
    onError: () => changed(),
  });
}

export function useEditDraft() {
  const changed = useChanged();
  return useMutation({
    mutationFn: ({ id, draft }: { id: string; draft: string }) => unwrap(api.PUT('/api/v1/engagements/{id}', { params: { path: { id } }, body: { draft } })),
    onSuccess: changed,
  });
}

export function usePull() {
  const changed = useChanged();
  return useMutation({
    mutationFn: (channelId: string) => unwrap(api.POST('/api/v1/engagements/pull', { body: { channelId } })),
    onSuccess: () => changed(),
  });
}

export function useAutoReply(channelId: string) {
  const key = useOrgKey();
  return useQuery({ queryKey: key('auto-reply', channelId), queryFn: () => unwrap(api.GET('/api/v1/channels/{id}/auto-reply', { params: { path: { id: channelId } } })) });
}

export function useSetAutoReply(channelId: string) {
  const key = useOrgKey();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { enabled: boolean; approvalReference?: string }) => unwrap(api.PUT('/api/v1/channels/{id}/auto-reply', { params: { path: { id: channelId } }, body })),
    onSuccess: (data) => queryClient.setQueryData(key('auto-reply', channelId), data),
  });
}
