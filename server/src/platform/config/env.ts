import { z } from 'zod';

// Every setting Atelier reads from the environment, validated once at start. Documented in .env.example.
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    HOST: z.string().default('127.0.0.1'),
    PORT: z.coerce.number().int().min(0).max(65535).default(8080),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    ATELIER_DATA_DIR: z.string().default('./data'),
    /** Unset: embedded PGlite under the data dir. Set: PostgreSQL (production). */
    DATABASE_URL: z.string().url().optional(),
    DATABASE_POOL_MAX: z.coerce.number().int().min(2).max(200).default(10),
    /** Unset: in-process events and rate limits. Set: shared across API instances through Redis. */
    REDIS_URL: z.string().url().optional(),
    /** 32 bytes, base64. Embedded start generates one in the data dir; production must set it. */
    ATELIER_MASTER_KEY: z.string().optional(),
    /** Earlier master keys still able to decrypt (comma-separated `id:base64`), for rotation. */
    ATELIER_OLD_MASTER_KEYS: z.string().optional(),
    ATELIER_RUN_WORKERS: bool.default(true),
    /** `cli worker` serves GET /metrics on this port (on HOST) when set, for Prometheus. */
    WORKER_METRICS_PORT: z.coerce.number().int().min(1).max(65535).optional(),
    ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(30).max(86_400).default(900),
    REFRESH_TOKEN_TTL_DAYS: z.coerce.number().int().min(1).max(365).default(30),
    LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).max(100).default(5),
    /** Sign-in/refresh/setup attempts per client address per minute, shared through Redis when set. */
    AUTH_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(30),
    LOGIN_LOCKOUT_MINUTES: z.coerce.number().int().min(1).max(1440).default(15),
    BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(1_048_576),
    /** Comma-separated origins allowed by CORS; empty keeps CORS closed. */
    CORS_ORIGINS: z.string().default(''),
    /** Set when served over HTTPS so the refresh cookie is marked Secure. */
    COOKIE_SECURE: bool.default(false),
    S3_ENDPOINT: z.string().url().optional(),
    S3_REGION: z.string().default('us-east-1'),
    S3_BUCKET: z.string().optional(),
    S3_ACCESS_KEY_ID: z.string().optional(),
    S3_SECRET_ACCESS_KEY: z.string().optional(),
    S3_FORCE_PATH_STYLE: bool.default(true),
    /** Real people's names refused in prompts: comma-separated, and/or a file with one name per line. */
    ATELIER_DENY_NAMES: z.string().optional(),
    ATELIER_DENY_NAMES_FILE: z.string().optional(),
    /** nsfwjs thresholds (0..1): Porn+Hentai at or above EXPLICIT → explicit; Sexy at or above SUGGESTIVE → suggestive. */
    RATING_EXPLICIT_THRESHOLD: z.coerce.number().min(0).max(1).default(0.6),
    RATING_SUGGESTIVE_THRESHOLD: z.coerce.number().min(0).max(1).default(0.5),
    /** How long one generation attempt may run before it counts as hung. */
    STUDIO_IMAGE_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(7200).default(600),
    STUDIO_TEXT_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(3600).default(120),
    STUDIO_VIDEO_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(14_400).default(1800),
    /** Retries of a generation whose provider is down or hung, with exponential backoff from STUDIO_RETRY_DELAY_SECONDS. */
    STUDIO_RETRY_LIMIT: z.coerce.number().int().min(0).max(10).default(3),
    STUDIO_RETRY_DELAY_SECONDS: z.coerce.number().int().min(0).max(3600).default(10),
    /** How long one publish call may take before its outcome counts as unknown (then it is checked, never resent). */
    PUBLISH_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(3600).default(120),
    /** Targets one process publishes at once. */
    PUBLISH_CONCURRENCY: z.coerce.number().int().min(1).max(200).default(4),
    /** Public base URL of this server (https://…), for platforms that fetch media themselves (Instagram) and OAuth redirect URIs. */
    PUBLIC_BASE_URL: z.string().url().optional(),
    /** Headless Chromium used to print PDFs (statements, reports); default /usr/bin/chromium. */
    CHROMIUM_PATH: z.string().optional(),
    SIGNED_URL_TTL_SECONDS: z.coerce.number().int().min(10).max(86_400).default(300),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === 'production' && !env.ATELIER_MASTER_KEY) {
      ctx.addIssue({ code: 'custom', path: ['ATELIER_MASTER_KEY'], message: 'required in production' });
    }
    const s3 = [env.S3_BUCKET, env.S3_ACCESS_KEY_ID, env.S3_SECRET_ACCESS_KEY];
    if (s3.some(Boolean) && !s3.every(Boolean)) {
      ctx.addIssue({
        code: 'custom',
        path: ['S3_BUCKET'],
        message: 'S3_BUCKET, S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY go together',
      });
    }
  });

export type Env = z.infer<typeof envSchema>;

export class ConfigError extends Error {}

export function loadEnv(source: NodeJS.ProcessEnv = process.env): Env {
  // Empty strings in .env files mean "not set", not "set to empty".
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(env)'}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
