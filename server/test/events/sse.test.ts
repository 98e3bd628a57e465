import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import type { EventBus, LiveEvent } from '../../src/platform/events/bus.ts';
import { MemoryEventBus } from '../../src/platform/events/memory.ts';
import { closeEventStreams, streamEvents } from '../../src/platform/events/sse.ts';

// Counts live subscriptions so the test can see the stream let go of the bus.
function trackingBus(): EventBus & { active: number } {
  const inner = new MemoryEventBus();
  const bus = {
    active: 0,
    publish: (e: Omit<LiveEvent, 'at'>) => inner.publish(e),
    subscribe(orgId: string, fn: (e: LiveEvent) => void) {
      const off = inner.subscribe(orgId, fn);
      bus.active++;
      return () => {
        bus.active--;
        off();
      };
    },
    close: () => inner.close(),
  };
  return bus;
}

async function until(cond: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Reads SSE text until `done(text)` holds. */
async function readUntil(body: ReadableStream<Uint8Array>, done: (text: string) => boolean): Promise<string> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  try {
    while (!done(text)) {
      const { value, done: ended } = await reader.read();
      if (ended) break;
      text += decoder.decode(value, { stream: true });
    }
  } finally {
    reader.releaseLock();
  }
  return text;
}

// Records intervals started and cleared from here on, to prove the heartbeat does not outlive the client.
function watchIntervals() {
  const started = new Set<unknown>();
  const cleared = new Set<unknown>();
  const set = vi.spyOn(globalThis, 'setInterval').mockImplementation(((...args: Parameters<typeof setInterval>) => {
    const handle = realSetInterval(...args);
    started.add(handle);
    return handle;
  }) as typeof setInterval);
  const clear = vi.spyOn(globalThis, 'clearInterval').mockImplementation((handle) => {
    cleared.add(handle);
    realClearInterval(handle);
  });
  return {
    leaked: () => [...started].filter((h) => !cleared.has(h)).length,
    started: () => started.size,
    restore: () => {
      set.mockRestore();
      clear.mockRestore();
    },
  };
}
const realSetInterval = globalThis.setInterval;
const realClearInterval = globalThis.clearInterval;

describe('streamEvents', () => {
  let app: FastifyInstance | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  async function start(bus: EventBus, heartbeatMs?: number): Promise<string> {
    app = Fastify();
    app.addHook('onRequest', async (_req, reply) => {
      reply.header('x-request-scope', 'kept');
    });
    app.addHook('preClose', async () => closeEventStreams(app!));
    app.get('/events', async (request, reply) => {
      streamEvents(request, reply, bus, 'org-1', {
        heartbeatMs,
        filter: (e) => e.personaId !== 'hidden',
      });
    });
    return app.listen({ host: '127.0.0.1', port: 0 });
  }

  it('streams the org events, filtered, then lets go of the bus and its timer on disconnect', async () => {
    const bus = trackingBus();
    const base = await start(bus, 50);
    const intervals = watchIntervals();
    onTestFinished(() => intervals.restore());
    const abort = new AbortController();

    const res = await fetch(`${base}/events`, { signal: abort.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(res.headers.get('x-accel-buffering')).toBe('no');
    expect(res.headers.get('x-request-scope')).toBe('kept');
    await until(() => bus.active === 1);

    await bus.publish({ type: 'other.org', orgId: 'org-2', data: {} });
    await bus.publish({ type: 'secret.persona', orgId: 'org-1', personaId: 'hidden', data: {} });
    await bus.publish({ type: 'job.progress', orgId: 'org-1', data: { pct: 10 } });
    const text = await readUntil(res.body!, (t) => t.includes('event: job.progress') && t.includes(': ping'));

    const block = text.split('\n\n').find((b) => b.startsWith('event: job.progress'))!;
    const data = JSON.parse(block.split('\n')[1]!.slice('data: '.length)) as LiveEvent;
    expect(data).toMatchObject({ type: 'job.progress', orgId: 'org-1', data: { pct: 10 } });
    expect(text).not.toContain('other.org');
    expect(text).not.toContain('secret.persona');

    abort.abort();
    await until(() => bus.active === 0);
    expect(intervals.started()).toBeGreaterThan(0);
    expect(intervals.leaked()).toBe(0);
  });

  it('does not keep app.close() waiting on a connected client', async () => {
    const bus = trackingBus();
    const base = await start(bus);
    const res = await fetch(`${base}/events`);
    await until(() => bus.active === 1);

    await app!.close();
    app = undefined;

    expect(bus.active).toBe(0);
    // The stream was ended, not cut: the reader sees a clean end.
    await readUntil(res.body!, () => false);
  });
});
