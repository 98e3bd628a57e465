import type { Capability } from '../platform/http/app.ts';
import { SecretStore } from '../platform/secrets/secret-store.ts';
import { ChannelsService } from './channels.service.ts';
import { channelsRoutes } from './channels.routes.ts';
import { PersonasService } from '../personas/index.ts';
import { publishingServices } from '../publishing/index.ts';
import { PlatformAppsService } from './platform-apps.service.ts';
import { platformAppsRoutes } from './platform-apps.routes.ts';
import { OAuthConnectService } from './oauth.service.ts';
import { oauthRoutes } from './oauth.routes.ts';

export { ChannelsService } from './channels.service.ts';

export const channelsCapability: Capability = {
  name: 'channels',
  routes: (app, platform) => {
    const personas = new PersonasService(platform.db);
    const secrets = new SecretStore(platform.keyring);
    const channels = new ChannelsService(platform.db, secrets, personas, platform.events);
    channelsRoutes(app, channels);
    const apps = new PlatformAppsService(platform.db, secrets);
    platformAppsRoutes(app, apps, platform.env);
    // The publishing registry, so a connector swapped for a fake (tests) serves the connect flow too.
    const connectors = () => publishingServices(platform).connectors;
    oauthRoutes(app, new OAuthConnectService({ db: platform.db, keyring: platform.keyring, channels, personas, apps, connectors, log: platform.log }), platform.env);
  },
};
