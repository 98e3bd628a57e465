import { readFileSync } from 'node:fs';
import type { Capability } from '../platform/http/app.ts';
import type { Platform } from '../platform/platform.ts';
import { SecretStore } from '../platform/secrets/secret-store.ts';
import { PersonasService } from '../personas/index.ts';
import { createNsfwRater } from '../safety/rating.ts';
import type { Rater } from '../safety/types.ts';
import { ProvidersService } from './providers/providers.service.ts';
import { providersRoutes } from './providers/providers.routes.ts';
import { StudioService } from './studio.service.ts';
import { LibraryService } from './library.service.ts';
import { GenerationRunner } from './runner.ts';
import { DailyPlanner } from './daily-plan.ts';
import { PromptGate, parseDenyNames } from './safety-gate.ts';
import { studioRoutes } from './studio.routes.ts';

export { StudioService } from './studio.service.ts';
export { LibraryService } from './library.service.ts';

interface Generation {
  providers: ProvidersService;
  studio: StudioService;
  library: LibraryService;
  runner: GenerationRunner;
  planner: DailyPlanner;
}

// One set of services per platform instance: routes and jobs of the same process share them.
const built = new WeakMap<Platform, Generation>();

export function generationServices(platform: Platform, rater?: Rater): Generation {
  let g = built.get(platform);
  if (g) return g;
  const { env } = platform;
  const denyNames = parseDenyNames(env.ATELIER_DENY_NAMES, env.ATELIER_DENY_NAMES_FILE ? readFileSync(env.ATELIER_DENY_NAMES_FILE, 'utf8') : undefined);
  const personas = new PersonasService(platform.db);
  const providers = new ProvidersService(platform.db, new SecretStore(platform.keyring), platform.metrics);
  const theRater = rater ?? createNsfwRater({ thresholds: { explicit: env.RATING_EXPLICIT_THRESHOLD, suggestive: env.RATING_SUGGESTIVE_THRESHOLD } });
  const studio = new StudioService(platform, personas, new PromptGate(platform.db, denyNames));
  g = {
    providers,
    studio,
    library: new LibraryService(platform, personas, theRater),
    runner: new GenerationRunner(platform, providers, theRater),
    planner: new DailyPlanner(platform, studio),
  };
  built.set(platform, g);
  return g;
}

export const generationCapability: Capability = {
  name: 'generation',
  routes(app, platform) {
    const g = generationServices(platform);
    providersRoutes(app, g.providers);
    studioRoutes(app, platform, g.studio, g.library);
  },
  jobs(platform) {
    const g = generationServices(platform);
    g.runner.register();
    g.planner.register();
  },
};
