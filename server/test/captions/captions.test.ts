import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { writeCaptions, PLATFORM_RULES, measure, captionPlatforms, hashtagCap, type CaptionPlatform } from '../../src/generation/captions/index.ts';
import { OllamaTextModel } from '../../src/generation/providers/text/ollama.ts';
import { OpenAICompatibleTextModel } from '../../src/generation/providers/text/openai.ts';
import { ProviderError, type ProviderContext } from '../../src/generation/providers/types.ts';
import { startFakeOllama, type FakeOllama } from '../fakes/ollama.ts';
import { startFakeOpenAI, type FakeOpenAI } from '../fakes/openai.ts';

function ctx(signal: AbortSignal = new AbortController().signal): ProviderContext {
  return { signal, onProgress: vi.fn() };
}

const persona = { name: 'Lina Moreau', bio: 'Lyon-based fictional photographer persona who loves golden hour.', tone: 'warm, playful, concise', languages: ['fr', 'en'] };
const disclosure = { text: 'AI-generated persona · Persona générée par IA', required: true };

const json = (variants: { text: string; hashtags?: string[] }[]) => JSON.stringify({ variants });
const words = (n: number, seed = 'golden') => Array.from({ length: n }, (_, i) => `${seed}${i % 10 === 9 ? '.' : ''}`).join(' ');
const manyTags = (n: number) => Array.from({ length: n }, (_, i) => `tag${i}`);

