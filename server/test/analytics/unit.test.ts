import { describe, expect, it } from 'vitest';
import { computeKpis, emptyFigures, KPI_DEFINITIONS } from '../../src/analytics/kpis.ts';
import { bestHours } from '../../src/analytics/best-hours.ts';
import { barChart, lineChart, niceTicks } from '../../src/analytics/reports/charts.ts';
import { monthRange, resolveRange } from '../../src/analytics/range.ts';
import { DEFAULT_SETTINGS, readSettings } from '../../src/analytics/settings.ts';
import { periodOf } from '../../src/analytics/reports/report-data.ts';
import { periodStartOf } from '../../src/analytics/reports/reports.service.ts';

describe('KPIs', () => {
  it('are ratios of the summed figures, null when the denominator is zero or money is unknown', () => {
    const k = computeKpis({ ...emptyFigures(), published: 9, failed: 1, impressions: 2000, engagements: 130, engagementsWithImpressions: 100, linkClicks: 50, linkSubscribers: 5, revenueNetMinor: 3000, revenueGrossMinor: 3600, costMinor: 1000, genJobs: 4, genFailed: 1, genMs: 90_000, chatReplies: 10, chatLatencyMs: 25_000 }, 30);
    expect(k).toMatchObject({ engagementRate: 0.05, reach: 2000, publishSuccessRate: 0.9, conversionRate: 0.1, roi: 2, revenuePerDayMinor: 100, generationSeconds: 30, chatLatencySeconds: 2.5 });
    expect(k.errorRate).toBeCloseTo(2 / 24, 4);
    const empty = computeKpis({ ...emptyFigures(), revenueNetMinor: null }, 7);
    expect(empty).toMatchObject({ engagementRate: null, publishSuccessRate: null, conversionRate: null, roi: null, revenuePerDayMinor: null, generationSeconds: null, errorRate: null, availability: null });
    expect(computeKpis({ ...emptyFigures(), revenueNetMinor: 500, costMinor: 0 }, 1).roi).toBeNull();
  });

  it('are all documented, once', () => {
    const keys = KPI_DEFINITIONS.map((d) => d.key);
    expect(new Set(keys).size).toBe(keys.length);
    for (const key of ['engagementRate', 'reach', 'conversionRate', 'revenueNetMinor', 'roi', 'ltvMinor', 'generationSeconds', 'availability', 'errorRate']) expect(keys).toContain(key);
  });
});

describe('best posting hours', () => {
  const row = (hour: number, posts: number, impressions: number, engaged: number) => ({ weekday: 2, hour, posts, impressions, engagedSeen: engaged, engagements: engaged });
  it('prefers consistently good hours over one lucky post', () => {
    const result = bestHours([row(3, 1, 100, 60), row(10, 6, 6000, 420), row(15, 6, 6000, 180), row(20, 5, 5000, 300)]);
    expect(result.basis).toBe('engagement_rate');
    expect(result.best).toEqual([10, 20, 15]);
    expect(result.hours).toHaveLength(24);
    // 3 a.m. scores high on one post but needs MIN_POSTS posts to be recommended.
    expect(result.hours[3]).toMatchObject({ posts: 1 });
  });
  it('falls back to engagements per post without impressions, and to nothing without posts', () => {
    expect(bestHours([row(9, 3, 0, 30), row(18, 3, 0, 90)])).toMatchObject({ basis: 'engagements_per_post', best: [18, 9] });
    expect(bestHours([])).toMatchObject({ basis: 'none', best: [], posts: 0 });
  });
});

describe('charts', () => {
  it('pick round grid lines and escape labels', () => {
    expect(niceTicks(0, 0, 1)).toEqual([0, 1]);
    expect(niceTicks(-999, 3521)).toEqual([-2000, 0, 2000, 4000]);
    expect(niceTicks(0, 37)).toEqual([0, 10, 20, 30, 40]);
    const svg = barChart(['<a>', 'b'], [10, null], { title: 'A & B' });
    expect(svg).toContain('A &amp; B');
    expect(svg).toContain('&lt;a&gt;');
    expect(svg).not.toContain('<a>');
    expect(lineChart(['x', 'y', 'z'], [{ name: 'n', values: [1, null, 3] }], { title: 't' }).match(/<polyline/g)).toHaveLength(2);
  });
});

describe('ranges, periods and settings', () => {
  it('resolves presets up to today and custom ranges, refusing bad ones', () => {
    const now = new Date('2026-03-10T15:00:00Z');
    expect(resolveRange({ range: '7d' }, now)).toMatchObject({ from: '2026-03-04', to: '2026-03-10', end: '2026-03-11', previous: { from: '2026-02-25', to: '2026-03-03' } });
    expect(resolveRange({ range: 'custom', from: '2026-02-27', to: '2026-03-01' }, now).days).toEqual(['2026-02-27', '2026-02-28', '2026-03-01']);
    expect(() => resolveRange({ range: 'custom', from: '2026-03-02', to: '2026-03-01' }, now)).toThrow();
    expect(() => resolveRange({ range: 'custom', from: '2020-01-01', to: '2026-03-01' }, now)).toThrow();
    expect(monthRange('2024-02').days).toHaveLength(29);
  });
  it('gives report periods', () => {
    expect(periodOf('daily', '2026-03-09')).toMatchObject({ from: '2026-03-09', end: '2026-03-10' });
    expect(periodOf('weekly', '2026-03-03')).toMatchObject({ from: '2026-03-03', to: '2026-03-09' });
    expect(periodOf('monthly', periodStartOf('monthly', '2026-02'))).toMatchObject({ from: '2026-02-01', to: '2026-02-28', end: '2026-03-01' });
    expect(() => periodStartOf('daily', '2026-02')).toThrow();
    expect(() => periodStartOf('weekly', '2026-02-30')).toThrow();
  });
  it('fill defaults and survive a stored document that no longer validates', () => {
    expect(readSettings({ alerts: { revenueDrop: { percent: 30 } } }).alerts.revenueDrop).toEqual({ enabled: true, percent: 30, minTrailingMinor: 1000 });
    expect(readSettings({ alerts: { nonsense: true } })).toEqual(DEFAULT_SETTINGS);
    expect(DEFAULT_SETTINGS.reports.weekly).toEqual({ enabled: true, hour: 9 });
  });
});
