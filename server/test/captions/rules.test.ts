import { describe, expect, it } from 'vitest';
import {
  claimsHuman,
  enforceCaption,
  fitText,
  graphemeLength,
  hashtagCap,
  normalizeHashtag,
  parseCaptionReply,
  PLATFORM_RULES,
  stripHumanClaims,
  xWeightedLength,
} from '../../src/generation/captions/index.ts';

describe('X weighted length', () => {
  it('counts URLs as 23, emoji as 2, CJK as 2, Latin as 1', () => {
    expect(xWeightedLength('hello')).toBe(5);
    expect(xWeightedLength('https://example.com/a/very/long/path/that/goes/on')).toBe(23);
    expect(xWeightedLength('see example.com now')).toBe(4 + 23 + 4);
    expect(xWeightedLength('🔥')).toBe(2);
    expect(xWeightedLength('👩‍👩‍👧')).toBe(2); // one ZWJ sequence
    expect(xWeightedLength('🇫🇷')).toBe(2);
    expect(xWeightedLength('日本')).toBe(4);
    expect(xWeightedLength('café – “ok”')).toBe(11);
    expect(xWeightedLength('é'.normalize('NFD'))).toBe(1); // NFC first
  });

  it('Bluesky counts graphemes', () => {
    expect(graphemeLength('👩‍👩‍👧é🇫🇷')).toBe(3);
  });
});

describe('platform rules table', () => {
  it('has the documented limits', () => {
    expect(PLATFORM_RULES.x).toMatchObject({ maxLength: 280, unit: 'x-weighted' });
    expect(PLATFORM_RULES.bluesky).toMatchObject({ maxLength: 300, unit: 'graphemes' });
    expect(PLATFORM_RULES.instagram).toMatchObject({ maxLength: 2200, maxHashtags: 30, recommendedHashtags: 5 });
    expect(PLATFORM_RULES.reddit).toMatchObject({ maxLength: 300, maxHashtags: 0, singleLine: true });
    expect(PLATFORM_RULES.telegram).toMatchObject({ maxLength: 1024, unit: 'utf16' });
    expect(PLATFORM_RULES.discord).toMatchObject({ maxLength: 2000, maxHashtags: 0 });
    expect(hashtagCap('instagram')).toBe(5);
    expect(hashtagCap('reddit')).toBe(0);
  });
});

describe('fitText', () => {
  it('cuts at a word boundary with an ellipsis, or at a sentence end when that keeps enough', () => {
    expect(fitText('one two three four five', 14, 'code-points')).toBe('one two three…');
    expect(fitText('one two, three four', 10, 'code-points')).toBe('one two…');
    expect(fitText('First sentence here. Second one is longer than that.', 30, 'code-points')).toBe('First sentence here.');
    expect(fitText('Supercalifragilistic', 6, 'code-points')).toBe('Super…');
    expect(fitText('short', 10, 'code-points')).toBe('short');
    expect(fitText('🔥🔥🔥🔥 fire', 6, 'x-weighted')).toBe('🔥🔥…'); // '…' (U+2026) weighs 2 on X too
  });
});

describe('hashtags', () => {
  it('normalises', () => {
    expect(normalizeHashtag('golden hour')).toBe('#goldenhour');
    expect(normalizeHashtag('##Été_2025')).toBe('#Été_2025');
    expect(normalizeHashtag('2025')).toBeUndefined();
    expect(normalizeHashtag('#')).toBeUndefined();
  });

  it('caps inline + appended hashtags, un-tags the extra inline ones, drops duplicates', () => {
    const v = enforceCaption(
      { text: 'Sunset #Lyon with #friends and #wine #rooftop', hashtags: ['lyon', 'sunset', 'sunset', 'city', 'night'] },
      { platform: 'x', disclosure: { text: 'AI', required: false } },
    )!;
    // Trailing "#wine #rooftop" become candidates; inline #Lyon and #friends fill X's cap of 2.
    expect(v.body).toBe('Sunset #Lyon with #friends and');
    expect(v.hashtags).toEqual(['#Lyon', '#friends']);
    const reddit = enforceCaption({ text: 'My #first post\n#tag', hashtags: ['x'] }, { platform: 'reddit', disclosure: { text: '[AI]', required: true } })!;
    expect(reddit.text).toBe('My first post [AI]');
    expect(reddit.hashtags).toEqual([]);
  });

  it('strips links, and @mentions where the platform says so', () => {
    const x = enforceCaption({ text: 'Hi @someone, look https://t.co/x and www.site.com/page ok', hashtags: [] }, { platform: 'x', disclosure: { text: 'AI', required: false } })!;
    expect(x.body).toBe('Hi, look and ok');
    const ig = enforceCaption({ text: 'Shot with @studio', hashtags: [] }, { platform: 'instagram', disclosure: { text: 'AI', required: false } })!;
    expect(ig.body).toBe('Shot with @studio');
  });
});

describe('human claims', () => {
  it.each([
    "I'm a real person, DM me",
    'I am a real girl',
    "Not a bot, I promise",
    "I'm 100% real!",
    'No bots here',
    'Je suis une vraie personne',
    'Je suis réelle !',
    'pas un bot',
    "Ce n'est pas une IA",
    'Soy una chica real',
    'No soy un bot',
    'soy real.',
    'Ich bin ein echter Mensch',
    'Ich bin echt.',
    'Kein Bot hier',
    'keine KI',
  ])('flags %j', (text) => {
    expect(claimsHuman(text)).toBe(true);
  });

  it.each([
    "I'm not a real person — I'm an AI persona",
    'Je ne suis pas une vraie personne',
    'No soy una persona real',
    'Kein echter Mensch, sondern KI',
    'Real talk: golden hour is the best',
    'That was a real treat',
    'AI-generated persona · Persona générée par IA',
  ])('keeps honest text %j', (text) => {
    expect(claimsHuman(text)).toBe(false);
  });

  it('removes whole sentences and keeps the rest', () => {
    expect(stripHumanClaims("Hey you. I'm 100% real! Come say hi.").text).toBe('Hey you. Come say hi.');
    expect(stripHumanClaims('Ligne une.\nJe suis humaine.\nLigne trois.').text).toBe('Ligne une.\nLigne trois.');
  });
});

describe('parseCaptionReply', () => {
  it('accepts the usual shapes', () => {
    expect(parseCaptionReply('{"variants":[{"text":"a","hashtags":["x"]},{"text":"b"}]}')).toEqual([
      { text: 'a', hashtags: ['x'] },
      { text: 'b', hashtags: [] },
    ]);
    expect(parseCaptionReply('["a", "b"]')).toEqual([
      { text: 'a', hashtags: [] },
      { text: 'b', hashtags: [] },
    ]);
    expect(parseCaptionReply('Sure! {"captions":[{"caption":"a","tags":"#x, #y"}]} Enjoy')).toEqual([{ text: 'a', hashtags: ['#x', '#y'] }]);
    expect(parseCaptionReply('{"text":"solo"}')).toEqual([{ text: 'solo', hashtags: [] }]);
    expect(parseCaptionReply('{"1":"a","2":"b"}')).toEqual([
      { text: 'a', hashtags: [] },
      { text: 'b', hashtags: [] },
    ]);
  });

  it('falls back to lines when JSON is broken', () => {
    expect(parseCaptionReply('{"variants": [{"text": "unterminated\n1. First\n2. Second\n#a #b')).toEqual([
      { text: '{"variants": [{"text": "unterminated', hashtags: [] },
      { text: 'First', hashtags: [] },
      { text: 'Second', hashtags: ['#a', '#b'] },
    ]);
  });
});
