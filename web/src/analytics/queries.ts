import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api } from '../api/client';
import { unwrap } from '../api/problem';
import type { paths } from '../api/schema';
import { useOrgKey } from '../app/me';
import { rangeParams, type RangeChoice } from './range';

type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;

export type Overview = Json<paths['/api/v1/analytics/overview']['get']['responses'][200]>;
export type Kpis = Overview['kpis'];
export type SeriesPoint = Overview['series'][number];
export type Warning = Overview['warnings'][number];
export type PersonasTable = Json<paths['/api/v1/analytics/personas']['get']['responses'][200]>;
export type ChannelsTable = Json<paths['/api/v1/analytics/channels']['get']['responses'][200]>;
export type Monthly = Json<paths['/api/v1/analytics/revenue/monthly']['get']['responses'][200]>;
export type AbTests = Json<paths['/api/v1/analytics/ab-tests']['get']['responses'][200]>;
export type AbTest = AbTests['items'][number];
export type BestHours = Json<paths['/api/v1/analytics/best-hours']['get']['responses'][200]>;
export type KpiDefinition = Json<paths['/api/v1/analytics/kpis']['get']['responses'][200]>['items'][number];

/** Everything analytics shows is under one key prefix, so a rebuild or a new report refreshes it all. */
export const ANALYTICS = 'analytics';

/** `personaId` null: agency-wide (every persona the member may see). */
export function useOverview(personaId: string | null, range: RangeChoice) {
  const key = useOrgKey();
  return useQuery({
    queryKey: key(ANALYTICS, 'overview', personaId, range),
    queryFn: () => unwrap(api.GET('/api/v1/analytics/overview', { params: { query: { ...rangeParams(range), ...(personaId ? { personaId } : {}) } } })),
    placeholderData: keepPreviousData,
  });
}

export function usePersonasTable(range: RangeChoice, enabled = true) {
  const key = useOrgKey();
  return useQuery({
    queryKey: key(ANALYTICS, 'personas', range),
    queryFn: () => unwrap(api.GET('/api/v1/analytics/personas', { params: { query: rangeParams(range) } })),
    placeholderData: keepPreviousData,
    enabled,
  });
}

export function useChannelsTable(personaId: string | null, range: RangeChoice) {
  const key = useOrgKey();
  return useQuery({
    queryKey: key(ANALYTICS, 'channels', personaId, range),
    queryFn: () => unwrap(api.GET('/api/v1/analytics/channels', { params: { query: { ...rangeParams(range), ...(personaId ? { personaId } : {}) } } })),
    placeholderData: keepPreviousData,
  });
}

export function useMonthly(personaId: string | null, months = 12, enabled = true) {
  const key = useOrgKey();
  return useQuery({
    queryKey: key(ANALYTICS, 'monthly', personaId, months),
    queryFn: () => unwrap(api.GET('/api/v1/analytics/revenue/monthly', { params: { query: { months, ...(personaId ? { personaId } : {}) } } })),
    placeholderData: keepPreviousData,
    enabled,
  });
}

export function useAbTests(personaId: string | null, range: RangeChoice) {
  const key = useOrgKey();
  return useQuery({
    queryKey: key(ANALYTICS, 'ab-tests', personaId, range),
    queryFn: () => unwrap(api.GET('/api/v1/analytics/ab-tests', { params: { query: { ...rangeParams(range), limit: 50, ...(personaId ? { personaId } : {}) } } })),
    placeholderData: keepPreviousData,
  });
}

export function useBestHours(personaId: string, days: number) {
  const key = useOrgKey();
  return useQuery({
    queryKey: key(ANALYTICS, 'best-hours', personaId, days),
    queryFn: () => unwrap(api.GET('/api/v1/analytics/best-hours', { params: { query: { personaId, days } } })),
    placeholderData: keepPreviousData,
  });
}

/** The KPI catalogue (formulas) changes only with the server: fetched once per session. */
export function useKpiCatalogue() {
  const key = useOrgKey();
  return useQuery({
    queryKey: key(ANALYTICS, 'kpis'),
    queryFn: () => unwrap(api.GET('/api/v1/analytics/kpis')),
    staleTime: Infinity,
  });
}
