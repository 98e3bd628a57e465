import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { EventBus, LiveEvent } from './bus.ts';

export interface StreamEventsOptions {
  /** e.g. keep only the personas a member is assigned to. */
  filter?: (event: LiveEvent) => boolean;
  /** Keeps proxies and load balancers from closing a quiet stream. */
  heartbeatMs?: number;
  /** A client that stops reading is dropped once this much is queued, instead of growing memory. */
  maxBufferedBytes?: number;
}

// Keyed by the underlying http server, which every encapsulated Fastify context shares, so
// closeEventStreams(app) finds streams opened from routes in any plugin.
const openStreams = new WeakMap<object, Set<() => void>>();

/**
 * Turns the request into a `text/event-stream` of the org's live events until the client leaves.
 * Call it once authorization is settled and with no DB connection or transaction checked out: the
 * stream lives as long as the browser tab, and anything it holds is held that long.
 */
export function streamEvents(
  request: FastifyRequest,
  reply: FastifyReply,
  bus: EventBus,
  orgId: string,
  opts: StreamEventsOptions = {},
): void {
  const { filter, heartbeatMs = 15_000, maxBufferedBytes = 1 << 20 } = opts;
  const res = reply.raw;

  // Subscribed before hijacking so a failure here (bus closed during shutdown) is still an ordinary
  // error response. No event can arrive before `write` exists: delivery never re-enters this function.
  const unsubscribe = bus.subscribe(orgId, (event) => {
    if (filter && !filter(event)) return;
    write(`event: ${sanitizeType(event.type)}\ndata: ${JSON.stringify(event)}\n\n`);
  });

  reply.hijack();
  // Hijacking skips Fastify's header handling, so carry over what hooks already set (CORS, helmet).
  for (const [name, value] of Object.entries(reply.getHeaders())) {
    if (value !== undefined) res.setHeader(name, value);
  }
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    // nginx buffers proxied responses by default, which would hold events back indefinitely.
    'x-accel-buffering': 'no',
  });
  // Flushes the headers so the client's EventSource opens now rather than at the first event.
  res.write(': connected\n\n');

  let closed = false;
  const write = (chunk: string) => {
    if (closed || res.destroyed || res.writableEnded) return;
    if (res.writableLength > maxBufferedBytes) {
      request.log.warn({ orgId }, 'event stream client too slow, closing');
      end();
      return;
    }
    res.write(chunk);
  };

  const heartbeat = setInterval(() => write(': ping\n\n'), heartbeatMs);

  const registry = openStreams.get(request.server.server) ?? new Set<() => void>();
  openStreams.set(request.server.server, registry);

  const cleanup = () => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    unsubscribe();
    registry.delete(end);
  };
  function end() {
    cleanup();
    if (!res.writableEnded) res.end();
  }
  registry.add(end);

  res.on('close', cleanup);
  // A reset socket emits 'error' on the response; with the cleanup attached it is not unhandled.
  res.on('error', cleanup);
}

/**
 * Ends every open event stream of this app. Streams never go idle, so without this `app.close()`
 * waits for each browser to disconnect; wire it as `app.addHook('preClose', ...)`.
 */
export function closeEventStreams(app: FastifyInstance): void {
  const registry = openStreams.get(app.server);
  if (!registry) return;
  for (const end of [...registry]) end();
}

// A newline in the event name would let the name inject its own SSE fields.
function sanitizeType(type: string): string {
  return type.replace(/[\r\n]/g, ' ');
}
