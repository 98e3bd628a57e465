import type { Capability } from '../platform/http/app.ts';
import { PersonasService } from './personas.service.ts';
import { personasRoutes } from './personas.routes.ts';

export { PersonasService } from './personas.service.ts';
export type { Persona } from './personas.service.ts';

export const personasCapability: Capability = {
  name: 'personas',
  routes: (app, platform) => personasRoutes(app, new PersonasService(platform.db)),
};