describe('writeCaptions (through the Ollama client and its fake)', () => {
  let fake: FakeOllama;
  let model: OllamaTextModel;
  beforeAll(async () => {
    fake = await startFakeOllama();
    model = new OllamaTextModel({ baseUrl: fake.url });
  });
  afterAll(() => fake.close());
  afterEach(() => {
    for (const key of Object.keys(fake.options)) delete (fake.options as Record<string, unknown>)[key];
    fake.calls.length = 0;
  });
  const chatCalls = () => fake.calls.filter((c) => c.path === '/api/chat');
  const base = { model: null as unknown as OllamaTextModel, modelName: 'llama3.2', persona, brief: 'Her on a Lyon rooftop at sunset, city lights behind', language: 'fr', disclosure };

  it('asks for JSON in the target language and tone, streams, and returns N distinct variants', async () => {
    fake.options.reply = json([
      { text: 'Coucher de soleil sur les toits de Lyon 🌇', hashtags: ['lyon', '#sunset'] },
      { text: 'La ville s’allume, et moi je souris.', hashtags: ['goldenhour'] },
      { text: 'Un dernier rayon avant la nuit ✨', hashtags: [] },
    ]);
    const tokens: string[] = [];
    const result = await writeCaptions({ ...base, model, platform: 'instagram', variants: 3, onToken: (t) => tokens.push(t) }, ctx());
    expect(result.variants).toHaveLength(3);
    expect(new Set(result.variants.map((v) => v.text)).size).toBe(3);
    expect(result.meta).toMatchObject({ attempts: 1, derived: 0, shortfall: 0 });
    expect(tokens.join('')).toBe(fake.options.reply);

    const [call] = chatCalls();
    expect(call!.body.format).toBe('json');
    expect(call!.body.model).toBe('llama3.2');
    const prompt = call!.body.messages.map((m: { content: string }) => m.content).join('\n');
    expect(prompt).toContain('French (fr)');
    expect(prompt).toContain('warm, playful, concise');
    expect(prompt).toContain('Lina Moreau');
    expect(prompt).toContain('Lyon rooftop at sunset');
    expect(prompt).toContain('Instagram caption');
    expect(prompt).toMatch(/exactly 3 items/);

    const first = result.variants[0]!;
    expect(first.text).toBe('Coucher de soleil sur les toits de Lyon 🌇\n\nAI-generated persona · Persona générée par IA\n\n#lyon #sunset');
    expect(first.hashtags).toEqual(['#lyon', '#sunset']);
    expect(first.disclosureAdded).toBe(true);
  });

  it('de-duplicates, then asks once more for the missing ones', async () => {
    fake.options.reply = (_body, index) =>
      index === 0
        ? json([{ text: 'Golden hour, again!' }, { text: 'golden hour again' }, { text: 'GOLDEN HOUR... AGAIN' }, { text: 'Rooftop mood.' }])
        : json([{ text: 'Rooftop mood!' }, { text: 'City lights, soft breeze.' }, { text: 'Bonsoir Lyon.' }]);
    const result = await writeCaptions({ ...base, model, platform: 'bluesky', variants: 4 }, ctx());
    expect(result.variants.map((v) => v.body)).toEqual(['Golden hour, again!', 'Rooftop mood.', 'City lights, soft breeze.', 'Bonsoir Lyon.']);
    expect(result.meta.attempts).toBe(2);
    const second = chatCalls()[1]!.body.messages.at(-1).content as string;
    expect(second).toContain('must differ from these existing captions');
    expect(second).toContain('- Golden hour, again!');
  });

  it('derives variants when the model keeps repeating itself', async () => {
    fake.options.reply = json([{ text: 'Sunset on the roof. Lyon glows below. Stay a while?', hashtags: ['lyon', 'sunset'] }]);
    const result = await writeCaptions({ ...base, model, platform: 'x', language: 'en', variants: 3 }, ctx());
    expect(result.variants).toHaveLength(3);
    expect(new Set(result.variants.map((v) => v.body)).size).toBe(3);
    expect(result.meta).toMatchObject({ attempts: 2, derived: 2, shortfall: 0 });
    for (const v of result.variants) expect(v.text).toContain(disclosure.text);
  });

  const over = {
    x: { text: `${words(120)} https://example.com/a/very/long/path 🔥🔥🔥`, tags: manyTags(12) },
    instagram: { text: words(600), tags: manyTags(40) },
    reddit: { text: `${words(80)}\nsecond line #reddit #nsfw`, tags: manyTags(5) },
    bluesky: { text: `${'🌅 '.repeat(40)}${words(80)}`, tags: manyTags(10) },
    fanvue: { text: words(400), tags: manyTags(10) },
    telegram: { text: words(300), tags: manyTags(10) },
    discord: { text: `${words(500)} #tagged`, tags: manyTags(4) },
    onlyfans: { text: words(300), tags: manyTags(10) },
  } satisfies Record<CaptionPlatform, { text: string; tags: string[] }>;

  it.each(captionPlatforms)('enforces %s limits on an over-long text with too many hashtags', async (platform) => {
    const rule = PLATFORM_RULES[platform];
    const { text, tags } = over[platform];
    fake.options.reply = json([
      { text, hashtags: tags },
      { text: `Autre version. ${text}`, hashtags: tags },
    ]);
    const result = await writeCaptions({ ...base, model, platform, variants: 2 }, ctx());
    expect(result.variants).toHaveLength(2);
    for (const v of result.variants) {
      expect(measure(v.text, rule.unit)).toBeLessThanOrEqual(rule.maxLength);
      expect(v.length).toBe(measure(v.text, rule.unit));
      expect(v.trimmed).toBe(true);
      expect(v.hashtags.length).toBeLessThanOrEqual(hashtagCap(platform));
      expect(v.text).toContain(disclosure.text);
      expect(v.disclosureAdded).toBe(true);
      expect(v.text).not.toContain('http');
      expect(v.body.endsWith('…') || /[.!?]$/.test(v.body)).toBe(true);
      // Trimmed at a word boundary: the body (minus "…") is a prefix made of whole words of the original.
      const stem = v.body.replace(/…$/, '');
      const originalWords = new Set(`${text} Autre version.`.replace(/\s+/g, ' ').split(' '));
      for (const w of stem.split(/\s+/)) expect(originalWords.has(w) || originalWords.has(`${w}.`) || w === 'Autre' || w.startsWith('#') || /^\p{Extended_Pictographic}/u.test(w)).toBe(true);
      if (hashtagCap(platform) === 0) expect(v.text).not.toMatch(/#\w/);
      if (rule.singleLine) expect(v.text).not.toContain('\n');
    }
    if (hashtagCap(platform) > 0 && platform !== 'x') expect(result.variants[0]!.hashtags.length).toBe(hashtagCap(platform));
  });

  it('X: the disclosure and hashtags fit within 280 weighted characters', async () => {
    fake.options.reply = json([
      { text: `${'Ce soir sur les toits 🌇 '.repeat(20)}`, hashtags: ['lyon', 'sunset', 'rooftop', 'vibes'] },
      { text: 'Court et simple 🌆', hashtags: ['lyon', 'sunset', 'rooftop'] },
    ]);
    const result = await writeCaptions({ ...base, model, platform: 'x', variants: 2 }, ctx());
    const [long, short] = result.variants;
    expect(measure(long!.text, 'x-weighted')).toBeLessThanOrEqual(280);
    expect(long!.text).toContain(disclosure.text);
    expect(short!.text).toBe('Court et simple 🌆\n\nAI-generated persona · Persona générée par IA\n\n#lyon #sunset');
    expect(short!.trimmed).toBe(false);
  });

  it('the disclosure is not appended when not required, and a copy written by the model moves to the end once', async () => {
    fake.options.reply = json([
      { text: 'Bonsoir Lyon 🌇', hashtags: ['lyon'] },
      { text: 'AI-generated persona · Persona générée par IA — ce soir, les toits.', hashtags: [] },
    ]);
    const optional = await writeCaptions({ ...base, model, platform: 'instagram', variants: 2, disclosure: { text: disclosure.text, required: false } }, ctx());
    expect(optional.variants[0]).toMatchObject({ text: 'Bonsoir Lyon 🌇\n\n#lyon', disclosureAdded: false });

    const required = await writeCaptions({ ...base, model, platform: 'instagram', variants: 2 }, ctx());
    const moved = required.variants[1]!;
    expect(moved.text.split(disclosure.text)).toHaveLength(2);
    expect(moved.text).toBe('— ce soir, les toits.\n\nAI-generated persona · Persona générée par IA');
  });

  it('never lets a caption claim the persona is human (en/fr/es/de)', async () => {
    fake.options.reply = json([
      { text: "I'm a real girl, not a bot! Come say hi on the rooftop.", hashtags: ['notabot', 'rooftop'] },
      { text: 'Je suis une vraie personne. Soirée douce à Lyon.', hashtags: ['realgirl'] },
      { text: 'No soy un bot. Noche en Lyon 😘' },
      { text: 'Ich bin ein echter Mensch.' },
    ]);
    const result = await writeCaptions({ ...base, model, platform: 'instagram', variants: 3 }, ctx());
    const texts = result.variants.map((v) => v.body);
    expect(texts).toEqual(['Come say hi on the rooftop.', 'Soirée douce à Lyon.', 'Noche en Lyon 😘']);
    expect(result.variants[0]!.hashtags).toEqual(['#rooftop']);
    expect(result.variants[1]!.hashtags).toEqual([]);
  });

  it('reads fenced JSON and falls back to one caption per line', async () => {
    fake.options.reply = (_b, i) =>
      i === 0
        ? 'Here you go:\n```json\n{"captions": [{"caption": "Toits et lumières", "tags": "#lyon #night"}, "Bonsoir les étoiles"]}\n```'
        : '';
    const fenced = await writeCaptions({ ...base, model, platform: 'instagram', variants: 2 }, ctx());
    expect(fenced.variants.map((v) => v.body)).toEqual(['Toits et lumières', 'Bonsoir les étoiles']);
    expect(fenced.variants[0]!.hashtags).toEqual(['#lyon', '#night']);

    fake.calls.length = 0;
    fake.options.reply = 'Voici trois légendes :\n1. "Première lueur du soir"\n2) Les toits brillent #lyon #nuit\n- Option 3: Une soirée parfaite';
    const lines = await writeCaptions({ ...base, model, platform: 'instagram', variants: 3 }, ctx());
    expect(lines.variants.map((v) => v.body)).toEqual(['Première lueur du soir', 'Les toits brillent', 'Une soirée parfaite']);
    expect(lines.variants[1]!.hashtags).toEqual(['#lyon', '#nuit']);
  });

  it('no usable caption at all is an error; model errors pass through', async () => {
    fake.options.reply = json([{ text: "I'm a real person." }]);
    const error = await writeCaptions({ ...base, model, platform: 'x', variants: 2 }, ctx()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).provider).toBe('captions');

    fake.options.models = ['other'];
    const missing = await writeCaptions({ ...base, model, platform: 'x', variants: 2 }, ctx()).catch((e: unknown) => e);
    expect((missing as ProviderError).kind).toBe('rejected');
    expect((missing as ProviderError).message).toContain('ollama pull llama3.2');
  });

  it('refuses a disclosure longer than the platform allows', async () => {
    fake.options.reply = json([{ text: 'Hi' }, { text: 'Hello' }]);
    const error = await writeCaptions({ ...base, model, platform: 'reddit', variants: 2, disclosure: { text: 'x'.repeat(301), required: true } }, ctx()).catch((e: unknown) => e);
    expect((error as ProviderError).kind).toBe('rejected');
  });
});

describe('writeCaptions through an OpenAI-compatible server', () => {
  let fake: FakeOpenAI;
  beforeAll(async () => {
    fake = await startFakeOpenAI();
  });
  afterAll(() => fake.close());

  it('works the same, asking for a JSON object', async () => {
    fake.options.reply = json([
      { text: 'Noche dorada en Lyon', hashtags: ['lyon'] },
      { text: 'Luces de la ciudad', hashtags: ['noche'] },
    ]);
    const model = new OpenAICompatibleTextModel({ baseUrl: fake.url });
    const result = await writeCaptions({ model, modelName: 'qwen', persona, brief: 'rooftop at night', platform: 'telegram', language: 'es', variants: 2, disclosure }, ctx());
    expect(result.variants.map((v) => v.body)).toEqual(['Noche dorada en Lyon', 'Luces de la ciudad']);
    const call = fake.calls.find((c) => c.path === '/v1/chat/completions')!;
    expect(call.body.response_format).toEqual({ type: 'json_object' });
    expect(JSON.stringify(call.body.messages)).toContain('Spanish (es)');
  });
});
