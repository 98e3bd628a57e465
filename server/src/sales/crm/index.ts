import type { Capability } from '../../platform/http/app.ts';

export const crmCapability: Capability = {
  name: 'sales.crm',
};
