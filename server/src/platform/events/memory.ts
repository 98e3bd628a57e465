import type { EventBus, LiveEvent } from './bus.ts';

export type ListenerErrorHandler = (err: unknown, event: LiveEvent) => void;

const reportToStderr: ListenerErrorHandler = (err, event) => {
  console.error(`event listener failed on "${event.type}"`, err);
};

/**
 * Per-org listener sets. Also the local fan-out stage of the Redis bus, so delivery rules (isolation,
 * error containment) live in one place.
 */
export class ListenerRegistry {
  // Entries are wrapper objects so subscribing the same function twice gives two independent
  // subscriptions, each removed only by its own unsubscribe.
  readonly #byOrg = new Map<string, Set<{ fn: (event: LiveEvent) => void }>>();
  readonly #onError: ListenerErrorHandler;

  constructor(onError: ListenerErrorHandler = reportToStderr) {
    this.#onError = onError;
  }

  /** `onFirst`/`onLast` fire when an org gains its first or loses its last listener. */
  add(orgId: string, fn: (event: LiveEvent) => void, hooks?: { onFirst?: () => void; onLast?: () => void }) {
    let set = this.#byOrg.get(orgId);
    if (!set) {
      set = new Set();
      this.#byOrg.set(orgId, set);
      hooks?.onFirst?.();
    }
    const entry = { fn };
    set.add(entry);
    let active = true;
    return () => {
      if (!active) return;
      active = false;
      const current = this.#byOrg.get(orgId);
      if (!current?.delete(entry) || current.size > 0) return;
      this.#byOrg.delete(orgId);
      hooks?.onLast?.();
    };
  }

  deliver(event: LiveEvent): void {
    const set = this.#byOrg.get(event.orgId);
    if (!set) return;
    // Snapshot: a listener that unsubscribes (itself or another) mid-delivery must not make us skip one.
    for (const { fn } of [...set]) {
      try {
        fn(event);
      } catch (err) {
        this.#onError(err, event);
      }
    }
  }

  orgs(): string[] {
    return [...this.#byOrg.keys()];
  }

  clear(): void {
    this.#byOrg.clear();
  }
}

/** Single-process bus: right for the embedded setup, wrong as soon as there are two API instances. */
export class MemoryEventBus implements EventBus {
  readonly #listeners: ListenerRegistry;
  #closed = false;

  constructor(opts: { onListenerError?: ListenerErrorHandler } = {}) {
    this.#listeners = new ListenerRegistry(opts.onListenerError);
  }

  async publish(event: Omit<LiveEvent, 'at'>): Promise<void> {
    if (this.#closed) throw new Error('event bus is closed');
    this.#listeners.deliver({ ...event, at: new Date().toISOString() });
  }

  subscribe(orgId: string, listener: (event: LiveEvent) => void): () => void {
    if (this.#closed) throw new Error('event bus is closed');
    return this.#listeners.add(orgId, listener);
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#listeners.clear();
  }
}
