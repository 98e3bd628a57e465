import { z } from 'zod';

/** What a user (or the daily plan) asks the studio for. Stored as the job's request, replayable. */
const uuid = z.string().uuid();
const captionPlatform = z.enum(['x', 'instagram', 'reddit', 'bluesky', 'fanvue', 'telegram', 'discord', 'onlyfans']);

export const generationRequestSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('image'),
    personaId: uuid,
    prompt: z.string().trim().min(1).max(4000),
    negativePrompt: z.string().max(4000).optional(),
    stylePreset: z.string().max(80).optional(),
    seed: z.number().int().min(0).max(2 ** 32 - 1).optional(),
    width: z.number().int().min(256).max(4096).optional(),
    height: z.number().int().min(256).max(4096).optional(),
    count: z.number().int().min(1).max(4).default(1),
    workflow: z.string().max(200).optional(),
    tags: z.array(z.string().trim().min(1).max(50)).max(20).default([]),
    /** Write captions for each produced image, for these platforms. */
    captionPlatforms: z.array(captionPlatform).max(8).default([]),
  }),
  z.strictObject({
    kind: z.literal('video'),
    personaId: uuid,
    prompt: z.string().trim().min(1).max(4000),
    negativePrompt: z.string().max(4000).optional(),
    seed: z.number().int().min(0).max(2 ** 32 - 1).optional(),
    durationSeconds: z.number().int().min(2).max(30).default(5),
    workflow: z.string().max(200).optional(),
    tags: z.array(z.string().trim().min(1).max(50)).max(20).default([]),
  }),
  z.strictObject({
    kind: z.literal('montage'),
    personaId: uuid,
    /** Her images, in order; empty = her latest approved images. */
    assetIds: z.array(uuid).max(10).default([]),
    durationSeconds: z.number().int().min(5).max(30).default(10),
    voiceText: z.string().trim().max(1000).optional(),
    captionText: z.string().trim().max(500).optional(),
    language: z.string().max(20).optional(),
    tags: z.array(z.string().trim().min(1).max(50)).max(20).default([]),
  }),
  z.strictObject({
    kind: z.literal('caption'),
    personaId: uuid,
    brief: z.string().trim().min(1).max(2000),
    assetId: uuid.optional(),
    platforms: z.array(captionPlatform).min(1).max(8),
    languages: z.array(z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/)).max(10).optional(),
    variants: z.number().int().min(2).max(4).default(2),
  }),
  z.strictObject({
    kind: z.literal('voice'),
    personaId: uuid,
    text: z.string().trim().min(1).max(2000),
    language: z.string().max(20).optional(),
    tags: z.array(z.string().trim().min(1).max(50)).max(20).default([]),
  }),
]);

export type GenerationRequest = z.infer<typeof generationRequestSchema>;
export type GenerationInput = z.input<typeof generationRequestSchema>;

/** The request with everything the persona contributed resolved, so a replay makes the same thing. */
export type ResolvedRequest = GenerationRequest & {
  resolved: {
    prompt?: string;
    negativePrompt?: string;
    seed?: number;
    width?: number;
    height?: number;
    lora?: { name: string; weight: number } | null;
    referenceAssetIds?: string[];
    providerId?: string | null;
    workflow?: string;
    languages?: string[];
  };
};
