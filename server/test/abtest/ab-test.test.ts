import { describe, expect, it } from 'vitest';
import { evaluate, MIN_IMPRESSIONS, seededRng, WIN_PROBABILITY } from '../../src/publishing/ab-test.ts';
import { variantTime } from '../../src/publishing/variants.service.ts';

const rng = () => seededRng('post-1');

describe('A/B test by Thompson sampling', () => {
  it('decides a clear winner once every variant has enough impressions', () => {
    const verdict = evaluate(
      [
        { key: 'A', impressions: 4000, successes: 400 },
        { key: 'B', impressions: 4000, successes: 240 },
      ],
      { rng: rng() },
    );
    expect(verdict.reason).toBe('decided');
    expect(verdict.winner).toBe('A');
    expect(verdict.probabilities!.A).toBeGreaterThanOrEqual(WIN_PROBABILITY);
    expect(verdict.probabilities!.A! + verdict.probabilities!.B!).toBeCloseTo(1, 10);
  });

  it('leaves a close race undecided', () => {
    const verdict = evaluate(
      [
        { key: 'A', impressions: 2000, successes: 100 },
        { key: 'B', impressions: 2000, successes: 104 },
        { key: 'C', impressions: 2000, successes: 98 },
      ],
      { rng: rng() },
    );
    expect(verdict.winner).toBeNull();
    expect(verdict.reason).toBe('too_close');
    for (const p of Object.values(verdict.probabilities!)) expect(p).toBeLessThan(WIN_PROBABILITY);
  });

  it('cannot decide while a variant has no impressions reported', () => {
    const verdict = evaluate(
      [
        { key: 'A', impressions: 5000, successes: 900 },
        { key: 'B', impressions: null, successes: 3 },
      ],
      { rng: rng() },
    );
    expect(verdict).toEqual({ probabilities: null, winner: null, reason: 'no_impressions' });
    expect(evaluate([{ key: 'A', impressions: 10, successes: 1 }, { key: 'B', impressions: 0, successes: 0 }]).reason).toBe('no_impressions');
  });

  it('waits for the minimum of impressions even when one variant leads strongly', () => {
    const verdict = evaluate(
      [
        { key: 'A', impressions: MIN_IMPRESSIONS - 1, successes: 200 },
        { key: 'B', impressions: MIN_IMPRESSIONS - 1, successes: 10 },
      ],
      { rng: rng() },
    );
    expect(verdict.probabilities!.A).toBeGreaterThan(0.99);
    expect(verdict).toMatchObject({ winner: null, reason: 'too_few_impressions' });
  });

  it('is deterministic with a seeded RNG and tolerates more interactions than views', () => {
    const figures = [
      { key: 'A', impressions: 800, successes: 60 },
      { key: 'B', impressions: 900, successes: 64 },
      { key: 'C', impressions: 700, successes: 2000 },
    ];
    const first = evaluate(figures, { rng: seededRng(42) });
    expect(evaluate(figures, { rng: seededRng(42) })).toEqual(first);
    expect(first.winner).toBe('C');
    expect(evaluate([{ key: 'A', impressions: 100, successes: 1 }]).reason).toBe('single_variant');
  });

  it('seededRng stays in [0, 1) and differs by seed', () => {
    const a = seededRng('a');
    const values = Array.from({ length: 1000 }, () => a());
    expect(values.every((v) => v >= 0 && v < 1)).toBe(true);
    expect(values.reduce((s, v) => s + v, 0) / values.length).toBeCloseTo(0.5, 1);
    expect(seededRng('a')()).not.toBe(seededRng('b')());
  });
});

describe('variantTime', () => {
  const at = (h: number) => new Date(Date.UTC(2030, 0, 1, h));
  it('keeps the spacing of slot-spread variants and moves everything else to the post time', () => {
    const targets = [
      { id: '1', channelId: 'c1', variantKey: 'A', scheduledAt: at(10) },
      { id: '2', channelId: 'c1', variantKey: 'B', scheduledAt: at(15) },
      { id: '3', channelId: 'c2', variantKey: 'A', scheduledAt: at(10) },
      { id: '4', channelId: 'c3', variantKey: null, scheduledAt: at(10) },
    ];
    expect(variantTime(targets[0]!, targets, at(20))).toEqual(at(20));
    expect(variantTime(targets[1]!, targets, at(20))).toEqual(at(25));
    expect(variantTime(targets[2]!, targets, at(20))).toEqual(at(20));
    expect(variantTime(targets[3]!, targets, at(20))).toEqual(at(20));
  });
});
