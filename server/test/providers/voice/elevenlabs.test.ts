import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ElevenLabsVoice } from '../../../src/generation/providers/voice/elevenlabs.ts';
import { createVoiceProvider } from '../../../src/generation/providers/voice/index.ts';
import { ProviderError, type ProviderContext } from '../../../src/generation/providers/types.ts';
import { startFakeElevenLabs, type FakeElevenLabs } from '../../fakes/elevenlabs.ts';

function ctx(signal: AbortSignal = new AbortController().signal): ProviderContext {
  return { signal, onProgress: vi.fn() };
}

async function rejection(p: Promise<unknown>): Promise<ProviderError> {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

/** An MP3 starts with an ID3 tag or an MPEG frame sync (11 set bits). */
function looksLikeMp3(bytes: Buffer): boolean {
  return bytes.toString('ascii', 0, 3) === 'ID3' || (bytes[0] === 0xff && (bytes[1]! & 0xe0) === 0xe0);
}

describe('ElevenLabsVoice (official SDK against the fake)', () => {
  let fake: FakeElevenLabs;
  let voice: ElevenLabsVoice;
  beforeAll(async () => {
    fake = await startFakeElevenLabs({ apiKey: 'xi-test-key' });
    voice = new ElevenLabsVoice({ apiKey: 'xi-test-key', baseUrl: fake.url });
  });
  afterAll(() => fake.close());
  afterEach(() => {
    fake.options.mode = 'ok';
    fake.calls.length = 0;
  });

  it('produces audio bytes and sends the key, voice id, language, output format and speed', async () => {
    const c = ctx();
    const file = await voice.synthesize({ text: 'Bonsoir, mes chéris.', voiceId: 'voice-Amelie 1', language: 'fr-FR', speed: 1.1 }, c);
    expect(file.bytes.equals(fake.audio.bytes)).toBe(true);
    expect(file.bytes.length).toBeGreaterThan(100);
    if (fake.audio.mimeType === 'audio/mpeg') expect(looksLikeMp3(file.bytes)).toBe(true);
    expect(file.mimeType).toBe('audio/mpeg');
    expect(file.meta).toMatchObject({ voiceId: 'voice-Amelie 1', languageCode: 'fr', outputFormat: 'mp3_44100_128', speed: 1.1 });
    expect(c.onProgress).toHaveBeenLastCalledWith(1, expect.any(String));

    expect(fake.calls).toHaveLength(1);
    const call = fake.calls[0]!;
    expect(call.method).toBe('POST');
    expect(call.voiceId).toBe('voice-Amelie 1'); // path-encoded by the SDK, decoded by the fake
    expect(call.headers['xi-api-key']).toBe('xi-test-key');
    expect(call.query.output_format).toBe('mp3_44100_128');
    expect(call.body).toMatchObject({
      text: 'Bonsoir, mes chéris.',
      model_id: 'eleven_multilingual_v2',
      language_code: 'fr',
      voice_settings: { speed: 1.1 },
    });
  });

  it('clamps speed into ElevenLabs range and uses the default voice', async () => {
    const withDefault = new ElevenLabsVoice({ apiKey: 'xi-test-key', baseUrl: fake.url, defaultVoiceId: 'default-voice', modelId: 'eleven_flash_v2_5' });
    await withDefault.synthesize({ text: 'Hi!', language: 'en', speed: 3 }, ctx());
    expect(fake.calls[0]!.voiceId).toBe('default-voice');
    expect(fake.calls[0]!.body).toMatchObject({ model_id: 'eleven_flash_v2_5', language_code: 'en', voice_settings: { speed: 1.2 } });
  });

  it('a wrong key is rejected (401), a server error is unavailable, and nothing is retried', async () => {
    const wrong = new ElevenLabsVoice({ apiKey: 'nope', baseUrl: fake.url });
    const error = await rejection(wrong.synthesize({ text: 'Hi', voiceId: 'v', language: 'en' }, ctx()));
    expect(error.kind).toBe('rejected');
    expect(error.message).toMatch(/401.*Invalid API key.*check the API key/);

    fake.options.mode = 'serverError';
    fake.calls.length = 0;
    const down = await rejection(voice.synthesize({ text: 'Hi', voiceId: 'v', language: 'en' }, ctx()));
    expect(down.kind).toBe('unavailable');
    expect(fake.calls).toHaveLength(1);
  });

  it('the fake answers 422 to empty text, which maps to rejected', async () => {
    // Our client refuses empty text before sending; whitespace-only text is what reaches the server here.
    const error = await rejection(voice.synthesize({ text: '   ', voiceId: 'v', language: 'en' }, ctx()));
    expect(error.kind).toBe('rejected');
    expect(fake.calls).toHaveLength(0);
    const raw = await fetch(`${fake.url}/v1/text-to-speech/v`, {
      method: 'POST',
      headers: { 'xi-api-key': 'xi-test-key', 'content-type': 'application/json' },
      body: JSON.stringify({ text: '' }),
    });
    expect(raw.status).toBe(422);
  });

  it('retries once without language_code when the model refuses it', async () => {
    fake.options.languageModels = ['eleven_flash_v2_5'];
    try {
      const file = await voice.synthesize({ text: 'Hallo', voiceId: 'v', language: 'de' }, ctx());
      expect(file.bytes.length).toBeGreaterThan(0);
      expect(file.meta).toMatchObject({ languageCode: undefined });
      expect(fake.calls.map((c) => c.body.language_code)).toEqual(['de', undefined]);
    } finally {
      delete fake.options.languageModels;
    }
  });

  it('a voice id is required', async () => {
    const error = await rejection(voice.synthesize({ text: 'Hi', language: 'en' }, ctx()));
    expect(error.kind).toBe('rejected');
    expect(error.message).toContain('voice id');
  });

  it('timeout and cancel map to their kinds', async () => {
    fake.options.mode = 'hang';
    const timedOut = await rejection(voice.synthesize({ text: 'Hi', voiceId: 'v', language: 'en' }, ctx(AbortSignal.timeout(300))));
    expect(timedOut.kind).toBe('timeout');
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const cancelled = await rejection(voice.synthesize({ text: 'Hi', voiceId: 'v', language: 'en' }, ctx(controller.signal)));
    expect(cancelled.kind).toBe('cancelled');
  });

  it('health lists models through the SDK; createVoiceProvider builds it', async () => {
    expect(await voice.health()).toEqual({ ok: true, detail: expect.stringContaining('2 models') });
    const built = createVoiceProvider({ type: 'elevenlabs', apiKey: 'xi-test-key', baseUrl: fake.url });
    expect(built.type).toBe('elevenlabs');
    expect((await built.health()).ok).toBe(true);
    expect((await new ElevenLabsVoice({ apiKey: 'k', baseUrl: 'http://127.0.0.1:9' }).health()).ok).toBe(false);
  });
});
