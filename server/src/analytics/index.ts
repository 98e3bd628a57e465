import type { Capability } from '../platform/http/app.ts';
import { analyticsServices } from './services.ts';
import { analyticsRoutes } from './routes/analytics.routes.ts';

export { analyticsServices, type AnalyticsServices } from './services.ts';

/** Analytics: daily rollups, KPIs, dashboards, reports, alerts. */
export const analyticsCapability: Capability = {
  name: 'analytics',
  routes(app, platform) {
    analyticsRoutes(app, analyticsServices(platform));
  },
  jobs(platform) {
    analyticsServices(platform).rollups.register();
  },
};
