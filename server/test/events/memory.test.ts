import { describe, expect, it, vi } from 'vitest';
import type { LiveEvent } from '../../src/platform/events/bus.ts';
import { MemoryEventBus } from '../../src/platform/events/memory.ts';

describe('MemoryEventBus', () => {
  it('delivers an event only to subscribers of its org', async () => {
    const bus = new MemoryEventBus();
    const a: LiveEvent[] = [];
    const b: LiveEvent[] = [];
    bus.subscribe('org-a', (e) => a.push(e));
    bus.subscribe('org-b', (e) => b.push(e));

    await bus.publish({ type: 'job.progress', orgId: 'org-a', data: { pct: 50 } });

    expect(a).toHaveLength(1);
    expect(a[0]).toMatchObject({ type: 'job.progress', orgId: 'org-a', data: { pct: 50 } });
    expect(typeof a[0]?.at).toBe('string');
    expect(b).toHaveLength(0);
    await bus.close();
  });

  it('keeps delivering to other listeners when one throws', async () => {
    const onListenerError = vi.fn();
    const bus = new MemoryEventBus({ onListenerError });
    const seen: string[] = [];
    bus.subscribe('org', () => {
      throw new Error('boom');
    });
    bus.subscribe('org', (e) => seen.push(e.type));

    await bus.publish({ type: 'x', orgId: 'org', data: null });

    expect(seen).toEqual(['x']);
    expect(onListenerError).toHaveBeenCalledOnce();
    await bus.close();
  });

  it('stops delivering after unsubscribe, independently per subscription', async () => {
    const bus = new MemoryEventBus();
    const listener = vi.fn();
    const first = bus.subscribe('org', listener);
    bus.subscribe('org', listener);
    first();
    first();

    await bus.publish({ type: 'x', orgId: 'org', data: null });

    expect(listener).toHaveBeenCalledOnce();
    await bus.close();
  });
});
