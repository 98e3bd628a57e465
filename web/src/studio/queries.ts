import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client';
import { unwrap } from '../api/problem';
import { useRequiredSession } from '../api/session';
import { useCan, useOrgKey } from '../app/me';
import { useLiveStatus } from '../app/live';
import { refreshResults } from './cache';
import { isActive, type Asset, type GenerationRequest, type Job, type MediaQuery } from './types';

const JOBS_SHOWN = 20;
export const MEDIA_PAGE = 24;
/** While the event stream is down, lists that move by themselves are polled this often. */
const POLL_MS = 3000;

export function useStudio(personaId: string | undefined) {
  const key = useOrgKey();
  return useQuery({
    queryKey: key('studio', personaId),
    queryFn: () => unwrap(api.GET('/api/v1/personas/{id}/studio', { params: { path: { id: personaId! } } })),
    enabled: !!personaId,
  });
}

export function useJobs(personaId: string | undefined) {
  const key = useOrgKey();
  const { orgId } = useRequiredSession();
  const queryClient = useQueryClient();
  const live = useLiveStatus() === 'live';
  const queryKey = key('studio-jobs', personaId);
  return useQuery({
    queryKey,
    queryFn: async () => {
      const before = queryClient.getQueryData<Job[]>(queryKey);
      const items = (await unwrap(api.GET('/api/v1/studio/jobs', { params: { query: { personaId: personaId!, limit: JOBS_SHOWN } } }))).items;
      // Polling instead of live events: a job seen running and now finished has new results to show.
      const wasActive = new Set(before?.filter(isActive).map((j) => j.id));
      if (items.some((j) => wasActive.has(j.id) && !isActive(j))) refreshResults(queryClient, orgId);
      return items;
    },
    enabled: !!personaId,
    refetchInterval: live ? false : POLL_MS,
  });
}

export type MediaFilters = Omit<MediaQuery, 'personaId' | 'limit' | 'before'>;

export function useMedia(personaId: string | undefined, filters: MediaFilters, { limit = MEDIA_PAGE } = {}) {
  const key = useOrgKey();
  return useInfiniteQuery({
    queryKey: key('media', personaId, filters, limit),
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam }) =>
      (await unwrap(api.GET('/api/v1/media', { params: { query: { personaId: personaId!, limit, ...filters, ...(pageParam ? { before: pageParam } : {}) } } }))).items,
    // The library pages by creation time: the next page starts before the last item shown.
    getNextPageParam: (last) => (last.length === limit ? last.at(-1)?.createdAt : undefined),
    enabled: !!personaId,
  });
}

export function useAsset(id: string | null) {
  const key = useOrgKey();
  return useQuery({
    queryKey: key('asset', id),
    queryFn: () => unwrap(api.GET('/api/v1/media/{id}', { params: { path: { id: id! } } })),
    enabled: !!id,
  });
}

export function useCaptions(personaId: string, assetId: string) {
  const key = useOrgKey();
  return useQuery({
    queryKey: key('captions', personaId, assetId),
    queryFn: async () => (await unwrap(api.GET('/api/v1/captions', { params: { query: { personaId, assetId } } }))).items,
  });
}

export function useProviders() {
  const key = useOrgKey();
  const can = useCan();
  return useQuery({
    queryKey: key('providers'),
    queryFn: async () => (await unwrap(api.GET('/api/v1/providers'))).items,
    enabled: can('settings:manage'),
  });
}

/** Puts a job the server just accepted at the top of its persona's list, before any event about it. */
export function useAddJob() {
  const key = useOrgKey();
  const queryClient = useQueryClient();
  return (job: Job) => {
    queryClient.setQueryData<Job[]>(key('studio-jobs', job.personaId), (old) => [job, ...(old ?? []).filter((j) => j.id !== job.id)]);
  };
}

export function useGenerate() {
  const addJob = useAddJob();
  return useMutation({
    mutationFn: (body: GenerationRequest) => unwrap(api.POST('/api/v1/studio/jobs', { body })),
    onSuccess: addJob,
  });
}

/** Updates one asset everywhere it is cached (its detail and the library lists). */
export function useAssetChanged() {
  const key = useOrgKey();
  const queryClient = useQueryClient();
  return (asset: Asset) => {
    queryClient.setQueryData(key('asset', asset.id), asset);
    void queryClient.invalidateQueries({ queryKey: key('media') });
  };
}
