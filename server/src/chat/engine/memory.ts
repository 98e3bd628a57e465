/**
 * Long-term memory of a fan: short facts the model extracts from the conversation ("has a dog called Max",
 * "works night shifts"), and a rolling summary of what fell out of the recent window.
 *
 * Retrieval: a fan has tens of facts, not millions, so the app ranks them itself — cosine similarity against
 * the last fan message when an embedding model is configured and the facts carry embeddings of that model,
 * otherwise a lexical overlap score (shared words, rarer words weigh more).
 */
import type { ChatMessage } from '../../generation/providers/types.ts';
import type { ChatLlm } from '../llm.ts';
import type { MemoryRow, MessageRow } from '../repository.ts';
import { fold } from '../safety/text.ts';

export function cosine(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length || !a.length) return 0;
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na && nb ? dot / Math.sqrt(na * nb) : 0;
}

const tokens = (t: string) =>
  fold(t)
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 2);

export function lexicalScore(query: string, fact: string): number {
  const q = new Set(tokens(query));
  if (!q.size) return 0;
  let score = 0;
  for (const w of new Set(tokens(fact))) if (q.has(w)) score += Math.min(3, w.length / 3);
  return score;
}

/** The `k` facts most related to `query`, best first; facts that relate not at all are left out. */
export function rankMemories(rows: readonly MemoryRow[], query: string, queryEmbedding: number[] | null, model: string | null, k: number): MemoryRow[] {
  const useVectors = !!queryEmbedding && rows.some((r) => r.embedding && r.embeddingModel === model);
  const scored = rows.map((r) => ({
    r,
    s: useVectors && r.embedding && r.embeddingModel === model ? cosine(queryEmbedding!, r.embedding) : lexicalScore(query, r.fact),
  }));
  return scored
    .filter((x) => x.s > 0)
    .sort((a, b) => b.s - a.s)
    .slice(0, k)
    .map((x) => x.r);
}

const transcript = (messages: readonly MessageRow[], names: { fan: string; persona: string }) =>
  messages
    .filter((m) => m.author !== 'system')
    .map((m) => `${m.author === 'fan' ? names.fan : names.persona}: ${m.text}`)
    .join('\n');

/** New facts about the fan in these messages (none already known), as the model states them. */
export async function extractFacts(llm: ChatLlm, messages: readonly MessageRow[], known: readonly string[], names: { fan: string; persona: string }, signal: AbortSignal): Promise<string[]> {
  const prompt: ChatMessage[] = [
    {
      role: 'system',
      content:
        'You extract durable facts about the fan from a chat, for a memory file: preferences, life details, names of pets or places, important dates. ' +
        'Skip greetings, moods of the moment and anything about the persona. Never record payment details or passwords. ' +
        'Answer with JSON only: {"facts": ["short fact in English", ...]} (an empty list when there is nothing new).',
    },
    { role: 'user', content: `Known facts:\n${known.map((k) => `- ${k}`).join('\n') || '(none)'}\n\nChat:\n${transcript(messages, names)}` },
  ];
  const raw = await llm.complete(prompt, { signal, json: true, maxTokens: 300 });
  const knownSet = new Set(known.map((k) => fold(k).trim()));
  return parseFacts(raw)
    .map((f) => f.trim())
    .filter((f) => f.length > 2 && f.length <= 300 && !knownSet.has(fold(f)))
    .slice(0, 10);
}

export function parseFacts(raw: string): string[] {
  const json = raw.slice(raw.indexOf('{'), raw.lastIndexOf('}') + 1) || raw.slice(raw.indexOf('['), raw.lastIndexOf(']') + 1);
  try {
    const value = JSON.parse(json) as unknown;
    const list = Array.isArray(value) ? value : (value as { facts?: unknown })?.facts;
    return Array.isArray(list) ? list.filter((f): f is string => typeof f === 'string') : [];
  } catch {
    return [];
  }
}

export async function summarize(llm: ChatLlm, previous: string, messages: readonly MessageRow[], names: { fan: string; persona: string }, signal: AbortSignal): Promise<string> {
  const prompt: ChatMessage[] = [
    {
      role: 'system',
      content: 'Summarize this chat between a fan and a persona for the persona to remember: topics, promises, what the fan likes or asked for. At most 120 words, plain prose.',
    },
    { role: 'user', content: `${previous ? `Summary so far:\n${previous}\n\n` : ''}New messages:\n${transcript(messages, names)}` },
  ];
  return (await llm.complete(prompt, { signal, maxTokens: 240 })).trim().slice(0, 4000);
}
