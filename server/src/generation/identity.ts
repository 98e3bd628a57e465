import { z } from 'zod';

/**
 * A persona's studio identity: her look, voice, caption style and daily routine. Stored as one JSON
 * document per persona (persona_studio.settings); this schema is the only definition of its shape.
 */
const uuid = z.string().uuid();
const prompt = z.string().max(4000);

export const dailyPlanSchema = z.strictObject({
  enabled: z.boolean().default(false),
  /** Local time in the persona's timezone, HH:MM. */
  localTime: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM, 24-hour').default('06:00'),
  images: z.number().int().min(0).max(10).default(4),
  clips: z.number().int().min(0).max(5).default(1),
  /** Rotated through by the day's images, e.g. "café terrace at golden hour". */
  themes: z.array(z.string().trim().min(1).max(300)).max(50).default([]),
  /** Caption platforms written for every image the plan makes. */
  captionPlatforms: z.array(z.enum(['x', 'instagram', 'reddit', 'bluesky', 'fanvue', 'telegram', 'discord', 'onlyfans'])).max(8).default([]),
});

export const studioSettingsSchema = z.strictObject({
  appearancePrompt: prompt.default(''),
  negativePrompt: prompt.default(''),
  stylePresets: z
    .array(z.strictObject({ name: z.string().trim().min(1).max(80), prompt, negativePrompt: prompt.optional() }))
    .max(50)
    .default([]),
  lora: z.strictObject({ name: z.string().trim().min(1).max(200), weight: z.number().min(-2).max(2) }).nullable().default(null),
  /** Her own earlier assets only (checked on save), used as identity references. */
  referenceAssetIds: z.array(uuid).max(8).default([]),
  seedPolicy: z.enum(['random', 'fixed']).default('random'),
  fixedSeed: z.number().int().min(0).max(2 ** 32 - 1).optional(),
  imageProviderId: uuid.nullable().default(null),
  /** A video-capable provider for clips (ComfyUI video workflow, Replicate video model); null = local montage. */
  videoProviderId: uuid.nullable().default(null),
  textProviderId: uuid.nullable().default(null),
  /** null = espeak-ng, the local zero-setup voice. */
  voiceProviderId: uuid.nullable().default(null),
  voice: z.strictObject({ voiceId: z.string().max(200).optional(), speed: z.number().min(0.5).max(2).optional() }).default({}),
  caption: z
    .strictObject({
      tone: z.string().max(300).default('warm, playful, concise'),
      languages: z.array(z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/)).min(1).max(10).default(['en', 'fr']),
      model: z.string().max(200).optional(),
    })
    .default({ tone: 'warm, playful, concise', languages: ['en', 'fr'] }),
  disclosureText: z.string().trim().min(1).max(300).default('AI-generated persona · Persona générée par IA'),
  watermark: z.strictObject({ text: z.string().trim().min(1).max(80) }).nullable().default(null),
  imageDefaults: z
    .strictObject({
      width: z.number().int().min(256).max(4096).default(1024),
      height: z.number().int().min(256).max(4096).default(1280),
      steps: z.number().int().min(1).max(150).optional(),
      cfgScale: z.number().min(0).max(30).optional(),
      workflow: z.string().max(200).optional(),
      videoWorkflow: z.string().max(200).optional(),
    })
    .default({ width: 1024, height: 1280 }),
  dailyPlan: dailyPlanSchema.default({ enabled: false, localTime: '06:00', images: 4, clips: 1, themes: [], captionPlatforms: [] }),
});

export type StudioSettings = z.infer<typeof studioSettingsSchema>;
export type DailyPlan = z.infer<typeof dailyPlanSchema>;

export const defaultStudioSettings = (): StudioSettings => studioSettingsSchema.parse({});

/** Everything of the identity that ends up in a generation prompt, for the prompt gate. */
export function identityTexts(s: StudioSettings): string[] {
  return [s.appearancePrompt, ...s.stylePresets.map((p) => p.prompt), ...s.dailyPlan.themes].filter(Boolean);
}
