import { execFileSync } from 'node:child_process';
import { describe, expect, it, vi } from 'vitest';
import { EspeakVoice, espeakRate, espeakVoiceFor } from '../../../src/generation/providers/voice/espeak.ts';
import { createVoiceProvider } from '../../../src/generation/providers/voice/index.ts';
import { fixWavSizes } from '../../../src/generation/providers/voice/shared.ts';
import { ProviderError, type ProviderContext } from '../../../src/generation/providers/types.ts';

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

function hasEspeak(): boolean {
  try {
    execFileSync('espeak-ng', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Checks a PCM WAV's header against its real size. */
function expectValidWav(bytes: Buffer) {
  expect(bytes.toString('ascii', 0, 4)).toBe('RIFF');
  expect(bytes.toString('ascii', 8, 12)).toBe('WAVE');
  expect(bytes.toString('ascii', 12, 16)).toBe('fmt ');
  expect(bytes.readUInt16LE(20)).toBe(1); // PCM
  expect(bytes.readUInt32LE(4)).toBe(bytes.length - 8);
  expect(bytes.toString('ascii', 36, 40)).toBe('data');
  expect(bytes.readUInt32LE(40)).toBe(bytes.length - 44);
  expect(bytes.length).toBeGreaterThan(44 + 2000); // some actual audio
}

describe('espeak-ng helpers', () => {
  it('maps speed to words per minute within espeak-ng limits', () => {
    expect(espeakRate(undefined)).toBe(175);
    expect(espeakRate(1.2)).toBe(210);
    expect(espeakRate(0.1)).toBe(80);
    expect(espeakRate(10)).toBe(450);
  });

  it('maps BCP 47 to espeak-ng voices', () => {
    const installed = new Set(['fr-fr', 'fr', 'en-us', 'en-gb', 'es', 'es-419', 'de', 'cmn', 'pt-br', 'pt']);
    expect(espeakVoiceFor('fr', installed)).toBe('fr');
    expect(espeakVoiceFor('fr-CA', installed)).toBe('fr');
    expect(espeakVoiceFor('en', installed)).toBe('en-us');
    expect(espeakVoiceFor('en-GB', installed)).toBe('en-gb');
    expect(espeakVoiceFor('es-MX', installed)).toBe('es-419');
    expect(espeakVoiceFor('pt-BR', installed)).toBe('pt-br');
    expect(espeakVoiceFor('zh-CN', installed)).toBe('cmn');
    expect(espeakVoiceFor('xx', installed)).toBeUndefined();
    expect(espeakVoiceFor('de-AT')).toBe('de-at');
  });

  it('writes real sizes into a streamed WAV header', () => {
    const wav = Buffer.alloc(44 + 10);
    wav.write('RIFF', 0, 'ascii');
    wav.writeUInt32LE(0x7fffffff, 4);
    wav.write('WAVEfmt ', 8, 'ascii');
    wav.writeUInt32LE(16, 16);
    wav.write('data', 36, 'ascii');
    wav.writeUInt32LE(0x7fffffff, 40);
    const fixed = fixWavSizes(wav);
    expect(fixed.readUInt32LE(4)).toBe(46);
    expect(fixed.readUInt32LE(40)).toBe(10);
  });
});

describe.runIf(hasEspeak())('EspeakVoice (real espeak-ng)', () => {
  const espeak = new EspeakVoice();

  it('speaks French to a valid WAV', async () => {
    const file = await espeak.synthesize({ text: "Bonsoir ! C'est une belle soirée d'été.", language: 'fr-FR' }, ctx());
    expect(file.mimeType).toBe('audio/wav');
    expectValidWav(file.bytes);
    expect(file.meta).toMatchObject({ provider: 'espeak', voice: 'fr-fr', wordsPerMinute: 175 });
  });

  it('speaks English to a valid WAV, faster speech is shorter', async () => {
    const text = 'Good evening everyone, thank you for being here tonight.';
    const normal = await espeak.synthesize({ text, language: 'en' }, ctx());
    const fast = await espeak.synthesize({ text, language: 'en-US', speed: 1.8 }, ctx());
    expectValidWav(normal.bytes);
    expectValidWav(fast.bytes);
    expect(normal.meta).toMatchObject({ voice: 'en-us' });
    expect(fast.meta).toMatchObject({ wordsPerMinute: 315 });
    expect(fast.bytes.length).toBeLessThan(normal.bytes.length);
  });

  it('text that looks like options is spoken, not obeyed (stdin, no shell)', async () => {
    const file = await espeak.synthesize({ text: '--version; rm -rf / $(whoami) `id`', language: 'en' }, ctx());
    expectValidWav(file.bytes);
  });

  it('an explicit voice id is used; a bad one is refused before running', async () => {
    const file = await espeak.synthesize({ text: 'Hola a todos', language: 'en', voiceId: 'es' }, ctx());
    expect(file.meta).toMatchObject({ voice: 'es' });
    const bad = await rejection(espeak.synthesize({ text: 'x', language: 'en', voiceId: '--stdout' }, ctx()));
    expect(bad.kind).toBe('rejected');
    const unknown = await rejection(espeak.synthesize({ text: 'x', language: 'en', voiceId: 'zz-nope' }, ctx()));
    expect(unknown.kind).toBe('rejected');
    const noLang = await rejection(espeak.synthesize({ text: 'x', language: 'xx' }, ctx()));
    expect(noLang.kind).toBe('rejected');
  });

  it('abort kills the process: cancelled', async () => {
    const controller = new AbortController();
    const long = 'This is a long sentence that takes espeak a moment to render. '.repeat(200);
    setTimeout(() => controller.abort(), 30);
    const error = await rejection(espeak.synthesize({ text: long, language: 'en' }, ctx(controller.signal)));
    expect(error.kind).toBe('cancelled');
  });

  it('health finds the binary; a missing binary is reported, and unavailable on use', async () => {
    expect(await espeak.health()).toEqual({ ok: true, detail: expect.stringContaining('eSpeak NG') });
    const missing = new EspeakVoice({ binary: 'espeak-ng-does-not-exist' });
    expect(await missing.health()).toEqual({ ok: false, detail: expect.stringContaining('not installed') });
    const error = await rejection(missing.synthesize({ text: 'hi', language: 'en', voiceId: 'en' }, ctx()));
    expect(error.kind).toBe('unavailable');
  });

  it('createVoiceProvider defaults to espeak-ng', async () => {
    const provider = createVoiceProvider();
    expect(provider.type).toBe('espeak');
    expectValidWav((await provider.synthesize({ text: 'Hallo zusammen', language: 'de' }, ctx())).bytes);
  });
});
