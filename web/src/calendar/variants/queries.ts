import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';
import { unwrap } from '../../api/problem';
import type { paths } from '../../api/schema';
import { useOrgKey } from '../../app/me';

type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;

export type VariantsView = Json<paths['/api/v1/posts/{id}/variants']['get']['responses'][200]>;
export type VariantView = VariantsView['variants'][number];
export type VariantsBody = NonNullable<paths['/api/v1/posts/{id}/variants']['put']['requestBody']>['content']['application/json'];
export type PostMetrics = Json<paths['/api/v1/posts/{id}/metrics']['get']['responses'][200]>;
export type TargetMetrics = PostMetrics['targets'][number];
export type MetricsRefresh = Json<paths['/api/v1/posts/{id}/metrics/refresh']['post']['responses'][200]>;

export function useVariants(postId: string) {
  const key = useOrgKey();
  return useQuery({
    queryKey: key('post-variants', postId),
    queryFn: () => unwrap(api.GET('/api/v1/posts/{id}/variants', { params: { path: { id: postId } } })),
  });
}

export function usePostMetrics(postId: string, enabled = true) {
  const key = useOrgKey();
  return useQuery({
    queryKey: key('post-metrics', postId),
    queryFn: () => unwrap(api.GET('/api/v1/posts/{id}/metrics', { params: { path: { id: postId } } })),
    enabled,
  });
}

/** Saving variants rewrites targets: the post, its variants and the calendar reload. */
export function useSaveVariants(postId: string) {
  const key = useOrgKey();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: VariantsBody) => unwrap(api.PUT('/api/v1/posts/{id}/variants', { params: { path: { id: postId } }, body })),
    onSuccess: (view) => {
      queryClient.setQueryData(key('post-variants', postId), view);
      void queryClient.invalidateQueries({ queryKey: key('post', postId) });
      void queryClient.invalidateQueries({ queryKey: key('calendar') });
    },
  });
}

export function useRefreshMetrics(postId: string) {
  const key = useOrgKey();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/posts/{id}/metrics/refresh', { params: { path: { id: postId } } })),
    onSuccess: ({ problems: _problems, ...metrics }) => {
      queryClient.setQueryData(key('post-metrics', postId), metrics);
      void queryClient.invalidateQueries({ queryKey: key('post-variants', postId) });
    },
  });
}
