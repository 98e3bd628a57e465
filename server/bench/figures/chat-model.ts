/**
 * The chat figure's model: the scripted fake Ollama (server/test/fakes/ollama.ts) in a child process of its own, so
 * its token timers are not delayed by the load on the product's event loop and its CPU is not counted as Atelier's.
 * Each reply echoes the nonce of the fan message it answers (`code <nonce>-<k>` in the last user message), padded to
 * a fixed number of tokens.
 */
import { startFakeOllama, splitTokens } from '../../test/fakes/ollama.ts';

export interface ChatModelSettings {
  tokensPerSecond: number;
  replyTokens: number;
}

// Digits only: hex letters can spell a currency code after a digit ("4cad"), which the price guard rightly cuts.
export const NONCE = /\bcode (n\d{10}-\d+)\b/g;

// Plain, friendly words: nothing the reply guard would cut (prices, payments, prompt talk, claims of being human).
const FILLER = 'the light over the old harbour was soft and golden tonight and I walked along the water with my camera looking for quiet corners and kind faces'.split(' ');

/** A reply of exactly `tokens` tokens (splitTokens: one word with its trailing space per token). */
export function scriptedReply(lastUser: string, tokens: number): string {
  const nonce = [...lastUser.matchAll(NONCE)].pop()?.[1];
  const words = nonce ? ['Thanks', 'for', 'code', `${nonce},`] : ['Thanks,'];
  for (let i = 0; words.length < tokens; i++) words.push(FILLER[i % FILLER.length]!);
  return words.join(' ') + '.';
}

export const CHILD_FLAG = '--atelier-bench-chat-model';

if (process.argv.includes(CHILD_FLAG) && process.send) {
  const { tokensPerSecond, replyTokens } = JSON.parse(process.argv[process.argv.indexOf(CHILD_FLAG) + 1]!) as ChatModelSettings;
  const send = (msg: unknown) => process.send!(msg);
  const lastUser = (body: any): string => [...(body?.messages ?? [])].reverse().find((m: any) => m.role === 'user')?.content ?? '';
  /** The nonce each chat call answered, by its index among chat calls. */
  const answered: (string | null)[] = [];
  const reply = (body: any, index: number) => {
    const text = lastUser(body);
    answered[index] = [...text.matchAll(NONCE)].pop()?.[1] ?? null;
    return scriptedReply(text, replyTokens);
  };
  const fake = await startFakeOllama({ reply, tokenDelayMs: 1000 / tokensPerSecond });
  /** Streaming time as served (request read → response written) per nonce; timers run late a little, so it exceeds tokens / rate. */
  const stats = () => {
    const chats = fake.calls.filter((c) => c.path === '/api/chat');
    const streamed: Record<string, number[]> = {};
    chats.forEach((c, i) => {
      const nonce = answered[i];
      if (nonce && c.finishedAt !== undefined) (streamed[nonce] ??= []).push(c.finishedAt - c.receivedAt);
    });
    return { chats: chats.length, streamed };
  };
  process.on('message', async (msg: { type: 'stats' | 'close' }) => {
    if (msg.type === 'stats') send({ type: 'stats', ...stats() });
    if (msg.type === 'close') {
      await fake.close();
      send({ type: 'closed' });
      process.disconnect();
    }
  });
  // Keep only what the stats need: the prompts of thousands of calls would otherwise pile up in `calls`.
  setInterval(() => {
    for (const c of fake.calls) c.body = undefined;
  }, 5000).unref();
  send({ type: 'ready', url: fake.url, sample: splitTokens(scriptedReply('code n0000000000-0', replyTokens)).length });
}
