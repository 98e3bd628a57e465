import type { Platform } from '../platform/platform.ts';
import { PersonasService } from '../personas/index.ts';
import { publishingServices } from '../publishing/index.ts';
import { abTesting } from '../publishing/variants.routes.ts';
import { ledgerServices } from '../sales/ledger/index.ts';
import { TrackingLinksService } from '../sales/catalogue/tracking-links.service.ts';
import { DashboardService } from './dashboard.service.ts';
import { RollupService } from './rollups/rollup.service.ts';
import { SettingsService } from './settings.service.ts';
import { RhythmService } from '../publishing/rhythm.service.ts';
import { DestinationsService } from './delivery/destinations.service.ts';
import { DeliveryService } from './delivery/delivery.service.ts';
import { ReportsService } from './reports/reports.service.ts';
import { AlertsService } from './alerts/alerts.service.ts';
import { generationServices } from '../generation/index.ts';

export interface AnalyticsServices {
  dashboard: DashboardService;
  rollups: RollupService;
  settings: SettingsService;
  destinations: DestinationsService;
  delivery: DeliveryService;
  reports: ReportsService;
  alerts: AlertsService;
}

const built = new WeakMap<Platform, AnalyticsServices>();

/** One set per platform instance, shared by routes and jobs of the process. */
export function analyticsServices(platform: Platform): AnalyticsServices {
  let s = built.get(platform);
  if (s) return s;
  const personas = new PersonasService(platform.db);
  const publishing = publishingServices(platform);
  const { channels, connectors } = publishing;
  const { variants } = abTesting(platform, publishing);
  const { reporting, billing } = ledgerServices(platform);
  const links = new TrackingLinksService(platform.db, { personas, channels, connectors });
  const rollups = new RollupService(platform, { personas, reporting, billing, links });
  const settings = new SettingsService(platform);
  const destinations = new DestinationsService(platform);
  const delivery = new DeliveryService(platform, destinations);
  const rhythm = new RhythmService(platform, { personas, channels });
  s = {
    dashboard: new DashboardService(platform, { personas, channels, variants, reporting }),
    rollups,
    settings,
    destinations,
    delivery,
    reports: new ReportsService(platform, { personas, reporting, rollups, settings, delivery, rhythm }),
    alerts: new AlertsService(platform, { settings, delivery, channels, personas, providers: generationServices(platform).providers }),
  };
  built.set(platform, s);
  return s;
}
