import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client';
import { unwrap } from '../api/problem';
import type { paths } from '../api/schema';
import { useCan, useOrgKey } from '../app/me';

export type Persona = paths['/api/v1/personas/{id}']['get']['responses'][200]['content']['application/json'];
export type NewPersona = paths['/api/v1/personas']['post']['requestBody']['content']['application/json'];

export function usePersonas() {
  const key = useOrgKey();
  const can = useCan();
  return useQuery({
    queryKey: key('personas'),
    queryFn: async () => (await unwrap(api.GET('/api/v1/personas'))).items,
    enabled: can('personas:read'),
  });
}
