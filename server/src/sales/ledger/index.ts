import type { Capability } from '../../platform/http/app.ts';
import type { Platform } from '../../platform/platform.ts';
import { PersonasService } from '../../personas/index.ts';
import { publishingServices } from '../../publishing/index.ts';
import { LedgerService } from './ledger.service.ts';
import { CsvImportService } from './csv-import.service.ts';
import { FanvueEarningsSync } from './fanvue-sync.ts';
import { ReportingService } from './reporting.service.ts';
import { RatesService } from './rates.service.ts';
import { BillingService } from './billing.service.ts';
import { ledgerRoutes } from './ledger.routes.ts';
import { billingRoutes } from './billing.routes.ts';

export { LedgerService } from './ledger.service.ts';
export { loadConverter, MissingRateError, type Converter } from './rates.ts';

interface Ledger {
  ledger: LedgerService;
  csv: CsvImportService;
  sync: FanvueEarningsSync;
  reporting: ReportingService;
  rates: RatesService;
  billing: BillingService;
}

const built = new WeakMap<Platform, Ledger>();

/** One set per platform instance, shared by routes and jobs of the process. */
export function ledgerServices(platform: Platform): Ledger {
  let l = built.get(platform);
  if (l) return l;
  const personas = new PersonasService(platform.db);
  const { channels, connectors } = publishingServices(platform);
  l = {
    ledger: new LedgerService(platform.db, personas),
    csv: new CsvImportService(platform.db, personas, platform.events),
    sync: new FanvueEarningsSync(platform, channels, connectors),
    reporting: new ReportingService(platform.db),
    rates: new RatesService(platform.db),
    billing: new BillingService(platform, personas),
  };
  built.set(platform, l);
  return l;
}

export const ledgerCapability: Capability = {
  name: 'sales.ledger',
  routes(app, platform) {
    const l = ledgerServices(platform);
    ledgerRoutes(app, l);
    billingRoutes(app, l.billing);
  },
  jobs(platform) {
    ledgerServices(platform).sync.register();
  },
};
