import { describe, expect, it } from 'vitest';
import { mediaKindOf, policyOf, takesMedia } from '../src/calendar/policy';

// The composer's mirror of the server's `mediaKinds` (Reddit and Bluesky connectors post images only).
describe('channel policy mirror: kinds of media', () => {
  it('knows where videos are refused', () => {
    for (const platform of ['reddit', 'bluesky'] as const) {
      const policy = policyOf({ platform, settings: {} });
      expect(takesMedia(policy, 'video'), platform).toBe(false);
      expect(takesMedia(policy, 'image'), platform).toBe(true);
      expect(takesMedia(policy, null), platform).toBe(true);
    }
    for (const platform of ['x', 'instagram', 'telegram', 'discord', 'fanvue', 'onlyfans_export', 'sandbox'] as const) {
      expect(takesMedia(policyOf({ platform, settings: {} }), 'video'), platform).toBe(true);
    }
  });

  it('reads an asset’s kind as the server routes it', () => {
    expect(mediaKindOf({ kind: 'video' })).toBe('video');
    expect(mediaKindOf({ kind: 'image' })).toBe('image');
    expect(mediaKindOf(null)).toBeNull();
  });
});
