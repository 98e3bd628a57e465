import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { backends, testRuntime, type TestRuntime } from '../helpers/runtime.ts';
import { ownerClient, personaBody, type ApiClient } from '../helpers/api.ts';
import { CardFormatError, exportCard, parseCard } from '../../src/chat/cards/card.ts';
import { readPngCard, writePngCard } from '../../src/chat/cards/png.ts';
import { insertPngText, readPngText } from '../fakes/util.ts';

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v), 'utf8').toString('base64');
const unb64 = (s: string) => JSON.parse(Buffer.from(s, 'base64').toString('utf8'));
/** A plain SFW image: one solid colour. */
const solidPng = (color = { r: 90, g: 140, b: 200 }) => sharp({ create: { width: 48, height: 72, channels: 3, background: color } }).png().toBuffer();
const pixels = async (png: Buffer) => sharp(png).raw().toBuffer();

const lorebook = {
  name: 'Travel notes',
  scan_depth: 4,
  extensions: { 'example/tool': { keep: true } },
  entries: [
    { keys: ['lyon', 'fourvière'], content: 'Mila grew up (fictionally) near the Fourvière hill.', enabled: true, insertion_order: 1, extensions: {} },
    { keys: ['camera'], content: 'She shoots on a vintage rangefinder.', enabled: true, insertion_order: 2, secondary_keys: ['lens'], extensions: { depth: 2 } },
  ],
};

const v2Card = {
  spec: 'chara_card_v2',
  spec_version: '2.0',
  data: {
    name: 'Mila',
    description: 'A fictional travel photographer in her late twenties.',
    personality: 'warm, curious, teasing',
    scenario: 'Chatting with fans between two shoots.',
    first_mes: 'Hi {{user}}! Just back from a sunrise shoot.',
    mes_example: '<START>\n{{user}}: Where are you?\n{{char}}: On a rooftop in Lyon!',
    creator_notes: 'SFW persona card for tests.',
    system_prompt: 'You are {{char}}, an AI persona.',
    post_history_instructions: 'Stay in character.',
    alternate_greetings: ['Hey {{user}}, golden hour soon!'],
    tags: ['photography', 'travel'],
    creator: 'Atelier tests',
    character_version: '1.2',
    extensions: { 'other/tool': { talkativeness: 0.6 }, depth_prompt: { depth: 4, prompt: 'x' } },
    character_book: lorebook,
  },
};

const v3Card = {
  spec: 'chara_card_v3',
  spec_version: '3.0',
  data: {
    ...v2Card.data,
    nickname: 'Mi',
    group_only_greetings: ['Hello everyone!'],
    assets: [{ type: 'icon', uri: 'ccdefault:', name: 'main', ext: 'png' }],
    creator_notes_multilingual: { fr: 'Carte de test.' },
    source: ['https://example.test/cards/mila'],
    creation_date: 1_700_000_000,
    character_book: { ...lorebook, entries: lorebook.entries.map((e, i) => (i === 1 ? { ...e, use_regex: true } : e)) },
  },
};

