import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { OpenAICompatibleTextModel } from '../../../src/generation/providers/text/openai.ts';
import { createTextModel } from '../../../src/generation/providers/text/index.ts';
import { ProviderError, type ProviderContext } from '../../../src/generation/providers/types.ts';
import { startFakeOpenAI, type FakeOpenAI } from '../../fakes/openai.ts';

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

describe('OpenAICompatibleTextModel', () => {
  let fake: FakeOpenAI;
  let model: OpenAICompatibleTextModel;
  beforeAll(async () => {
    fake = await startFakeOpenAI();
    model = new OpenAICompatibleTextModel({ baseUrl: fake.url });
  });
  afterAll(() => fake.close());
  afterEach(() => {
    for (const key of Object.keys(fake.options)) delete (fake.options as Record<string, unknown>)[key];
    fake.calls.length = 0;
  });

  it('streams chat completions over SSE through onToken, ending at [DONE]', async () => {
    fake.options.tokens = ['Soirée ', 'au ', 'bord ', 'de ', "l'eau ", '🌊'];
    const seen: string[] = [];
    const result = await model.chat(
      [{ role: 'user', content: 'Caption this.' }],
      { model: 'qwen2.5-7b-instruct', temperature: 0.5, maxTokens: 100, json: true, onToken: (t) => seen.push(t) },
      ctx(),
    );
    expect(seen).toEqual(['Soirée ', 'au ', 'bord ', 'de ', "l'eau ", '🌊']);
    expect(result.text).toBe("Soirée au bord de l'eau 🌊");
    expect(result.meta).toMatchObject({ provider: 'openai', model: 'qwen2.5-7b-instruct', finishReason: 'stop' });
    const call = fake.calls.find((c) => c.path === '/v1/chat/completions')!;
    expect(call.body).toMatchObject({
      model: 'qwen2.5-7b-instruct',
      stream: true,
      temperature: 0.5,
      max_tokens: 100,
      response_format: { type: 'json_object' },
      messages: [{ role: 'user', content: 'Caption this.' }],
    });
    // No key configured: no placeholder bearer goes out.
    expect(call.headers.authorization).toBeUndefined();
  });

  it('sends the API key as a bearer token when one is configured', async () => {
    fake.options.apiKey = 'sk-local-123';
    const keyed = new OpenAICompatibleTextModel({ baseUrl: fake.url, apiKey: 'sk-local-123' });
    await keyed.chat([{ role: 'user', content: 'hi' }], { model: 'm' }, ctx());
    expect(fake.calls.at(-1)!.headers.authorization).toBe('Bearer sk-local-123');
    const error = await rejection(model.chat([{ role: 'user', content: 'hi' }], { model: 'm' }, ctx()));
    expect(error.kind).toBe('rejected');
    expect(error.message).toContain('check the API key');
  });

  it('maps the OpenAI error JSON: 400 → rejected with the server message, 429/500 → unavailable, no SDK retries', async () => {
    fake.options.mode = 'error';
    fake.options.errorStatus = 400;
    fake.options.errorMessage = "This model's maximum context length is 4096 tokens";
    const bad = await rejection(model.chat([{ role: 'user', content: 'hi' }], { model: 'm' }, ctx()));
    expect(bad.kind).toBe('rejected');
    expect(bad.message).toContain('maximum context length');
    expect(bad.details).toMatchObject({ status: 400, type: 'invalid_request_error' });

    fake.calls.length = 0;
    fake.options.errorStatus = 429;
    const limited = await rejection(model.chat([{ role: 'user', content: 'hi' }], { model: 'm' }, ctx()));
    expect(limited.kind).toBe('unavailable');
    fake.options.errorStatus = 503;
    const down = await rejection(model.chat([{ role: 'user', content: 'hi' }], { model: 'm' }, ctx()));
    expect(down.kind).toBe('unavailable');
    expect(fake.calls.filter((c) => c.path === '/v1/chat/completions')).toHaveLength(2); // one each: maxRetries 0
  });

  it('an error event inside the 200 stream becomes a ProviderError', async () => {
    fake.options.mode = 'midStreamError';
    fake.options.reply = 'one two three four';
    const seen: string[] = [];
    const error = await rejection(model.chat([{ role: 'user', content: 'hi' }], { model: 'm', onToken: (t) => seen.push(t) }, ctx()));
    expect(error.kind).toBe('unavailable');
    expect(error.details).toMatchObject({ midStream: true, partialText: 'one two ' });
    expect(seen).toEqual(['one ', 'two ']);
  });

  it('timeout and cancel', async () => {
    fake.options.mode = 'hang';
    const timedOut = await rejection(model.chat([{ role: 'user', content: 'hi' }], { model: 'm' }, ctx(AbortSignal.timeout(300))));
    expect(timedOut.kind).toBe('timeout');

    fake.options.mode = 'ok';
    fake.options.reply = Array.from({ length: 40 }, (_, i) => `w${i}`).join(' ');
    fake.options.tokenDelayMs = 20;
    const controller = new AbortController();
    const seen: string[] = [];
    const cancelled = await rejection(
      model.chat(
        [{ role: 'user', content: 'hi' }],
        {
          model: 'm',
          onToken: (t) => {
            seen.push(t);
            if (seen.length === 3) controller.abort();
          },
        },
        ctx(controller.signal),
      ),
    );
    expect(cancelled.kind).toBe('cancelled');
    expect(seen.length).toBeLessThan(40);
  });

  it('embeds (as floats, ordered by index) and health lists models', async () => {
    const vectors = await model.embed(['a', 'bbb'], 'bge-m3');
    expect(vectors).toEqual([
      [1 / 7, 2 / 7, 3 / 7, 4 / 7],
      [3 / 7, 4 / 7, 5 / 7, 6 / 7],
    ]);
    expect(fake.calls.at(-1)!.body).toMatchObject({ model: 'bge-m3', input: ['a', 'bbb'], encoding_format: 'float' });
    fake.options.embeddings = false;
    const error = await rejection(model.embed(['a'], 'bge-m3'));
    expect(error.kind).toBe('unsupported');

    fake.options.models = ['llama-3.1-8b', 'bge-m3'];
    const health = await model.health();
    expect(health).toEqual({ ok: true, detail: expect.stringContaining('llama-3.1-8b') });
    expect((await new OpenAICompatibleTextModel({ baseUrl: 'http://127.0.0.1:9/v1' }).health()).ok).toBe(false);
  });

  it('createTextModel builds the OpenAI-compatible client', async () => {
    const built = createTextModel({ type: 'openai', baseUrl: fake.url });
    expect(built.type).toBe('openai');
    expect((await built.chat([{ role: 'user', content: 'x' }], { model: 'm' }, ctx())).text).toBe('Hello from the fake OpenAI-compatible server.');
  });
});
