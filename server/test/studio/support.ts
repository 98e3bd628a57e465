import sharp from 'sharp';
import { expect, vi } from 'vitest';
import type { ApiClient } from '../helpers/api.ts';
import { readDigitalSourceType } from '../../src/generation/media/xmp.ts';
import { readMp4Xmp } from '../../src/generation/media/mp4-xmp.ts';
import type { Storage } from '../../src/platform/storage/storage.ts';

export const AI_SOURCE = 'http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia';

/** An API-format txt2img workflow the fake ComfyUI validates like the real one. */
export const TXT2IMG = {
  '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'fake_sdxl.safetensors' } },
  '6': { class_type: 'CLIPTextEncode', inputs: { text: '{{prompt}}', clip: ['4', 1] } },
  '7': { class_type: 'CLIPTextEncode', inputs: { text: '{{negative_prompt}}', clip: ['4', 1] } },
  '5': { class_type: 'EmptyLatentImage', inputs: { width: '{{width}}', height: '{{height}}', batch_size: '{{batch_size}}' } },
  '3': {
    class_type: 'KSampler',
    inputs: { model: ['4', 0], seed: '{{seed}}', steps: '{{steps}}', cfg: '{{cfg}}', sampler_name: 'euler', scheduler: 'normal', positive: ['6', 0], negative: ['7', 0], latent_image: ['5', 0], denoise: 1 },
  },
  '8': { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['4', 2] } },
  '9': { class_type: 'SaveImage', inputs: { images: ['8', 0], filename_prefix: 'atelier' } },
};

export type Job = { id: string; status: string; progress: number; error: { message: string; kind?: string; details?: unknown } | null; resultAssetIds: string[]; resultCaptionIds: string[]; attempts: number };

/** Polls the job through the API until it reaches a final state. */
export async function waitForJob(client: ApiClient, id: string, timeout = 60_000): Promise<Job> {
  return vi.waitFor(
    async () => {
      const res = await client.get(`/api/v1/studio/jobs/${id}`);
      expect(res.status).toBe(200);
      expect(['succeeded', 'failed', 'cancelled'], `job still ${res.body.status}`).toContain(res.body.status);
      return res.body as Job;
    },
    { timeout, interval: 200 },
  );
}

/** Every stored file of an asset (original, variants, thumbnail) carries the IPTC AI marking and no source metadata. */
export async function expectMarkedAndClean(storage: Storage, asset: { kind: string; variants: { key: string }[]; url: string }, keys: string[]) {
  for (const key of keys) {
    const bytes = await storage.get(key);
    if (key.endsWith('.mp4') || key.endsWith('.m4a')) {
      const xmp = readMp4Xmp(bytes);
      expect(xmp, key).toBeTruthy();
      expect(readDigitalSourceType(xmp!), key).toBe(AI_SOURCE);
      continue;
    }
    const meta = await sharp(bytes).metadata();
    expect(meta.exif, `${key} keeps EXIF`).toBeUndefined();
    expect(meta.xmp, `${key} has no XMP`).toBeTruthy();
    expect(readDigitalSourceType(meta.xmp!.toString('utf8')), key).toBe(AI_SOURCE);
    // ComfyUI/A1111 write their prompt and workflow into PNG text chunks: none may survive.
    const text = bytes.toString('latin1');
    for (const leak of ['"class_type"', 'parameters\u0000', 'workflow\u0000', 'prompt\u0000']) expect(text.includes(leak), `${key} leaks ${leak}`).toBe(false);
  }
}
