import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import type { LiveEvent } from '../../src/platform/events/bus.ts';
import { RedisEventBus } from '../../src/platform/events/redis.ts';

const redisUrl = 'redis://127.0.0.1:6379';

function nextEvent(events: LiveEvent[], count: number, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const check = () => {
      if (events.length >= count) return resolve();
      if (Date.now() > deadline) return reject(new Error(`expected ${count} events, got ${events.length}`));
      setTimeout(check, 10);
    };
    check();
  });
}

describe('RedisEventBus', () => {
  // A fresh prefix per run keeps parallel test files (and reruns) off each other's channels.
  const prefix = `test-${randomUUID()}`;
  const buses: RedisEventBus[] = [];
  const open = () => {
    const bus = new RedisEventBus({ redisUrl, prefix });
    buses.push(bus);
    return bus;
  };

  afterEach(async () => {
    await Promise.all(buses.splice(0).map((b) => b.close()));
  });

  it('carries an event from one instance to a subscriber on another, within its org only', async () => {
    const apiA = open();
    const apiB = open();
    const mine: LiveEvent[] = [];
    const other: LiveEvent[] = [];
    apiB.subscribe('org-1', (e) => mine.push(e));
    apiB.subscribe('org-2', (e) => other.push(e));
    await Promise.all([apiB.ready('org-1'), apiB.ready('org-2')]);

    await apiA.publish({ type: 'message.new', orgId: 'org-1', personaId: 'p1', data: { text: 'hi' } });
    // A marker on the other org, published after: once it has arrived, org-1's event would have too.
    await apiA.publish({ type: 'marker', orgId: 'org-2', data: null });
    await nextEvent(other, 1);

    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ type: 'message.new', orgId: 'org-1', personaId: 'p1', data: { text: 'hi' } });
    expect(other.map((e) => e.type)).toEqual(['marker']);
  });

  it('drops payloads on an org channel that claim another org or are malformed', async () => {
    const bus = open();
    const seen: LiveEvent[] = [];
    bus.subscribe('org-1', (e) => seen.push(e));
    await bus.ready('org-1');
    const raw = new Redis(redisUrl);
    const channel = `${prefix}:events:org-1`;
    const at = new Date().toISOString();

    try {
      // Written straight to org-1's channel, bypassing publish(), the way a buggy writer would.
      await raw.publish(channel, JSON.stringify({ type: 'leak', orgId: 'org-2', data: null, at }));
      await raw.publish(channel, 'not json');
      await raw.publish(channel, JSON.stringify({ type: 'ok', orgId: 'org-1', data: null, at }));
      await nextEvent(seen, 1);
    } finally {
      await raw.quit();
    }
    expect(seen.map((e) => e.type)).toEqual(['ok']);
  });

  it('stops receiving after the last unsubscribe and closes cleanly', async () => {
    const apiA = open();
    const apiB = open();
    const seen: LiveEvent[] = [];
    const stop = apiB.subscribe('org-1', (e) => seen.push(e));
    await apiB.ready('org-1');
    stop();
    const marker: LiveEvent[] = [];
    apiB.subscribe('org-9', (e) => marker.push(e));
    await apiB.ready('org-9');

    await apiA.publish({ type: 'late', orgId: 'org-1', data: null });
    await apiA.publish({ type: 'marker', orgId: 'org-9', data: null });
    await nextEvent(marker, 1);

    expect(seen).toHaveLength(0);
  });
});
