import { describe, expect, it } from 'vitest';
import { localDay, localToUtc } from '../../src/publishing/time.ts';
import { route } from '../../src/publishing/router.ts';
import { SandboxConnector } from '../../src/publishing/connectors/sandbox/index.ts';

describe('local time in the persona’s zone', () => {
  it('keeps a 10:00 Europe/Paris slot at 10:00 local across the March and October changes', () => {
    const cases = [
      ['2027-03-27', '2027-03-27T09:00:00.000Z'],
      ['2027-03-28', '2027-03-28T08:00:00.000Z'], // the change happens at 02:00 that night
      ['2027-03-29', '2027-03-29T08:00:00.000Z'],
      ['2027-10-30', '2027-10-30T08:00:00.000Z'],
      ['2027-10-31', '2027-10-31T09:00:00.000Z'],
      ['2027-11-01', '2027-11-01T09:00:00.000Z'],
    ];
    for (const [date, utc] of cases) {
      const at = localToUtc(date!, '10:00', 'Europe/Paris');
      expect(at.toISOString(), date).toBe(utc);
      expect(localDay(at, 'Europe/Paris')).toMatchObject({ date, time: '10:00' });
    }
  });

  it('moves a time in the spring gap forward, and takes the first of an autumn repeat', () => {
    expect(localToUtc('2027-03-28', '02:30', 'Europe/Paris').toISOString()).toBe('2027-03-28T01:30:00.000Z'); // 03:30 local
    expect(localToUtc('2027-10-31', '02:30', 'Europe/Paris').toISOString()).toBe('2027-10-31T00:30:00.000Z'); // first 02:30
    expect(localToUtc('2026-11-25', '06:00', 'Asia/Tokyo').toISOString()).toBe('2026-11-24T21:00:00.000Z');
  });
});

describe('channel policy router', () => {
  const policy = (accepts: ('sfw' | 'suggestive' | 'explicit')[]) => ({ accepts, disclosureRequired: true, maxMedia: 4, maxTextLength: 40, flagsAdultMedia: false, needsPublicMediaUrl: false });

  it('refuses a rating the channel forbids, with a clear reason, before anything is sent', () => {
    const verdict = route({ platform: 'instagram', handle: '@mila', policy: policy(['sfw']), rating: 'explicit', mediaCount: 1, text: 'hi', disclosure: 'AI' });
    expect(verdict).toEqual({ ok: false, code: 'rating_not_allowed', message: 'Instagram (@mila) accepts sfw content only; this media is rated explicit' });
  });

  it('adds the disclosure where the channel needs it and counts it in the length', () => {
    expect(route({ platform: 'x', handle: '@m', policy: policy(['sfw']), rating: 'sfw', mediaCount: 0, text: 'Hello', disclosure: '#AI persona' })).toEqual({ ok: true, text: 'Hello\n\n#AI persona', disclosureAdded: true });
    expect(route({ platform: 'x', handle: '@m', policy: policy(['sfw']), rating: 'sfw', mediaCount: 0, text: 'x'.repeat(35), disclosure: '#AI persona' })).toMatchObject({ ok: false, code: 'text_too_long' });
  });

  it('the sandbox accepts everything', () => {
    expect(new SandboxConnector('/tmp/none').policy().accepts).toEqual(['sfw', 'suggestive', 'explicit']);
  });
});

describe('each connector declares what its channel accepts', () => {
  it('explicit media is refused for Instagram and for a Discord channel that is not age-restricted', async () => {
    const { Connectors } = await import('../../src/publishing/connectors/registry.ts');
    const connectors = new Connectors({ ATELIER_DATA_DIR: '/tmp/atelier-none' });
    const check = (platform: 'instagram' | 'discord' | 'fanvue' | 'telegram', settings: Record<string, unknown>) =>
      route({ platform, handle: 'h', policy: connectors.get(platform).policy({ settings }), rating: 'explicit', mediaCount: 1, text: 'x', disclosure: 'AI' });
    expect(check('instagram', { igUserId: '1' })).toMatchObject({ ok: false, code: 'rating_not_allowed' });
    expect(check('discord', { channelId: '1', ageRestricted: false })).toMatchObject({ ok: false, code: 'rating_not_allowed' });
    expect(check('discord', { channelId: '1', ageRestricted: true })).toMatchObject({ ok: true });
    expect(check('telegram', { chatId: '@c' })).toMatchObject({ ok: false });
    expect(check('fanvue', {})).toMatchObject({ ok: true });
  });
});
