import type { EventBus } from './bus.ts';
import { MemoryEventBus, type ListenerErrorHandler } from './memory.ts';
import { RedisEventBus } from './redis.ts';

export type { EventBus, LiveEvent } from './bus.ts';
export { MemoryEventBus } from './memory.ts';
export { RedisEventBus } from './redis.ts';
export { streamEvents, closeEventStreams } from './sse.ts';

export interface EventBusOptions {
  /** Set when more than one API instance runs; unset keeps events in-process. */
  redisUrl?: string;
  /** Redis channel namespace; ignored in-process. */
  prefix?: string;
  onListenerError?: ListenerErrorHandler;
  onConnectionError?: (err: unknown) => void;
}

export function createEventBus(opts: EventBusOptions = {}): EventBus {
  if (!opts.redisUrl) return new MemoryEventBus({ onListenerError: opts.onListenerError });
  return new RedisEventBus({
    redisUrl: opts.redisUrl,
    prefix: opts.prefix,
    onListenerError: opts.onListenerError,
    onConnectionError: opts.onConnectionError,
  });
}
