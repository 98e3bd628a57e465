/**
 * Voice providers: build the configured client. espeak-ng (local, nothing to configure) is the default.
 */
import type { VoiceProvider } from '../types.ts';
import { ElevenLabsVoice, type ElevenLabsVoiceOptions } from './elevenlabs.ts';
import { EspeakVoice, type EspeakVoiceOptions } from './espeak.ts';
import { PiperVoice, type PiperVoiceOptions } from './piper.ts';

export { ElevenLabsVoice, ELEVENLABS_DEFAULT_URL, elevenLabsSpeed, type ElevenLabsVoiceOptions } from './elevenlabs.ts';
export { EspeakVoice, espeakRate, espeakVoiceFor, ESPEAK_DEFAULT_WPM, type EspeakVoiceOptions } from './espeak.ts';
export { PiperVoice, PIPER_DEFAULT_URL, parsePiperVoice, type PiperVoiceOptions } from './piper.ts';

export type VoiceProviderConfig =
  | ({ type: 'elevenlabs' } & ElevenLabsVoiceOptions)
  | ({ type: 'piper' } & PiperVoiceOptions)
  | ({ type: 'espeak' } & EspeakVoiceOptions);

export function createVoiceProvider(config: VoiceProviderConfig = { type: 'espeak' }): VoiceProvider {
  switch (config.type) {
    case 'elevenlabs': {
      const { type: _type, ...options } = config;
      return new ElevenLabsVoice(options);
    }
    case 'piper': {
      const { type: _type, ...options } = config;
      return new PiperVoice(options);
    }
    case 'espeak': {
      const { type: _type, ...options } = config;
      return new EspeakVoice(options);
    }
    default: {
      const unknown: never = config;
      throw new Error(`Unknown voice provider type: ${(unknown as { type?: string }).type}`);
    }
  }
}
