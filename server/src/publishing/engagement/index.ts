import { readFileSync } from 'node:fs';
import type { App } from '../../platform/http/app.ts';
import type { Platform } from '../../platform/platform.ts';
import { PersonasService } from '../../personas/index.ts';
import type { ChannelsService } from '../../channels/index.ts';
import { generationServices } from '../../generation/index.ts';
import { PromptGate, parseDenyNames } from '../../generation/safety-gate.ts';
import type { Connectors } from '../connectors/registry.ts';
import { EngagementService } from './engagement.service.ts';
import { engagementRoutes } from './engagement.routes.ts';

export { EngagementService } from './engagement.service.ts';

const built = new WeakMap<Platform, EngagementService>();

/** One service per platform instance, on the publishing capability's channels and connectors (tests swap connectors there). */
export function engagementService(platform: Platform, deps: { channels: ChannelsService; connectors: Connectors }): EngagementService {
  let service = built.get(platform);
  if (service) return service;
  const { env } = platform;
  const denyNames = parseDenyNames(env.ATELIER_DENY_NAMES, env.ATELIER_DENY_NAMES_FILE ? readFileSync(env.ATELIER_DENY_NAMES_FILE, 'utf8') : undefined);
  const { studio, providers } = generationServices(platform);
  service = new EngagementService(platform, { ...deps, personas: new PersonasService(platform.db), studio, providers, gate: new PromptGate(platform.db, denyNames), denyNames });
  built.set(platform, service);
  return service;
}

export function registerEngagement(app: App, platform: Platform, deps: { channels: ChannelsService; connectors: Connectors }) {
  engagementRoutes(app, engagementService(platform, deps));
}
