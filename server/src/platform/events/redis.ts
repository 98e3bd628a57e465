import { Redis } from 'ioredis';
import type { EventBus, LiveEvent } from './bus.ts';
import { ListenerRegistry, type ListenerErrorHandler } from './memory.ts';

export interface RedisEventBusOptions {
  redisUrl: string;
  /** Namespaces channels so several deployments (or parallel test files) can share one Redis. */
  prefix?: string;
  onListenerError?: ListenerErrorHandler;
  /** Connection-level failures; ioredis reconnects (and resubscribes) on its own. */
  onConnectionError?: (err: unknown) => void;
}

/**
 * One channel per org, `${prefix}:events:${orgId}`, rather than one shared channel with the org in
 * the payload: Redis then does the filtering, so an instance only receives traffic for orgs it has
 * live listeners on, and a cross-org leak would need a wrong channel name instead of one forgotten
 * check. Plain SUBSCRIBE (never PSUBSCRIBE) so org ids are matched exactly, not as glob patterns.
 * The price is a SUBSCRIBE/UNSUBSCRIBE when an org's first dashboard connects or its last one leaves.
 */
export class RedisEventBus implements EventBus {
  readonly #pub: Redis;
  readonly #sub: Redis;
  readonly #channelPrefix: string;
  readonly #listeners: ListenerRegistry;
  readonly #onConnectionError: (err: unknown) => void;
  readonly #subscribing = new Map<string, Promise<void>>();
  #closed: Promise<void> | undefined;

  constructor(opts: RedisEventBusOptions) {
    this.#channelPrefix = `${opts.prefix ?? 'atelier'}:events:`;
    this.#listeners = new ListenerRegistry(opts.onListenerError);
    this.#onConnectionError =
      opts.onConnectionError ?? ((err) => console.error('event bus redis connection error', err));
    // A connection in subscriber mode cannot PUBLISH, hence two.
    this.#pub = new Redis(opts.redisUrl);
    this.#sub = this.#pub.duplicate();
    for (const client of [this.#pub, this.#sub]) client.on('error', this.#onConnectionError);
    this.#sub.on('message', (channel: string, message: string) => this.#receive(channel, message));
  }

  async publish(event: Omit<LiveEvent, 'at'>): Promise<void> {
    if (this.#closed) throw new Error('event bus is closed');
    const full: LiveEvent = { ...event, at: new Date().toISOString() };
    await this.#pub.publish(this.#channel(event.orgId), JSON.stringify(full));
  }

  subscribe(orgId: string, listener: (event: LiveEvent) => void): () => void {
    if (this.#closed) throw new Error('event bus is closed');
    const channel = this.#channel(orgId);
    return this.#listeners.add(orgId, listener, {
      onFirst: () => {
        const done = this.#sub.subscribe(channel).then(
          () => undefined,
          (err: unknown) => this.#onConnectionError(err),
        );
        this.#subscribing.set(orgId, done);
      },
      onLast: () => {
        this.#subscribing.delete(orgId);
        if (this.#closed) return;
        this.#sub.unsubscribe(channel).catch((err: unknown) => this.#onConnectionError(err));
      },
    });
  }

  /**
   * Resolves once Redis has acknowledged the org's subscription. `subscribe` cannot wait (the
   * interface is synchronous), so events published in between are missed; callers that care (tests,
   * "subscribe then trigger" flows) await this.
   */
  async ready(orgId: string): Promise<void> {
    await this.#subscribing.get(orgId);
  }

  close(): Promise<void> {
    this.#closed ??= (async () => {
      this.#listeners.clear();
      this.#subscribing.clear();
      await Promise.all([quit(this.#sub), quit(this.#pub)]);
    })();
    return this.#closed;
  }

  #channel(orgId: string): string {
    return this.#channelPrefix + orgId;
  }

  #receive(channel: string, message: string): void {
    if (!channel.startsWith(this.#channelPrefix)) return;
    const orgId = channel.slice(this.#channelPrefix.length);
    let event: unknown;
    try {
      event = JSON.parse(message);
    } catch {
      return;
    }
    // Whatever else wrote to the channel, a listener must never see another org's event.
    if (!isLiveEvent(event) || event.orgId !== orgId) return;
    this.#listeners.deliver(event);
  }
}

function isLiveEvent(value: unknown): value is LiveEvent {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.type === 'string' && typeof v.orgId === 'string' && typeof v.at === 'string';
}

// QUIT waits for Redis to answer; while it is unreachable that could be forever, and shutdown must end.
async function quit(client: Redis): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), 2_000);
  });
  try {
    const outcome = await Promise.race([client.quit(), timeout]);
    if (outcome === 'timeout') client.disconnect();
  } catch {
    client.disconnect();
  } finally {
    clearTimeout(timer);
  }
}
