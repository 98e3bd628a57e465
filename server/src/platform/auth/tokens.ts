import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import type { Role } from '../db/schema/index.ts';

export interface AccessClaims {
  sub: string;
  org: string;
  role: Role;
  sid: string;
}

/** Short-lived bearer tokens, HS256 with a key derived from the master key. */
export class AccessTokens {
  readonly #key: Uint8Array;
  readonly #ttl: number;
  constructor(key: Uint8Array, ttlSeconds: number) {
    this.#key = key;
    this.#ttl = ttlSeconds;
  }

  get ttlSeconds() {
    return this.#ttl;
  }

  sign(claims: AccessClaims): Promise<string> {
    return new SignJWT({ org: claims.org, role: claims.role, sid: claims.sid })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(claims.sub)
      .setIssuer('atelier')
      .setAudience('atelier-api')
      .setIssuedAt()
      .setExpirationTime(`${this.#ttl}s`)
      .sign(this.#key);
  }

  /** Returns null for anything that is not a valid, unexpired token of ours. */
  async verify(token: string): Promise<AccessClaims | null> {
    try {
      const { payload } = await jwtVerify(token, this.#key, { issuer: 'atelier', audience: 'atelier-api', algorithms: ['HS256'] });
      if (typeof payload.sub !== 'string' || typeof payload.org !== 'string' || typeof payload.sid !== 'string') return null;
      return { sub: payload.sub, org: payload.org, role: payload.role as Role, sid: payload.sid };
    } catch (error) {
      if (error instanceof joseErrors.JOSEError) return null;
      throw error;
    }
  }
}

export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/**
 * Refresh tokens and API keys are stored only as hashes: a DB dump reveals none of them. They are 256-bit
 * random values, so a plain SHA-256 cannot be brute-forced, and it does not depend on the master key:
 * rotating that key leaves every session and API key working.
 */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}
