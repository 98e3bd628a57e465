import { useMutation, useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client';
import { unwrap } from '../api/problem';
import { useCan, useOrgKey } from '../app/me';
import { useLiveStatus } from '../app/live';
import { chunks } from './navigation';
import type { CalendarDay, CalendarView, Post, SlotInput } from './types';

/** While the event stream is down, the calendar is polled this often (publishing moves by itself). */
const POLL_MS = 10_000;

export interface CalendarRange {
  data: { timezone: string; days: CalendarDay[] } | undefined;
  isPending: boolean;
  isFetching: boolean;
  error: unknown;
}

/** `days` local days of the persona's calendar from `from`, in one piece whatever the API's sizes. */
export function useCalendarRange(personaId: string, from: string, days: number): CalendarRange {
  const key = useOrgKey();
  const live = useLiveStatus() === 'live';
  return useQueries({
    queries: chunks(from, days).map((c) => ({
      queryKey: key('calendar', personaId, c.from, c.days),
      queryFn: () => unwrap(api.GET('/api/v1/calendar', { params: { query: { personaId, from: c.from, days: c.days } } })),
      refetchInterval: live ? (false as const) : POLL_MS,
    })),
    combine: (results) => {
      const loaded = results.map((r) => r.data).filter((d): d is CalendarView => !!d);
      const complete = loaded.length === results.length;
      return {
        data: complete && loaded[0] ? { timezone: loaded[0].timezone, days: loaded.flatMap((v) => v.days).slice(0, days) } : undefined,
        isPending: results.some((r) => r.isPending),
        isFetching: results.some((r) => r.isFetching),
        error: results.find((r) => r.error)?.error ?? null,
      };
    },
  });
}

export function useChannels(personaId: string | undefined) {
  const key = useOrgKey();
  const can = useCan();
  return useQuery({
    queryKey: key('channels'),
    queryFn: async () => (await unwrap(api.GET('/api/v1/channels'))).items,
    enabled: can('channels:read'),
    select: (items) => (personaId ? items.filter((c) => c.personaId === personaId) : items),
  });
}

export function usePost(id: string | null) {
  const key = useOrgKey();
  return useQuery({
    queryKey: key('post', id),
    queryFn: () => unwrap(api.GET('/api/v1/posts/{id}', { params: { path: { id: id! } } })),
    enabled: !!id,
  });
}

export function useSlots(personaId: string) {
  const key = useOrgKey();
  return useQuery({
    queryKey: key('slots', personaId),
    queryFn: async () => (await unwrap(api.GET('/api/v1/personas/{id}/slots', { params: { path: { id: personaId } } }))).items,
  });
}

/** A post changed: its detail takes the new version, the calendar reloads around it. */
export function usePostChanged() {
  const key = useOrgKey();
  const queryClient = useQueryClient();
  return (post?: Post) => {
    if (post) queryClient.setQueryData(key('post', post.id), post);
    void queryClient.invalidateQueries({ queryKey: key('calendar') });
  };
}

export type ScheduleAt = { localDate: string; localTime: string } | { at: string };

export function useSchedulePost() {
  const changed = usePostChanged();
  return useMutation({
    mutationFn: ({ id, when }: { id: string; when: ScheduleAt }) => unwrap(api.POST('/api/v1/posts/{id}/schedule', { params: { path: { id } }, body: when })),
    onSuccess: changed,
  });
}

export function usePostAction() {
  const changed = usePostChanged();
  return useMutation({
    mutationFn: ({ id, action }: { id: string; action: 'approve' | 'cancel' }) =>
      unwrap(
        action === 'approve'
          ? api.POST('/api/v1/posts/{id}/approve', { params: { path: { id } } })
          : api.POST('/api/v1/posts/{id}/cancel', { params: { path: { id } } }),
      ),
    onSuccess: changed,
  });
}

export function useSaveSlots(personaId: string) {
  const key = useOrgKey();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (items: SlotInput[]) => unwrap(api.PUT('/api/v1/personas/{id}/slots', { params: { path: { id: personaId } }, body: { items } })),
    onSuccess: (saved) => {
      queryClient.setQueryData(key('slots', personaId), saved.items);
      void queryClient.invalidateQueries({ queryKey: key('calendar') });
    },
  });
}
