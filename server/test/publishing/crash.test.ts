import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { testRuntime, type TestRuntime } from '../helpers/runtime.ts';
import { ownerClient, personaBody, type ApiClient } from '../helpers/api.ts';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram.ts';
import { publishingServices } from '../../src/publishing/index.ts';

const CLI = fileURLToPath(new URL('../../src/entry/cli.ts', import.meta.url));

/**
 * Kill -9 of the worker while the platform holds its answer: the post exists remotely exactly once and the
 * target ends `published` or `needs_review` — never sent twice. Needs PostgreSQL (two processes, one DB).
 */
describe('a worker killed mid-publish', () => {
  let rt: TestRuntime;
  let owner: ApiClient;
  let orgId: string;
  let telegram: FakeTelegram;
  let worker: ChildProcess | null = null;

  beforeAll(async () => {
    telegram = await startFakeTelegram({ behaviour: { delayMs: 60_000 } });
    rt = await testRuntime('postgres', { PUBLISH_TIMEOUT_SECONDS: '2' });
    const o = await ownerClient(rt.app, rt.platform, 'Crash');
    owner = o.client;
    orgId = o.orgId;
  }, 60_000);
  afterAll(async () => {
    worker?.kill('SIGKILL');
    await rt?.stop();
    await telegram?.close();
  });

  it('leaves exactly one remote post and a target that is not resent', async () => {
    const personaId = (await owner.post('/api/v1/personas', personaBody('Iris'))).body.id;
    const channel = await owner.post('/api/v1/channels', {
      personaId,
      platform: 'telegram',
      handle: '@atelier_test',
      settings: { chatId: '@atelier_test', apiRoot: telegram.url },
      credentials: { bot_token: telegram.token },
    });
    expect(channel.status, JSON.stringify(channel.body)).toBe(201);
    const created = await owner.post('/api/v1/posts', { personaId, caption: 'Crash test', targets: [{ channelId: channel.body.id }] });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    await owner.post(`/api/v1/posts/${created.body.id}/approve`);

    // A worker in its own process, on the same database.
    worker = spawn(process.execPath, [CLI, 'worker'], {
      env: { ...process.env, ...stringEnv(rt.env), LOG_LEVEL: 'silent', ATELIER_RUN_WORKERS: 'true' },
      stdio: 'ignore',
    });
    await owner.post(`/api/v1/posts/${created.body.id}/schedule`, { at: new Date(Date.now() + 500).toISOString() });

    // The platform has the message; its answer is held back. Kill the worker now.
    await vi.waitFor(() => expect(telegram.messages.length).toBe(1), { timeout: 30_000, interval: 100 });
    worker.kill('SIGKILL');
    worker = null;
    const target = (await owner.get(`/api/v1/posts/${created.body.id}`)).body.targets[0];
    expect(target.status).toBe('publishing');

    // The sweep (here run by hand, with time moved on) re-queues it; recovery must not send again.
    const { dispatcher } = publishingServices(rt.platform);
    await new Promise((r) => setTimeout(r, 2_200));
    expect(await dispatcher.sweep(new Date(Date.now() + 120_000))).toBeGreaterThanOrEqual(1);
    await dispatcher.dispatch({ data: { orgId, targetId: target.id, version: target.version ?? 1 } });
    const after = (await owner.get(`/api/v1/posts/${created.body.id}`)).body.targets[0];
    expect(['published', 'needs_review']).toContain(after.status);
    expect(telegram.messages).toHaveLength(1);
    expect(telegram.calls.filter((c) => /send(Message|Photo)/.test(c.path)).length).toBe(1);
  }, 90_000);
});

function stringEnv(env: Record<string, unknown>) {
  return Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)]));
}

