import type { Capability } from '../platform/http/app.ts';
import type { Platform } from '../platform/platform.ts';
import { SecretStore } from '../platform/secrets/secret-store.ts';
import { PersonasService } from '../personas/index.ts';
import { ChannelsService } from '../channels/index.ts';
import { generationServices } from '../generation/index.ts';
import { Connectors } from './connectors/registry.ts';
import { OnlyFansExportConnector } from './connectors/onlyfans/index.ts';
import { CalendarService } from './calendar.service.ts';
import { Dispatcher } from './dispatcher.ts';
import { publishingRoutes } from './publishing.routes.ts';
import { engagementService, registerEngagement } from './engagement/index.ts';
import { planningRoutes } from './planning.routes.ts';
import { abTesting, variantsRoutes } from './variants.routes.ts';

interface Publishing {
  connectors: Connectors;
  channels: ChannelsService;
  calendar: CalendarService;
  dispatcher: Dispatcher;
}

const built = new WeakMap<Platform, Publishing>();

/** One set per platform instance, shared by routes and jobs of the process. */
export function publishingServices(platform: Platform): Publishing {
  let p = built.get(platform);
  if (p) return p;
  const personas = new PersonasService(platform.db);
  const channels = new ChannelsService(platform.db, new SecretStore(platform.keyring), personas, platform.events);
  const connectors = new Connectors(platform.env);
  const { studio } = generationServices(platform);
  p = {
    connectors,
    channels,
    calendar: new CalendarService(platform, { personas, channels, studio, connectors }),
    dispatcher: new Dispatcher(platform, { channels, studio, connectors }),
  };
  platform.onClose(() => p!.dispatcher.close());
  built.set(platform, p);
  return p;
}

export const publishingCapability: Capability = {
  name: 'publishing',
  routes(app, platform) {
    const p = publishingServices(platform);
    publishingRoutes(app, p.calendar, p.channels, p.connectors.get('onlyfans_export') as OnlyFansExportConnector, p.connectors);
    registerEngagement(app, platform, p);
    planningRoutes(app, platform, p);
    variantsRoutes(app, platform, p);
  },
  jobs(platform) {
    publishingServices(platform).dispatcher.register();
    engagementService(platform, publishingServices(platform)).register();
    abTesting(platform, publishingServices(platform)).metrics.register();
  },
};
