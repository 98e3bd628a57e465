/**
 * Tests of the shared connector fetch helper (server/src/publishing/connectors/http.ts). They live here
 * because this session owns only the instagram/reddit/fanvue test folders.
 */
import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { connectorFetch, expiresWithin, kindForStatus, mergeCredentials, parseRetryAfter } from '../../../src/publishing/connectors/http.ts';
import { ConnectorError } from '../../../src/publishing/connectors/types.ts';
import { closedPortUrl, listen, readBody, sendJson } from '../../fakes/util.ts';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});

async function serve(handler: http.RequestListener): Promise<string> {
  const handle = await listen(http.createServer(handler));
  closers.push(handle.close);
  return handle.url;
}

async function failure(promise: Promise<unknown>): Promise<ConnectorError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConnectorError);
  return error as ConnectorError;
}

describe('parseRetryAfter / kindForStatus / credentials helpers', () => {
  it('reads seconds and HTTP dates', () => {
    const now = Date.parse('2026-03-01T12:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120);
    expect(parseRetryAfter(' 1.2 ', now)).toBe(2);
    expect(parseRetryAfter('Sun, 01 Mar 2026 12:01:30 GMT', now)).toBe(90);
    expect(parseRetryAfter('Sun, 01 Mar 2026 11:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });

  it('maps statuses', () => {
    expect(kindForStatus(401)).toBe('auth');
    expect(kindForStatus(429)).toBe('rate_limited');
    expect(kindForStatus(400)).toBe('rejected');
    expect(kindForStatus(403)).toBe('rejected');
    expect(kindForStatus(503, true)).toBe('unavailable');
    expect(kindForStatus(500)).toBe('unavailable');
    expect(kindForStatus(500, true)).toBe('unknown_outcome');
    expect(kindForStatus(504, true)).toBe('unknown_outcome');
  });

  it('never blanks a refresh token; expiry windows', () => {
    expect(mergeCredentials({ access_token: 'a', refresh_token: 'r' }, { access_token: 'b', refresh_token: undefined })).toEqual({ access_token: 'b', refresh_token: 'r' });
    expect(mergeCredentials({ refresh_token: 'r' }, { refresh_token: '' })).toEqual({ refresh_token: 'r' });
    expect(expiresWithin(new Date(Date.now() + 30_000).toISOString(), 60_000)).toBe(true);
    expect(expiresWithin(new Date(Date.now() + 3600_000).toISOString(), 60_000)).toBe(false);
    expect(expiresWithin(undefined, 60_000)).toBe(false);
  });
});

describe('connectorFetch', () => {
  it('sends JSON and form bodies and parses JSON answers', async () => {
    const url = await serve(async (req, res) => {
      const body = (await readBody(req)).toString('utf8');
      sendJson(res, 200, { type: req.headers['content-type'], body });
    });
    const signal = AbortSignal.timeout(5000);
    const json = await connectorFetch<{ type: string; body: string }>('sandbox', url, { method: 'POST', signal, json: { a: 1 } });
    expect(json.data).toEqual({ type: 'application/json', body: '{"a":1}' });
    const form = await connectorFetch<{ type: string; body: string }>('sandbox', url, { method: 'POST', signal, form: { a: 'x y', b: undefined, c: true } });
    expect(form.data).toEqual({ type: 'application/x-www-form-urlencoded', body: 'a=x+y&c=true' });
  });

  it('maps statuses, messages and Retry-After (seconds or date)', async () => {
    const url = await serve((req, res) => {
      if (req.url === '/401') sendJson(res, 401, { error: { message: 'bad token' } });
      else if (req.url === '/429') sendJson(res, 429, { message: 'slow down' }, { 'retry-after': new Date(Date.now() + 30_000).toUTCString() });
      else if (req.url === '/400?secret=1') sendJson(res, 400, { errors: [{ message: 'caption too long' }] });
      else sendJson(res, 503, {}, { 'retry-after': '5' });
    });
    const signal = AbortSignal.timeout(5000);
    expect((await failure(connectorFetch('sandbox', `${url}/401`, { signal }))).kind).toBe('auth');
    const limited = await failure(connectorFetch('sandbox', `${url}/429`, { signal }));
    expect(limited.kind).toBe('rate_limited');
    expect(limited.retryAfterSeconds).toBeGreaterThanOrEqual(28);
    expect(limited.retryAfterSeconds).toBeLessThanOrEqual(31);
    const rejected = await failure(connectorFetch('sandbox', `${url}/400?secret=1`, { signal }));
    expect(rejected.kind).toBe('rejected');
    expect(rejected.message).toMatch(/caption too long/);
    expect(rejected.message).not.toMatch(/secret/);
    const down = await failure(connectorFetch('sandbox', `${url}/down`, { signal, sendsPost: true }));
    expect(down).toMatchObject({ kind: 'unavailable', retryAfterSeconds: 5 });
    const allowed = await connectorFetch('sandbox', `${url}/401`, { signal, allowErrorStatus: true });
    expect(allowed.status).toBe(401);
  });

  it('connection refused → unavailable even for the post-creating request', async () => {
    const dead = await closedPortUrl();
    const error = await failure(connectorFetch('sandbox', `${dead}/post`, { method: 'POST', signal: AbortSignal.timeout(5000), sendsPost: true }));
    expect(error.kind).toBe('unavailable');
  });

  it('timeout after sending: unknown_outcome when it creates the post, unavailable otherwise', async () => {
    const url = await serve(() => {
      /* never answers */
    });
    const signal = AbortSignal.timeout(5000);
    const post = await failure(connectorFetch('sandbox', url, { method: 'POST', signal, timeoutMs: 100, sendsPost: true, json: {} }));
    expect(post.kind).toBe('unknown_outcome');
    expect(post.message).toMatch(/timed out/);
    const read = await failure(connectorFetch('sandbox', url, { signal, timeoutMs: 100 }));
    expect(read.kind).toBe('unavailable');
  });

  it('the caller aborting mid-request → unknown_outcome for a post; already aborted → unavailable (nothing sent)', async () => {
    let hits = 0;
    const url = await serve(() => {
      hits += 1;
    });
    const controller = new AbortController();
    const pending = connectorFetch('sandbox', url, { method: 'POST', signal: controller.signal, sendsPost: true, json: {} });
    setTimeout(() => controller.abort(), 50);
    expect((await failure(pending)).kind).toBe('unknown_outcome');
    const before = hits;
    const aborted = await failure(connectorFetch('sandbox', url, { method: 'POST', signal: AbortSignal.abort(), sendsPost: true }));
    expect(aborted.kind).toBe('unavailable');
    expect(hits).toBe(before);
  });

  it('a connection reset after the request was sent → unknown_outcome for a post', async () => {
    const url = await serve((req) => {
      req.socket.destroy();
    });
    const error = await failure(connectorFetch('sandbox', url, { method: 'POST', signal: AbortSignal.timeout(5000), sendsPost: true, json: {} }));
    expect(error.kind).toBe('unknown_outcome');
    const read = await failure(connectorFetch('sandbox', url, { signal: AbortSignal.timeout(5000) }));
    expect(read.kind).toBe('unavailable');
  });
});