describe('Character Card V2/V3 JSON', () => {
  it('reads V2 and writes it back as V2 with the same fields, lorebook and unknown extensions', () => {
    const parsed = parseCard(v2Card);
    expect(parsed.spec).toBe('v2');
    expect(parsed.card).toMatchObject({ name: 'Mila', first_mes: v2Card.data.first_mes, alternate_greetings: v2Card.data.alternate_greetings, extensions: v2Card.data.extensions });
    expect(parsed.lorebook.entries.map((e) => e.keys)).toEqual([['lyon', 'fourvière'], ['camera']]);
    const out = exportCard(parsed.card, parsed.lorebook, 'v2') as any;
    expect(out.spec).toBe('chara_card_v2');
    expect(out.spec_version).toBe('2.0');
    for (const [k, v] of Object.entries(v2Card.data)) if (k !== 'character_book') expect(out.data[k], k).toEqual(v);
    expect(out.data.character_book.entries[1]).toMatchObject({ secondary_keys: ['lens'], extensions: { depth: 2 } });
    expect(out.data.character_book.extensions).toEqual(lorebook.extensions);
    const again = parseCard(out);
    expect(again.card).toEqual(parsed.card);
    expect(again.lorebook).toEqual(parsed.lorebook);
  });

  it('keeps V3-only fields through a V3 round trip, and leaves them out of V2', () => {
    const parsed = parseCard(v3Card);
    expect(parsed.spec).toBe('v3');
    const v3 = exportCard(parsed.card, parsed.lorebook, 'v3') as any;
    expect(v3.spec).toBe('chara_card_v3');
    expect(v3.data).toMatchObject({ nickname: 'Mi', group_only_greetings: ['Hello everyone!'], assets: v3Card.data.assets, creator_notes_multilingual: { fr: 'Carte de test.' }, source: v3Card.data.source, creation_date: 1_700_000_000 });
    expect(typeof v3.data.modification_date).toBe('number');
    expect(v3.data.character_book.entries[1].use_regex).toBe(true);
    const v2 = exportCard(parsed.card, parsed.lorebook, 'v2') as any;
    for (const k of ['nickname', 'group_only_greetings', 'assets', 'creator_notes_multilingual', 'source', 'creation_date']) expect(v2.data, k).not.toHaveProperty(k);
    expect(v2.data.character_book.entries[1]).not.toHaveProperty('use_regex');
    const back = parseCard(v3);
    expect({ ...back.card, modification_date: undefined }).toEqual({ ...parsed.card, modification_date: undefined });
  });

  it('reads a flat V1 card and refuses what is not a card', () => {
    expect(parseCard({ name: 'Old', description: 'V1 style', first_mes: 'Hello' })).toMatchObject({ spec: 'v1', card: { name: 'Old', description: 'V1 style' } });
    expect(() => parseCard({ spec: 'chara_card_v2', data: 'nope' })).toThrow(CardFormatError);
    expect(() => parseCard({ hello: 'world' })).toThrow(CardFormatError);
    expect(() => parseCard([1, 2])).toThrow(CardFormatError);
  });
});

describe('Character cards in PNG (chara / ccv3 tEXt chunks)', () => {
  it('writes both chunks before IEND without touching the image, and reads the V3 one first', async () => {
    const png = await solidPng();
    const written = writePngCard(png, { v2: v2Card, v3: v3Card });
    const chunks = readPngText(written);
    expect(unb64(chunks.chara!)).toEqual(v2Card);
    expect(unb64(chunks.ccv3!)).toEqual(v3Card);
    expect(readPngCard(written)).toEqual(v3Card);
    expect(await pixels(written)).toEqual(await pixels(png));
    // Writing again replaces the card: still one chunk of each.
    const rewritten = writePngCard(written, { v2: { ...v2Card, data: { ...v2Card.data, name: 'Mila 2' } }, v3: { ...v3Card, data: { ...v3Card.data, name: 'Mila 2' } } });
    expect((readPngCard(rewritten) as any).data.name).toBe('Mila 2');
    const texts = rewritten.toString('latin1').match(/tEXt(chara|ccv3)/g) ?? [];
    expect(texts.sort()).toEqual(['tEXtccv3', 'tEXtchara']);
  });

  it('reads a V2-only PNG (chara chunk, as older tools write it) and refuses a PNG without a card', async () => {
    const png = insertPngText(await solidPng({ r: 200, g: 120, b: 60 }), { Chara: b64(v2Card) });
    expect(readPngCard(png)).toEqual(v2Card);
    const bare = withoutCard(png);
    expect(await pixels(bare)).toEqual(await pixels(png));
    expect(() => readPngCard(bare)).toThrow(/no character card/);
    expect(() => readPngCard(Buffer.from('not a png at all'))).toThrow(CardFormatError);
    expect(() => readPngCard(insertPngText(bare, { chara: 'not base64 json!' }))).toThrow(CardFormatError);
  });
});

