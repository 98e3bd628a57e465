import type { Principal } from '../platform/auth/principal.ts';

/**
 * The principal scheduled analytics work acts as when it reads through other capabilities' services
 * (ledger, tracking links, channels): the whole organization, no user. Never handed to a route.
 */
export const systemPrincipal = (orgId: string): Principal => ({ orgId, role: 'owner', userId: null, apiKeyId: null, personaScope: null, sessionId: null });
