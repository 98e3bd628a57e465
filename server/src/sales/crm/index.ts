import type { Capability } from '../../platform/http/app.ts';
import type { Platform } from '../../platform/platform.ts';
import { PersonasService } from '../../personas/index.ts';
import { publishingServices } from '../../publishing/index.ts';
import { generationServices } from '../../generation/index.ts';
import { SegmentsService } from './segments.service.ts';
import { FansService } from './fans.service.ts';
import { PpvService } from './ppv.service.ts';
import { PpvSender } from './ppv.sender.ts';
import { segmentsRoutes } from './segments.routes.ts';
import { fansRoutes } from './fans.routes.ts';
import { ppvRoutes } from './ppv.routes.ts';

export { upsertFan, type FanSighting } from './fans.repository.ts';
export { fansInSegment, fanInSegment, segmentCondition, segmentFilterSchema, type SegmentFilter } from './segments.ts';
export { registerFanDataPart, type FanDataPart, type Scrubber } from './fan-data.ts';
export { UNDER_18_FLAG, SELF_HARM_FLAG, NO_CONTACT_FLAGS } from './fans.service.ts';

interface Crm {
  segments: SegmentsService;
  fans: FansService;
  ppv: PpvService;
  sender: PpvSender;
}

const built = new WeakMap<Platform, Crm>();

/** One set per platform instance, shared by routes and jobs of the process. */
export function crmServices(platform: Platform): Crm {
  let c = built.get(platform);
  if (c) return c;
  const personas = new PersonasService(platform.db);
  const { channels, connectors } = publishingServices(platform);
  const { studio } = generationServices(platform);
  const segments = new SegmentsService(platform.db, personas);
  c = {
    segments,
    fans: new FansService(platform, { personas, segments }),
    ppv: new PpvService(platform, { personas, channels, segments, studio, connectors }),
    sender: new PpvSender(platform, { channels, studio, connectors }),
  };
  built.set(platform, c);
  return c;
}

export const crmCapability: Capability = {
  name: 'sales.crm',
  routes(app, platform) {
    const c = crmServices(platform);
    segmentsRoutes(app, c.segments);
    fansRoutes(app, c.fans);
    ppvRoutes(app, c.ppv);
  },
  jobs(platform) {
    crmServices(platform).sender.register();
  },
};
