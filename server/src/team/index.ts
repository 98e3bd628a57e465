import type { Capability } from '../platform/http/app.ts';
import { TeamService } from './team.service.ts';
import { teamRoutes } from './team.routes.ts';

export const teamCapability: Capability = {
  name: 'team',
  routes: (app, platform) => teamRoutes(app, new TeamService(platform.db, platform.auth)),
};
