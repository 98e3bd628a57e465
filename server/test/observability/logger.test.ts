import { Writable } from 'node:stream';
import Fastify from 'fastify';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { loggerOptions, stripSecretQuery } from '../../src/platform/observability/logger.ts';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return { stream, lines, text: () => lines.join('\n') };
}

describe('loggerOptions', () => {
  it('redacts passwords, tokens and auth headers wherever they are logged', () => {
    const out = capture();
    const log = pino(loggerOptions('info'), out.stream);

    log.info(
      {
        password: 'top-level-pw',
        user: { email: 'a@example.test', password: 'hunter2', newPassword: 'hunter3' },
        req: { headers: { authorization: 'Bearer eyJ.secret.jwt', cookie: 'rt=refresh-cookie' } },
        provider: { config: { apiKey: 'sk-live-123' } },
        body: { code: '123456' },
        err: { code: 'ECONNREFUSED' },
      },
      'login attempt',
    );

    const text = out.text();
    for (const secret of ['top-level-pw', 'hunter2', 'hunter3', 'eyJ.secret.jwt', 'refresh-cookie', 'sk-live-123', '123456']) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('[redacted]');
    expect(text).toContain('a@example.test');
    // Error codes are debugging information, not secrets.
    expect(text).toContain('ECONNREFUSED');
  });

  it('keeps a Fastify request log line free of headers and credential query values', async () => {
    const out = capture();
    const app = Fastify({ loggerInstance: pino(loggerOptions('info'), out.stream) });
    app.get('/media/:id', async () => ({ ok: true }));

    const res = await app.inject({
      method: 'GET',
      url: '/media/42?w=200&token=abc.def&sig=s1g&X-Amz-Signature=aws1',
      headers: { authorization: 'Bearer very-secret', cookie: 'session=cookie-secret' },
    });
    await app.close();

    expect(res.statusCode).toBe(200);
    const text = out.text();
    for (const secret of ['abc.def', 's1g', 'aws1', 'very-secret', 'cookie-secret']) {
      expect(text).not.toContain(secret);
    }
    const incoming = out.lines.map((l) => JSON.parse(l) as Record<string, any>).find((l) => l.msg === 'incoming request');
    expect(incoming?.req).toMatchObject({ method: 'GET', url: '/media/42?w=200&token=[redacted]&sig=[redacted]&X-Amz-Signature=[redacted]' });
    expect(incoming?.req.id).toBeTruthy();
    expect(incoming?.req.remoteAddress).toBeTruthy();
  });

  it('leaves URLs without credentials untouched', () => {
    expect(stripSecretQuery('/a/b')).toBe('/a/b');
    expect(stripSecretQuery('/a?q=x%20y&page=2')).toBe('/a?q=x%20y&page=2');
    expect(stripSecretQuery('/cb?access_token=t&lang=fr')).toBe('/cb?access_token=[redacted]&lang=fr');
    // An OAuth callback's state and code finish the flow: they are as secret as a token while it is open.
    expect(stripSecretQuery('/cb?code=c&state=s&code_verifier=v')).toBe('/cb?code=[redacted]&state=[redacted]&code_verifier=[redacted]');
  });
});
