import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { PiperVoice, parsePiperVoice } from '../../../src/generation/providers/voice/piper.ts';
import { createVoiceProvider } from '../../../src/generation/providers/voice/index.ts';
import { ProviderError, type ProviderContext } from '../../../src/generation/providers/types.ts';
import { startFakePiper, type FakePiper } from '../../fakes/piper.ts';

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

function wavInfo(bytes: Buffer) {
  return {
    riff: bytes.toString('ascii', 0, 4),
    wave: bytes.toString('ascii', 8, 12),
    riffSize: bytes.readUInt32LE(4),
    sampleRate: bytes.readUInt32LE(24),
    dataSize: bytes.readUInt32LE(40),
  };
}

describe('PiperVoice', () => {
  let fake: FakePiper;
  let piper: PiperVoice;
  beforeAll(async () => {
    fake = await startFakePiper({ voices: ['fr_FR-siwis-medium', 'en_US-lessac-medium', 'en_US-libritts-high'] });
    piper = new PiperVoice({ baseUrl: fake.url, voicesByLanguage: { fr: 'fr_FR-siwis-medium', en: 'en_US-lessac-medium' } });
  });
  afterAll(() => fake.close());
  afterEach(() => {
    fake.options.legacy = false;
    fake.options.mode = 'ok';
    fake.calls.length = 0;
  });

  it('POSTs JSON {text, voice, length_scale} and returns a WAV', async () => {
    const file = await piper.synthesize({ text: 'Bonjour à tous', language: 'fr-FR', speed: 1.25 }, ctx());
    expect(file.mimeType).toBe('audio/wav');
    const info = wavInfo(file.bytes);
    expect(info).toMatchObject({ riff: 'RIFF', wave: 'WAVE', sampleRate: 22050 });
    expect(info.riffSize).toBe(file.bytes.length - 8);
    expect(info.dataSize).toBe(file.bytes.length - 44);
    expect(fake.calls[0]).toMatchObject({ method: 'POST', path: '/', contentType: 'application/json', body: { text: 'Bonjour à tous', voice: 'fr_FR-siwis-medium', length_scale: 0.8 } });
    expect(file.meta).toMatchObject({ voice: 'fr_FR-siwis-medium', legacy: false });
  });

  it('passes an explicit voice and speaker (name#speaker)', async () => {
    await piper.synthesize({ text: 'Hello', language: 'en', voiceId: 'en_US-libritts-high#12' }, ctx());
    expect(fake.calls[0]!.body).toEqual({ text: 'Hello', voice: 'en_US-libritts-high', speaker_id: 12 });
    expect(parsePiperVoice('#3')).toEqual({ speakerId: 3 });
    expect(parsePiperVoice('x')).toEqual({ voice: 'x' });
  });

  it('retries once with raw text/plain for an older server that refuses JSON', async () => {
    fake.options.legacy = true;
    const file = await piper.synthesize({ text: 'Old server, raw text', language: 'en' }, ctx());
    expect(file.bytes.toString('ascii', 0, 4)).toBe('RIFF');
    expect(fake.calls.map((c) => c.contentType)).toEqual(['application/json', 'text/plain']);
    expect(fake.calls[1]!.raw).toBe('Old server, raw text');
    expect(file.meta).toMatchObject({ legacy: true });
    expect(await piper.health()).toEqual({ ok: true, detail: expect.stringContaining('older server') });
  });

  it('errors: unknown voice rejected, 500 unavailable, hang → timeout, refused → unavailable', async () => {
    const unknown = await rejection(piper.synthesize({ text: 'x', language: 'en', voiceId: 'de_DE-nope' }, ctx()));
    expect(unknown.kind).toBe('rejected');
    expect(unknown.message).toContain('Voice not found');
    fake.options.mode = 'serverError';
    expect((await rejection(piper.synthesize({ text: 'x', language: 'en' }, ctx()))).kind).toBe('unavailable');
    fake.options.mode = 'hang';
    expect((await rejection(piper.synthesize({ text: 'x', language: 'en' }, ctx(AbortSignal.timeout(300))))).kind).toBe('timeout');
    const down = new PiperVoice({ baseUrl: 'http://127.0.0.1:9' });
    expect((await rejection(down.synthesize({ text: 'x', language: 'en' }, ctx()))).kind).toBe('unavailable');
    expect((await down.health()).ok).toBe(false);
  });

  it('health lists voices; createVoiceProvider builds Piper', async () => {
    const built = createVoiceProvider({ type: 'piper', baseUrl: fake.url });
    expect(built.type).toBe('piper');
    expect(await built.health()).toEqual({ ok: true, detail: expect.stringContaining('fr_FR-siwis-medium') });
  });
});
