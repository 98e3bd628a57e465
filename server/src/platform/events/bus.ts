/**
 * Live events to the dashboard (job progress, new messages…). In-process by default; through Redis
 * pub/sub when REDIS_URL is set so every API instance sees every event. Events are always scoped to
 * one organization: a subscriber only ever receives its own org's events.
 */
export interface LiveEvent {
  type: string;
  orgId: string;
  /** Optional narrower scope, e.g. a persona id, for subscribers limited to assigned personas. */
  personaId?: string;
  data: unknown;
  at: string;
}

export interface EventBus {
  publish(event: Omit<LiveEvent, 'at'>): Promise<void>;
  subscribe(orgId: string, listener: (event: LiveEvent) => void): () => void;
  close(): Promise<void>;
}
