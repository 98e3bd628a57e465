import type { Capability } from './platform/http/app.ts';
import { authRoutes } from './platform/auth/auth.routes.ts';
import { auditRoutes } from './platform/audit/audit.routes.ts';
import { systemRoutes } from './platform/http/system.routes.ts';
import { personasCapability } from './personas/index.ts';
import { teamCapability } from './team/index.ts';
import { channelsCapability } from './channels/index.ts';
import { generationCapability } from './generation/index.ts';
import { publishingCapability } from './publishing/index.ts';
import { catalogueCapability } from './sales/catalogue/index.ts';
import { crmCapability } from './sales/crm/index.ts';
import { ledgerCapability } from './sales/ledger/index.ts';
import { chatCapability } from './chat/index.ts';
import { analyticsCapability } from './analytics/index.ts';

/** Everything the product is made of, in one list: adding a capability touches its folder and this line. */
export const capabilities: Capability[] = [
  { name: 'system', routes: systemRoutes },
  { name: 'auth', routes: authRoutes },
  { name: 'audit', routes: auditRoutes },
  teamCapability,
  personasCapability,
  channelsCapability,
  generationCapability,
  publishingCapability,
  catalogueCapability,
  crmCapability,
  ledgerCapability,
  chatCapability,
  analyticsCapability,
];
