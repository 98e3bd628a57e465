import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';
import { unwrap } from '../../api/problem';
import type { paths } from '../../api/schema';
import { useOrgKey } from '../../app/me';

type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;

export type Fan = Json<paths['/api/v1/fans/{id}']['get']['responses'][200]>;
export type FanQuery = Omit<NonNullable<paths['/api/v1/fans']['get']['parameters']['query']>, 'cursor' | 'limit' | 'personaId'>;
export type FanPatch = NonNullable<paths['/api/v1/fans/{id}']['patch']['requestBody']>['content']['application/json'];
export type Segment = Json<paths['/api/v1/segments/{id}']['get']['responses'][200]>;
export type SegmentFilter = Segment['filter'];
export type SegmentInput = NonNullable<paths['/api/v1/segments']['post']['requestBody']>['content']['application/json'];
export type Campaign = Json<paths['/api/v1/ppv/{id}']['get']['responses'][200]>;
export type CampaignInput = NonNullable<paths['/api/v1/ppv']['post']['requestBody']>['content']['application/json'];
export type Subscription = Fan['subscription'];
export const subscriptions: Subscription[] = ['none', 'trial', 'active', 'expired', 'cancelled'];

const FAN_PAGE = 50;
/** Campaigns being sent are polled this often (the event stream carries no PPV progress). */
const POLL_MS = 5000;

export function useFans(personaId: string, query: FanQuery) {
  const key = useOrgKey();
  return useInfiniteQuery({
    queryKey: key('fans', personaId, query),
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam }) => unwrap(api.GET('/api/v1/fans', { params: { query: { personaId, limit: FAN_PAGE, ...query, ...(pageParam ? { cursor: pageParam } : {}) } } })),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    placeholderData: keepPreviousData,
  });
}

export function useFan(id: string) {
  const key = useOrgKey();
  return useQuery({ queryKey: key('fan', id), queryFn: () => unwrap(api.GET('/api/v1/fans/{id}', { params: { path: { id } } })) });
}

export function usePatchFan(id: string) {
  const key = useOrgKey();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (patch: FanPatch) => unwrap(api.PATCH('/api/v1/fans/{id}', { params: { path: { id } }, body: patch })),
    onSuccess: (fan) => {
      queryClient.setQueryData(key('fan', id), fan);
      void queryClient.invalidateQueries({ queryKey: key('fans') });
    },
  });
}

export function useEraseFan(id: string) {
  const key = useOrgKey();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/fans/{id}/erase', { params: { path: { id } } })),
    onSuccess: (fan) => {
      queryClient.setQueryData(key('fan', id), fan);
      void queryClient.invalidateQueries({ queryKey: key('fans') });
    },
  });
}

/** Fetches the GDPR export and hands it to the browser as a JSON file. */
export function useExportFan(id: string) {
  return useMutation({
    mutationFn: async () => {
      const doc = await unwrap(api.GET('/api/v1/fans/{id}/export', { params: { path: { id } } }));
      const url = URL.createObjectURL(new Blob([JSON.stringify(doc, null, 2)], { type: 'application/json' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = `fan-${id}.json`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    },
  });
}

export function useSegments(personaId: string) {
  const key = useOrgKey();
  return useQuery({ queryKey: key('segments', personaId), queryFn: async () => (await unwrap(api.GET('/api/v1/segments', { params: { query: { personaId } } }))).items });
}

export function useSegmentSize(segmentId: string | undefined, personaId: string) {
  const key = useOrgKey();
  return useQuery({
    queryKey: key('segment-size', segmentId, personaId),
    queryFn: () => unwrap(api.GET('/api/v1/segments/{id}/size', { params: { path: { id: segmentId! }, query: { personaId } } })),
    enabled: !!segmentId,
  });
}

/** Size of a filter being edited; the caller debounces `filter`. */
export function useSegmentPreview(filter: SegmentFilter | null, personaId: string) {
  const key = useOrgKey();
  const json = filter ? JSON.stringify(filter) : '';
  return useQuery({
    queryKey: key('segment-preview', personaId, json),
    queryFn: () => unwrap(api.GET('/api/v1/segments/preview', { params: { query: { personaId, filter: json } } })),
    enabled: !!filter,
    placeholderData: keepPreviousData,
  });
}

export function useSaveSegment() {
  const key = useOrgKey();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, ...input }: SegmentInput & { id?: string | undefined }) =>
      id
        ? unwrap(api.PATCH('/api/v1/segments/{id}', { params: { path: { id } }, body: { name: input.name, filter: input.filter } }))
        : unwrap(api.POST('/api/v1/segments', { body: input })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: key('segments') }),
  });
}

export function useDeleteSegment() {
  const key = useOrgKey();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/api/v1/segments/{id}', { params: { path: { id } } })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: key('segments') }),
  });
}

export function useCampaigns(personaId: string, range?: { from: string; to: string }) {
  const key = useOrgKey();
  return useQuery({
    queryKey: key('ppv', personaId, range),
    queryFn: async () => (await unwrap(api.GET('/api/v1/ppv', { params: { query: { personaId, ...range } } }))).items,
    refetchInterval: (q) => (q.state.data?.some((c) => c.status === 'sending') ? POLL_MS : false),
  });
}

function useCampaignChanged() {
  const key = useOrgKey();
  const queryClient = useQueryClient();
  return () => void queryClient.invalidateQueries({ queryKey: key('ppv') });
}

export function useCreateCampaign() {
  const changed = useCampaignChanged();
  return useMutation({ mutationFn: (input: CampaignInput) => unwrap(api.POST('/api/v1/ppv', { body: input })), onSuccess: changed });
}

export function useCampaignAction() {
  const changed = useCampaignChanged();
  return useMutation({
    mutationFn: async (action: { id: string; kind: 'schedule'; at: string } | { id: string; kind: 'cancel' | 'delete' }) => {
      const path = { path: { id: action.id } };
      if (action.kind === 'schedule') return unwrap(api.POST('/api/v1/ppv/{id}/schedule', { params: path, body: { at: action.at } }));
      if (action.kind === 'cancel') return unwrap(api.POST('/api/v1/ppv/{id}/cancel', { params: path }));
      return unwrap(api.DELETE('/api/v1/ppv/{id}', { params: path }));
    },
    onSuccess: changed,
  });
}
