import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/client';
import { unwrap } from '../../api/problem';
import type { paths } from '../../api/schema';
import { useOrgKey } from '../../app/me';

type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;

export type Pack = Json<paths['/api/v1/packs/{id}']['get']['responses'][200]>;
export type PackPrice = Pack['prices'][number];
export type Effective = Pack['effective'][number];
export type PriceList = Json<paths['/api/v1/price-lists']['get']['responses'][200]>['items'][number];
export type Promotion = Json<paths['/api/v1/promotions/{id}']['get']['responses'][200]>;
export type PromotionDraft = Json<NonNullable<paths['/api/v1/promotions/preview']['post']['requestBody']>>['promotion'];
export type Preview = Json<paths['/api/v1/promotions/preview']['post']['responses'][200]>;
export type TrackingLink = Json<paths['/api/v1/tracking-links']['get']['responses'][200]>['items'][number];
export type Segment = Json<paths['/api/v1/segments']['get']['responses'][200]>['items'][number];
export type SalesPlatform = PackPrice['platform'] & NonNullable<PromotionDraft['platforms']>[number];

/** Platforms fans pay on, in the order the forms list them (the sandbox is for trying things out). */
export const salesPlatforms = ['fanvue', 'onlyfans_export', 'x', 'instagram', 'reddit', 'telegram', 'discord', 'bluesky', 'sandbox'] as const satisfies readonly SalesPlatform[];

/** Every catalogue list of the organization hangs under one key, so a change refreshes them all. */
export const catalogueKey = 'catalogue';

export function usePacks(personaId: string) {
  const key = useOrgKey();
  return useQuery({
    queryKey: key(catalogueKey, 'packs', personaId),
    queryFn: async () => (await unwrap(api.GET('/api/v1/packs', { params: { query: { personaId } } }))).items,
  });
}

export function usePriceLists(personaId: string) {
  const key = useOrgKey();
  return useQuery({
    queryKey: key(catalogueKey, 'price-lists', personaId),
    queryFn: async () => (await unwrap(api.GET('/api/v1/price-lists', { params: { query: { personaId } } }))).items,
  });
}

export function usePromotions(personaId: string) {
  const key = useOrgKey();
  return useQuery({
    queryKey: key(catalogueKey, 'promotions', personaId),
    queryFn: async () => (await unwrap(api.GET('/api/v1/promotions', { params: { query: { personaId } } }))).items,
  });
}

export function useTrackingLinks(personaId: string) {
  const key = useOrgKey();
  return useQuery({
    queryKey: key(catalogueKey, 'tracking-links', personaId),
    queryFn: async () => (await unwrap(api.GET('/api/v1/tracking-links', { params: { query: { personaId } } }))).items,
  });
}

/** Her segments and the organization's, for limiting a promotion to some fans. */
export function useSegments(personaId: string) {
  const key = useOrgKey();
  return useQuery({
    queryKey: key('segments', personaId),
    queryFn: async () => (await unwrap(api.GET('/api/v1/segments', { params: { query: { personaId } } }))).items,
    select: (items) => items.filter((s) => s.personaId === null || s.personaId === personaId),
  });
}
