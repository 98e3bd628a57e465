import type { Capability } from '../platform/http/app.ts';
import { analyticsServices } from './services.ts';
import { analyticsRoutes } from './routes/analytics.routes.ts';
import { reportsRoutes } from './routes/reports.routes.ts';
import { alertsRoutes } from './routes/alerts.routes.ts';

export { analyticsServices, type AnalyticsServices } from './services.ts';

/** Analytics: daily rollups, KPIs, dashboards, reports, alerts. */
export const analyticsCapability: Capability = {
  name: 'analytics',
  routes(app, platform) {
    const s = analyticsServices(platform);
    analyticsRoutes(app, s);
    reportsRoutes(app, s);
    alertsRoutes(app, s);
  },
  jobs(platform) {
    const s = analyticsServices(platform);
    s.rollups.register();
    s.delivery.register();
    s.reports.register();
    s.alerts.register();
  },
};
