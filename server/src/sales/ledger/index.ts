import type { Capability } from '../../platform/http/app.ts';

export const ledgerCapability: Capability = {
  name: 'sales.ledger',
};
