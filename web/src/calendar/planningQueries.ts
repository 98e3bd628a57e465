import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client';
import { ApiError, unwrap } from '../api/problem';
import type { paths } from '../api/schema';
import { useOrgKey } from '../app/me';
import { usePostChanged, type ScheduleAt } from './queries';

type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;
export type Rhythm = Json<paths['/api/v1/personas/{id}/rhythm']['get']['responses'][200]>;
export type RhythmDay = Rhythm['days'][number];
export type Activity = RhythmDay['activity'];
export type Spend = Json<paths['/api/v1/channels/{id}/spend']['get']['responses'][200]>;

export const activities: readonly Activity[] = ['planning', 'publishing', 'analysis', 'specials', 'rest'];
/** Days of these activities have posting times. */
export const hasSlots = (a: Activity) => a === 'publishing' || a === 'specials';

export function useRhythm(personaId: string) {
  const key = useOrgKey();
  return useQuery({
    queryKey: key('rhythm', personaId),
    queryFn: () => unwrap(api.GET('/api/v1/personas/{id}/rhythm', { params: { path: { id: personaId } } })),
  });
}

export function useSaveRhythm(personaId: string) {
  const key = useOrgKey();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (days: RhythmDay[]) => unwrap(api.PUT('/api/v1/personas/{id}/rhythm', { params: { path: { id: personaId } }, body: { days } })),
    onSuccess: (saved) => queryClient.setQueryData(key('rhythm', personaId), saved),
  });
}

export function useApplyRhythm(personaId: string) {
  const key = useOrgKey();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/personas/{id}/rhythm/apply', { params: { path: { id: personaId } }, body: {} })),
    onSuccess: (saved) => {
      queryClient.setQueryData(key('slots', personaId), saved.items);
      void queryClient.invalidateQueries({ queryKey: key('calendar') });
    },
  });
}

/** Posts with no time yet (drafts and approved), highest priority first. */
export function useUnscheduled(personaId: string) {
  const key = useOrgKey();
  return useQuery({
    // Under 'calendar' so that whatever reloads the calendar reloads the tray too.
    queryKey: key('calendar', 'unscheduled', personaId),
    queryFn: async () => (await unwrap(api.GET('/api/v1/posts', { params: { query: { personaId, unscheduled: 'true', limit: 100 } } }))).items.filter((p) => p.status === 'draft' || p.status === 'approved'),
  });
}

export function useChannelSpend(channelId: string, enabled: boolean) {
  const key = useOrgKey();
  return useQuery({
    queryKey: key('spend', channelId),
    queryFn: () => unwrap(api.GET('/api/v1/channels/{id}/spend', { params: { path: { id: channelId } } })),
    enabled,
  });
}

/**
 * Schedules a post; a draft (dropped from the tray of unscheduled posts) is approved first, since putting
 * it on a day is the person's decision that it goes out.
 */
export function useScheduleApproving() {
  const changed = usePostChanged();
  return useMutation({
    mutationFn: async ({ id, when }: { id: string; when: ScheduleAt }) => {
      const schedule = () => unwrap(api.POST('/api/v1/posts/{id}/schedule', { params: { path: { id } }, body: when }));
      try {
        return await schedule();
      } catch (error) {
        if (!(error instanceof ApiError && error.code === 'not_approved')) throw error;
        await unwrap(api.POST('/api/v1/posts/{id}/approve', { params: { path: { id } } }));
        return schedule();
      }
    },
    onSuccess: changed,
  });
}
