import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client';
import { unwrap } from '../api/problem';
import type { paths } from '../api/schema';
import { useCan, useOrgKey } from '../app/me';

export type Member = paths['/api/v1/team']['get']['responses'][200]['content']['application/json']['items'][number];

export function useTeam() {
  const key = useOrgKey();
  const can = useCan();
  return useQuery({
    queryKey: key('team'),
    queryFn: async () => (await unwrap(api.GET('/api/v1/team'))).items,
    enabled: can('team:read'),
  });
}
