import type { Capability } from '../platform/http/app.ts';
import { SecretStore } from '../platform/secrets/secret-store.ts';
import { ChannelsService } from './channels.service.ts';
import { channelsRoutes } from './channels.routes.ts';
import { PersonasService } from '../personas/index.ts';

export { ChannelsService } from './channels.service.ts';

export const channelsCapability: Capability = {
  name: 'channels',
  routes: (app, platform) => channelsRoutes(app, new ChannelsService(platform.db, new SecretStore(platform.keyring), new PersonasService(platform.db))),
};
