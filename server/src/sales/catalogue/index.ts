import type { Capability } from '../../platform/http/app.ts';

export const catalogueCapability: Capability = {
  name: 'sales.catalogue',
};
