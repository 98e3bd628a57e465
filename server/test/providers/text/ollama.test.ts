import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { OllamaTextModel } from '../../../src/generation/providers/text/ollama.ts';
import { createTextModel } from '../../../src/generation/providers/text/index.ts';
import { ProviderError, type ProviderContext } from '../../../src/generation/providers/types.ts';
import { startFakeOllama, type FakeOllama } from '../../fakes/ollama.ts';

function ctx(signal: AbortSignal = new AbortController().signal): ProviderContext {
  return { signal, onProgress: vi.fn() };
}

async function rejection(p: Promise<unknown>): Promise<ProviderError> {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

describe('OllamaTextModel', () => {
  let fake: FakeOllama;
  let model: OllamaTextModel;
  beforeAll(async () => {
    fake = await startFakeOllama();
    model = new OllamaTextModel({ baseUrl: fake.url });
  });
  afterAll(() => fake.close());
  afterEach(() => {
    for (const key of Object.keys(fake.options)) delete (fake.options as Record<string, unknown>)[key];
    fake.calls.length = 0;
  });

  it('streams a caption: tokens arrive in order through onToken and the final text is assembled', async () => {
    fake.options.tokens = ['Golden ', 'hour ', 'on ', 'the ', 'terrace ', '☀️'];
    fake.options.tokenDelayMs = 5;
    const seen: string[] = [];
    const result = await model.chat(
      [
        { role: 'system', content: 'You write captions.' },
        { role: 'user', content: 'A sunset photo.' },
      ],
      { model: 'llama3.2', temperature: 0.7, maxTokens: 64, json: true, onToken: (t) => seen.push(t) },
      ctx(),
    );
    expect(seen).toEqual(['Golden ', 'hour ', 'on ', 'the ', 'terrace ', '☀️']);
    expect(result.text).toBe('Golden hour on the terrace ☀️');
    expect(result.meta).toMatchObject({ provider: 'ollama', model: 'llama3.2', doneReason: 'stop', completionTokens: 6 });

    const call = fake.calls.find((c) => c.path === '/api/chat')!;
    expect(call.body).toMatchObject({
      model: 'llama3.2',
      stream: true,
      format: 'json',
      options: { temperature: 0.7, num_predict: 64 },
      messages: [
        { role: 'system', content: 'You write captions.' },
        { role: 'user', content: 'A sunset photo.' },
      ],
    });
  });

  it('turns a mid-stream {"error"} line (HTTP 200) into a ProviderError', async () => {
    fake.options.reply = 'one two three four five';
    fake.options.mode = 'midStreamError';
    fake.options.errorMessage = 'llama runner process has terminated: signal: killed';
    const seen: string[] = [];
    const error = await rejection(model.chat([{ role: 'user', content: 'hi' }], { model: 'llama3.2', onToken: (t) => seen.push(t) }, ctx()));
    expect(error.kind).toBe('unavailable');
    expect(error.provider).toBe('ollama');
    expect(error.message).toContain('llama runner process has terminated');
    expect(error.details).toMatchObject({ midStream: true, partialText: 'one two ' });
    expect(seen).toEqual(['one ', 'two ']);
  });

  it('answers a missing model (404) with rejected and the `ollama pull` hint', async () => {
    fake.options.models = ['llama3.2'];
    const error = await rejection(model.chat([{ role: 'user', content: 'hi' }], { model: 'mistral-nemo:12b' }, ctx()));
    expect(error.kind).toBe('rejected');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('ollama pull mistral-nemo:12b');
    expect(error.details).toMatchObject({ status: 404 });
  });

  it('a hung server and a deadline give kind timeout', async () => {
    fake.options.mode = 'hang';
    const started = Date.now();
    const error = await rejection(model.chat([{ role: 'user', content: 'hi' }], { model: 'llama3.2' }, ctx(AbortSignal.timeout(300))));
    expect(error.kind).toBe('timeout');
    expect(error.retryable).toBe(true);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('a stream that stalls after some tokens also times out', async () => {
    fake.options.mode = 'hangMidStream';
    fake.options.reply = 'a b c d e f';
    const seen: string[] = [];
    const error = await rejection(model.chat([{ role: 'user', content: 'hi' }], { model: 'llama3.2', onToken: (t) => seen.push(t) }, ctx(AbortSignal.timeout(300))));
    expect(error.kind).toBe('timeout');
    expect(seen).toEqual(['a ', 'b ']);
  });

  it('cancelling mid-stream stops the stream with kind cancelled', async () => {
    fake.options.reply = Array.from({ length: 40 }, (_, i) => `w${i}`).join(' ');
    fake.options.tokenDelayMs = 20;
    const controller = new AbortController();
    const seen: string[] = [];
    const error = await rejection(
      model.chat(
        [{ role: 'user', content: 'hi' }],
        {
          model: 'llama3.2',
          onToken: (t) => {
            seen.push(t);
            if (seen.length === 3) controller.abort();
          },
        },
        ctx(controller.signal),
      ),
    );
    expect(error.kind).toBe('cancelled');
    expect(seen.length).toBeGreaterThanOrEqual(3);
    expect(seen.length).toBeLessThan(40);
  });

  it('an already-cancelled signal sends nothing', async () => {
    const controller = new AbortController();
    controller.abort();
    const error = await rejection(model.chat([{ role: 'user', content: 'hi' }], { model: 'llama3.2' }, ctx(controller.signal)));
    expect(error.kind).toBe('cancelled');
    expect(fake.calls.filter((c) => c.path === '/api/chat')).toHaveLength(0);
  });

  it('a 500 is unavailable (retryable)', async () => {
    fake.options.mode = 'serverError';
    const error = await rejection(model.chat([{ role: 'user', content: 'hi' }], { model: 'llama3.2' }, ctx()));
    expect(error.kind).toBe('unavailable');
    expect(error.retryable).toBe(true);
  });

  it('embeds through /api/embed', async () => {
    const vectors = await model.embed(['hello', 'world'], 'nomic-embed-text');
    expect(vectors).toHaveLength(2);
    expect(vectors[0]).toHaveLength(8);
    expect(vectors[0]).not.toEqual(vectors[1]);
    expect(fake.calls.at(-1)).toMatchObject({ path: '/api/embed', body: { model: 'nomic-embed-text', input: ['hello', 'world'] } });
  });

  it('embed with a missing model is rejected with the pull hint', async () => {
    fake.options.models = ['llama3.2'];
    const error = await rejection(model.embed(['x'], 'nomic-embed-text'));
    expect(error.kind).toBe('rejected');
    expect(error.message).toContain('ollama pull nomic-embed-text');
  });

  it('health reports the version, and an unreachable server as not ok', async () => {
    fake.options.version = '0.12.3';
    expect(await model.health()).toEqual({ ok: true, detail: expect.stringContaining('0.12.3') });
    const down = new OllamaTextModel({ baseUrl: 'http://127.0.0.1:9' });
    const health = await down.health();
    expect(health.ok).toBe(false);
    expect(health.detail).toMatch(/unreachable/);
  });

  it('connection refused is unavailable', async () => {
    const down = new OllamaTextModel({ baseUrl: 'http://127.0.0.1:9' });
    const error = await rejection(down.chat([{ role: 'user', content: 'hi' }], { model: 'llama3.2' }, ctx()));
    expect(error.kind).toBe('unavailable');
  });

  it('createTextModel builds Ollama with the configured base URL', async () => {
    const built = createTextModel({ type: 'ollama', baseUrl: fake.url });
    expect(built.type).toBe('ollama');
    const { text } = await built.chat([{ role: 'user', content: 'hi' }], { model: 'llama3.2' }, ctx());
    expect(text).toBe('Hello from the fake Ollama.');
    expect(new OllamaTextModel().baseUrl).toBe('http://127.0.0.1:11434');
  });
});