/** The same PNG with its card chunks taken out, chunk by chunk. */
function withoutCard(png: Buffer): Buffer {
  const kept: Buffer[] = [png.subarray(0, 8)];
  let offset = 8;
  while (offset + 8 <= png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('latin1', offset + 4, offset + 8);
    const whole = png.subarray(offset, offset + 12 + length);
    const keyword = type === 'tEXt' ? png.toString('latin1', offset + 8, png.indexOf(0, offset + 8)).toLowerCase() : '';
    if (keyword !== 'chara' && keyword !== 'ccv3') kept.push(whole);
    offset += 12 + length;
  }
  return Buffer.concat(kept);
}

describe.each(backends)('card import and export routes (%s)', (backend) => {
  let rt: TestRuntime;
  let owner: ApiClient;
  let personaId: string;

  beforeAll(async () => {
    rt = await testRuntime(backend);
    owner = (await ownerClient(rt.app, rt.platform, 'Cards')).client;
    personaId = (await owner.post('/api/v1/personas', personaBody('Mila'))).body.id;
  }, 120_000);
  afterAll(() => rt?.stop());

  it('JSON: a V2 card imported comes back as V2 and V3 with its lorebook', async () => {
    const imported = await owner.post(`/api/v1/personas/${personaId}/card/import`, { card: v2Card });
    expect(imported.status, JSON.stringify(imported.body)).toBe(200);
    expect(imported.body.importedSpec).toBe('v2');
    const v2 = await owner.get(`/api/v1/personas/${personaId}/card?format=json&spec=v2`);
    expect(v2.status).toBe(200);
    expect(parseCard(v2.body).card).toEqual(parseCard(v2Card).card);
    expect(parseCard(v2.body).lorebook).toEqual(parseCard(v2Card).lorebook);
    const v3 = await owner.get(`/api/v1/personas/${personaId}/card?format=json&spec=v3`);
    expect(v3.body.spec).toBe('chara_card_v3');
    expect(v3.body.data.character_book.entries).toHaveLength(2);
  });

  it('PNG: a card imported from its ccv3 chunk, exported as a PNG carrying both chunks, imported again unchanged', async () => {
    const png = insertPngText(await solidPng(), { chara: b64(v2Card), ccv3: b64(v3Card) });
    const imported = await owner.post(`/api/v1/personas/${personaId}/card/import`, { png: png.toString('base64') });
    expect(imported.status, JSON.stringify(imported.body)).toBe(200);
    expect(imported.body.importedSpec).toBe('v3');
    const exported = await owner.get(`/api/v1/personas/${personaId}/card?format=png`);
    expect(exported.status).toBe(200);
    expect(String(exported.headers['content-type'])).toMatch(/^image\/png/);
    const bytes = exported.raw.rawPayload;
    const chunks = readPngText(bytes);
    expect(unb64(chunks.chara!).spec).toBe('chara_card_v2');
    expect(unb64(chunks.ccv3!).spec).toBe('chara_card_v3');
    const fromPng = parseCard(readPngCard(bytes));
    expect({ ...fromPng.card, modification_date: undefined }).toEqual({ ...parseCard(v3Card).card, modification_date: undefined });
    expect(fromPng.lorebook).toEqual(parseCard(v3Card).lorebook);

    const again = await owner.post(`/api/v1/personas/${personaId}/card/import`, { png: bytes.toString('base64') });
    expect(again.status).toBe(200);
    const after = await owner.get(`/api/v1/personas/${personaId}/card?format=json&spec=v3`);
    expect({ ...parseCard(after.body).card, modification_date: undefined }).toEqual({ ...fromPng.card, modification_date: undefined });
    expect((await owner.post(`/api/v1/personas/${personaId}/card/import`, { png: (await solidPng()).toString('base64') })).body.code).toBe('invalid_card');
  });
});
