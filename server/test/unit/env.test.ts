import { describe, expect, it } from 'vitest';
import { ConfigError, loadEnv } from '../../src/platform/config/env.ts';

describe('configuration', () => {
  it('defaults to the zero-service embedded setup', () => {
    const env = loadEnv({});
    expect(env.PORT).toBe(8080);
    expect(env.HOST).toBe('127.0.0.1');
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.ATELIER_DATA_DIR).toBe('./data');
  });

  it('treats empty values as unset and names every bad variable', () => {
    expect(loadEnv({ PORT: '' }).PORT).toBe(8080);
    try {
      loadEnv({ PORT: 'eighty', DATABASE_URL: 'not a url' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(/PORT/);
      expect((error as Error).message).toMatch(/DATABASE_URL/);
    }
  });

  it('requires a master key in production and S3 settings together', () => {
    expect(() => loadEnv({ NODE_ENV: 'production' })).toThrow(/ATELIER_MASTER_KEY/);
    expect(() => loadEnv({ S3_BUCKET: 'media' })).toThrow(/S3_BUCKET/);
  });
});
