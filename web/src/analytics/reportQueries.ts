import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client';
import { unwrap } from '../api/problem';
import type { paths } from '../api/schema';
import { useOrgKey } from '../app/me';
import { ANALYTICS } from './queries';

type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;
type Body<T> = T extends { requestBody?: { content: { 'application/json': infer B } } } ? B : never;

export type Report = Json<paths['/api/v1/reports']['get']['responses'][200]>['items'][number];
export type ReportKind = Report['kind'];
export type ReportDetail = Json<paths['/api/v1/reports/{id}']['get']['responses'][200]>;
export type Delivery = ReportDetail['deliveries'][number];
export type ReportRequest = Body<paths['/api/v1/reports']['post']>;
export type Destination = Json<paths['/api/v1/analytics/destinations']['get']['responses'][200]>['items'][number];
export type DestinationInput = Body<paths['/api/v1/analytics/destinations']['post']>;
export type DestinationPatch = Body<paths['/api/v1/analytics/destinations/{id}']['patch']>;
export type SettingsView = Json<paths['/api/v1/analytics/settings']['get']['responses'][200]>;
export type Settings = SettingsView['settings'];

export const reportKinds: ReportKind[] = ['daily', 'weekly', 'monthly'];

function useInvalidate(...what: string[]) {
  const key = useOrgKey();
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: key(ANALYTICS, ...what) });
}

export function useReports(personaId: string | null) {
  const key = useOrgKey();
  return useQuery({
    queryKey: key(ANALYTICS, 'reports', 'list', personaId),
    queryFn: () => unwrap(api.GET('/api/v1/reports', { params: { query: { limit: 100, ...(personaId ? { personaId } : {}) } } })),
  });
}

/** A report's figures and deliveries; refreshed while a delivery is still pending. */
export function useReport(id: string | null) {
  const key = useOrgKey();
  return useQuery({
    queryKey: key(ANALYTICS, 'reports', 'one', id),
    queryFn: () => unwrap(api.GET('/api/v1/reports/{id}', { params: { path: { id: id! } } })),
    enabled: id !== null,
    refetchInterval: (q) => (q.state.data?.deliveries.some((d) => d.status === 'pending') ? 2000 : false),
  });
}

export function useCreateReport() {
  const invalidate = useInvalidate('reports');
  return useMutation({ mutationFn: (body: ReportRequest) => unwrap(api.POST('/api/v1/reports', { body })), onSettled: invalidate });
}

export function useDeliverReport() {
  const invalidate = useInvalidate('reports');
  return useMutation({ mutationFn: (id: string) => unwrap(api.POST('/api/v1/reports/{id}/deliver', { params: { path: { id } } })), onSuccess: invalidate });
}

export async function reportDocument(id: string, kind: 'html' | 'pdf'): Promise<Blob> {
  const call = kind === 'html' ? api.GET('/api/v1/reports/{id}/html', { params: { path: { id } }, parseAs: 'blob' }) : api.GET('/api/v1/reports/{id}/pdf', { params: { path: { id } }, parseAs: 'blob' });
  return (await unwrap(call)) as unknown as Blob;
}

export function useSettings() {
  const key = useOrgKey();
  return useQuery({ queryKey: key(ANALYTICS, 'settings'), queryFn: () => unwrap(api.GET('/api/v1/analytics/settings')) });
}

export function useSaveSettings() {
  const key = useOrgKey();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: Settings) => unwrap(api.PUT('/api/v1/analytics/settings', { body })),
    onSuccess: (data) => {
      queryClient.setQueryData(key(ANALYTICS, 'settings'), data);
      void queryClient.invalidateQueries({ queryKey: key(ANALYTICS, 'alert-rules') });
    },
  });
}

export function useRebuild() {
  const invalidate = useInvalidate();
  return useMutation({ mutationFn: (body: { from: string; to: string }) => unwrap(api.POST('/api/v1/analytics/rebuild', { body })), onSuccess: invalidate });
}

export function useDestinations(enabled: boolean) {
  const key = useOrgKey();
  return useQuery({ queryKey: key(ANALYTICS, 'destinations'), queryFn: () => unwrap(api.GET('/api/v1/analytics/destinations')), enabled });
}

export function useCreateDestination() {
  const invalidate = useInvalidate('destinations');
  return useMutation({ mutationFn: (body: DestinationInput) => unwrap(api.POST('/api/v1/analytics/destinations', { body })), onSuccess: invalidate });
}

export function useUpdateDestination() {
  const invalidate = useInvalidate('destinations');
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: DestinationPatch }) => unwrap(api.PATCH('/api/v1/analytics/destinations/{id}', { params: { path: { id } }, body })),
    onSuccess: invalidate,
  });
}

export function useDeleteDestination() {
  const invalidate = useInvalidate('destinations');
  return useMutation({ mutationFn: (id: string) => unwrap(api.DELETE('/api/v1/analytics/destinations/{id}', { params: { path: { id } } })), onSuccess: invalidate });
}

export function useTestDestination() {
  return useMutation({ mutationFn: (id: string) => unwrap(api.POST('/api/v1/analytics/destinations/{id}/test', { params: { path: { id } } })) });
}

/** One delivery's outcome, polled until it is no longer pending. */
export function useDelivery(id: string | null) {
  const key = useOrgKey();
  return useQuery({
    queryKey: key(ANALYTICS, 'delivery', id),
    queryFn: () => unwrap(api.GET('/api/v1/analytics/deliveries/{id}', { params: { path: { id: id! } } })),
    enabled: id !== null,
    refetchInterval: (q) => (q.state.data?.status === 'pending' || !q.state.data ? 1500 : false),
  });
}

export type AlertStatus = 'open' | 'resolved' | 'all';
export type Alert = Json<paths['/api/v1/alerts']['get']['responses'][200]>['items'][number];
export type AlertRule = Json<paths['/api/v1/alerts/rules']['get']['responses'][200]>['items'][number];

/** Alerts are checked every 5 minutes on the server; the list refreshes each minute while it is shown. */
export function useAlerts(status: AlertStatus, personaId: string | null, enabled = true) {
  const key = useOrgKey();
  return useQuery({
    queryKey: key(ANALYTICS, 'alerts', 'list', status, personaId),
    queryFn: () => unwrap(api.GET('/api/v1/alerts', { params: { query: { status, limit: 100, ...(personaId ? { personaId } : {}) } } })),
    refetchInterval: 60_000,
    enabled,
  });
}

export function useAlert(id: string | null) {
  const key = useOrgKey();
  return useQuery({
    queryKey: key(ANALYTICS, 'alerts', 'one', id),
    queryFn: () => unwrap(api.GET('/api/v1/alerts/{id}', { params: { path: { id: id! } } })),
    enabled: id !== null,
    refetchInterval: (q) => (q.state.data?.deliveries.some((d) => d.status === 'pending') ? 2000 : false),
  });
}

export function useAlertRules() {
  const key = useOrgKey();
  return useQuery({ queryKey: key(ANALYTICS, 'alert-rules'), queryFn: () => unwrap(api.GET('/api/v1/alerts/rules')), staleTime: 5 * 60_000 });
}

export function useAcknowledge() {
  const invalidate = useInvalidate('alerts');
  return useMutation({ mutationFn: (id: string) => unwrap(api.POST('/api/v1/alerts/{id}/acknowledge', { params: { path: { id } } })), onSuccess: invalidate });
}

export function useEvaluateAlerts() {
  const invalidate = useInvalidate('alerts');
  return useMutation({ mutationFn: () => unwrap(api.POST('/api/v1/alerts/evaluate')), onSuccess: invalidate });
}
