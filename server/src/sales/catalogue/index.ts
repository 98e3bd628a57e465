import type { Capability } from '../../platform/http/app.ts';
import { PersonasService } from '../../personas/index.ts';
import { publishingServices } from '../../publishing/index.ts';
import { PacksService } from './packs.service.ts';
import { PriceListsService } from './price-lists.service.ts';
import { PromotionsService } from './promotions.service.ts';
import { TrackingLinksService } from './tracking-links.service.ts';
import { CatalogueService } from './catalogue.service.ts';
import { catalogueRoutes } from './catalogue.routes.ts';
import { promotionsRoutes } from './promotions.routes.ts';

export { catalogueFor, type CatalogueEntry, type CatalogueQuery } from './catalogue.service.ts';
export { effectivePrice, type EffectivePrice, type PriceContext, type PromotionTerms } from './pricing.ts';

export const catalogueCapability: Capability = {
  name: 'sales.catalogue',
  routes(app, platform) {
    const personas = new PersonasService(platform.db);
    const { channels, connectors } = publishingServices(platform);
    catalogueRoutes(app, new PacksService(platform.db, personas), new PriceListsService(platform.db, personas), new CatalogueService(platform.db, { personas, channels, connectors }));
    promotionsRoutes(app, new PromotionsService(platform.db, personas, channels), new TrackingLinksService(platform.db, { personas, channels, connectors }));
  },
};
