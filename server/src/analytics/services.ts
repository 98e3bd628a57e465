import type { Platform } from '../platform/platform.ts';
import { PersonasService } from '../personas/index.ts';
import { publishingServices } from '../publishing/index.ts';
import { abTesting } from '../publishing/variants.routes.ts';
import { ledgerServices } from '../sales/ledger/index.ts';
import { TrackingLinksService } from '../sales/catalogue/tracking-links.service.ts';
import { DashboardService } from './dashboard.service.ts';
import { RollupService } from './rollups/rollup.service.ts';
import { SettingsService } from './settings.service.ts';

export interface AnalyticsServices {
  dashboard: DashboardService;
  rollups: RollupService;
  settings: SettingsService;
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
  s = {
    dashboard: new DashboardService(platform, { personas, channels, variants, reporting }),
    rollups: new RollupService(platform, { personas, reporting, billing, links }),
    settings: new SettingsService(platform),
  };
  built.set(platform, s);
  return s;
}
