/** Shared setup of the chat tests: a runtime, a persona with a chat profile on a scripted fake model, channels. */
import { expect, vi } from 'vitest';
import { testRuntime, type Backend, type TestRuntime } from '../helpers/runtime.ts';
import { ownerClient, personaBody, type ApiClient } from '../helpers/api.ts';
import { startFakeOllama, type FakeOllama } from '../fakes/ollama.ts';
import { chatServices } from '../../src/chat/index.ts';
import type { ChannelAccount, ChatAddress, ChatChannelAdapter, InboundMessage } from '../../src/chat/channels/types.ts';
import type { CatalogueEntry } from '../../src/sales/catalogue/index.ts';

/** A platform adapter that records what it was asked to send (one instance per platform name). */
export class RecordingAdapter implements ChatChannelAdapter {
  readonly platform: 'fanvue' | 'discord';
  readonly sent: { channelId: string; remoteChatId: string; text: string }[] = [];
  readonly #ageVerified: boolean;
  constructor(platform: 'fanvue' | 'discord', ageVerified: boolean) {
    this.platform = platform;
    this.#ageVerified = ageVerified;
  }
  ageVerified() {
    return this.#ageVerified;
  }
  firstContactNotice() {
    return !this.#ageVerified;
  }
  async send(account: ChannelAccount, to: ChatAddress, text: string) {
    this.sent.push({ channelId: account.id, remoteChatId: to.remoteChatId, text });
    return { remoteId: `r-${this.sent.length}` };
  }
}

/** The last user message of a chat request (what the fan just wrote). */
export const lastUser = (body: any): string => [...(body?.messages ?? [])].reverse().find((m: any) => m.role === 'user')?.content ?? '';
export const systemOf = (body: any): string => (body?.messages ?? []).filter((m: any) => m.role === 'system').map((m: any) => m.content).join('\n');

export interface ChatWorld {
  rt: TestRuntime;
  owner: ApiClient;
  orgId: string;
  personaId: string;
  providerId: string;
  ollama: FakeOllama;
  sandboxId: string;
  fanvueId: string;
  fanvue: RecordingAdapter;
  catalogue: CatalogueEntry[];
  chat: ReturnType<typeof chatServices>;
  stop(): Promise<void>;
}

export function entry(packId: string, title: string, listMinor: number, effectiveMinor = listMinor, currency = 'EUR'): CatalogueEntry {
  return {
    packId,
    kind: 'pack',
    title,
    description: '',
    rating: 'sfw',
    itemCount: 5,
    assetIds: [],
    packIds: [],
    price: { listMinor, effectiveMinor, currency, promotion: null, freeTrialDays: null, freeTrialPromotionId: null },
  };
}

/**
 * `fanvue: 'real'` keeps the real Fanvue adapter (tests against the Fanvue fake); by default a RecordingAdapter
 * stands in for it, on the channel created here (which points nowhere).
 */
export async function chatWorld(backend: Backend, opts: { profile?: Record<string, unknown>; fanvue?: 'recording' | 'real' } = {}): Promise<ChatWorld> {
  const rt = await testRuntime(backend, process.env.CHAT_TEST_LOG ? { LOG_LEVEL: process.env.CHAT_TEST_LOG } : {});
  const { client: owner, orgId } = await ownerClient(rt.app, rt.platform, 'Chat');
  const personaId = (await owner.post('/api/v1/personas', personaBody('Mila'))).body.id as string;
  const ollama = await startFakeOllama({ reply: (body) => `You said: ${lastUser(body)}` });
  const provider = await owner.post('/api/v1/providers', { type: 'ollama', name: 'Chat model', config: { baseUrl: ollama.url, model: 'llama3.2' } });
  expect(provider.status, JSON.stringify(provider.body)).toBe(201);
  const profile = await owner.call('PUT', `/api/v1/personas/${personaId}/chat-profile`, {
    card: { name: 'Mila', description: 'A fictional travel photographer who loves sunsets.', personality: 'warm, curious' },
    providerId: provider.body.id,
    params: { pacing: { enabled: false }, memoryEvery: 0, summaryAfter: 0 },
    rateLimitPerMinute: 600,
    ...opts.profile,
  });
  expect(profile.status, JSON.stringify(profile.body)).toBe(200);
  const sandboxId = (await owner.post('/api/v1/channels', { personaId, platform: 'sandbox', handle: 'sandbox-chat' })).body.id as string;
  const fanvueId = (await owner.post('/api/v1/channels', { personaId, platform: 'fanvue', handle: 'mila', credentials: { access_token: 'test' } })).body.id as string;
  const chat = chatServices(rt.platform);
  const fanvue = new RecordingAdapter('fanvue', true);
  if (opts.fanvue !== 'real') chat.adapters.set(fanvue);
  const catalogue: CatalogueEntry[] = [];
  chat.engine.useCatalogue(async () => catalogue);
  return {
    rt,
    owner,
    orgId,
    personaId,
    providerId: provider.body.id,
    ollama,
    sandboxId,
    fanvueId,
    fanvue,
    catalogue,
    chat,
    async stop() {
      await rt.stop();
      await ollama.close();
    },
  };
}

let counter = 0;
export function fanMessage(channelId: string, fanId: string, text: string, extra: Partial<InboundMessage> = {}): InboundMessage {
  return { channelId, remoteChatId: `chat-${fanId}`, remoteMessageId: `m-${++counter}-${Date.now()}`, fan: { platformFanId: fanId, displayName: `Fan ${fanId}` }, text, ...extra };
}

/** Waits until `fn` returns a value that passes `check`. */
export async function until<T>(fn: () => T | Promise<T>, check: (v: T) => boolean, timeout = 20_000): Promise<T> {
  return vi.waitFor(
    async () => {
      const v = await fn();
      if (!check(v)) throw new Error(`condition not met: ${JSON.stringify(v).slice(0, 500)}`);
      return v;
    },
    { timeout, interval: 50 },
  );
}
