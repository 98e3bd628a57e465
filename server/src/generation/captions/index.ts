/**
 * Caption writer: asks the persona's text model for N variants (JSON, target language and tone), reads the answer
 * defensively, then enforces the platform's rules in code (enforce.ts) — length, hashtags, disclosure, no claim of
 * being human — and keeps only distinct variants. Short of N after de-duplication it asks once more (showing the
 * model what it already has), then derives variants from the ones it has (a shorter cut, another sentence order).
 */
import { ProviderError, type ProviderContext, type TextModel } from '../providers/types.ts';
import { dedupeKey, enforceCaption, type CaptionVariant } from './enforce.ts';
import { measure } from './measure.ts';
import { parseCaptionReply, type RawCaption } from './parse.ts';
import { hashtagCap, PLATFORM_RULES, type CaptionPlatform } from './platform-rules.ts';
import { captionMessages, type CaptionPersona } from './prompt.ts';

export { captionPlatforms, hashtagCap, PLATFORM_RULES, type CaptionPlatform, type PlatformRule } from './platform-rules.ts';
export { enforceCaption, fitText, normalizeHashtag, type CaptionVariant, type EnforceOptions } from './enforce.ts';
export { measure, xWeightedLength, graphemeLength, type LengthUnit } from './measure.ts';
export { parseCaptionReply, extractJson, type RawCaption } from './parse.ts';
export { stripHumanClaims, claimsHuman } from './human-claims.ts';
export { captionMessages, languageName, type CaptionPersona } from './prompt.ts';

export interface WriteCaptionsInput {
  model: TextModel;
  /** The model name on that server (e.g. 'llama3.1:8b'). */
  modelName: string;
  persona: CaptionPersona;
  /** What the post shows. */
  brief: string;
  platform: CaptionPlatform;
  /** BCP 47 tag of the language to write in. */
  language: string;
  /** 2..4 (clamped). */
  variants: number;
  disclosure: { text: string; required: boolean };
  /** Default 0.9: variety matters more than precision here. */
  temperature?: number;
  /** Override the platform's recommended hashtag count (never above the platform's maximum). */
  maxHashtags?: number;
  /** Streamed model output, for live previews. */
  onToken?: (token: string) => void;
}

export interface WriteCaptionsResult {
  variants: CaptionVariant[];
  meta: {
    model: string;
    platform: CaptionPlatform;
    language: string;
    /** Model calls made (1 or 2). */
    attempts: number;
    /** Variants derived in code because the model gave too few distinct ones. */
    derived: number;
    /** How many fewer than asked (only when even deriving could not make enough). */
    shortfall: number;
  };
}

export async function writeCaptions(input: WriteCaptionsInput, ctx: ProviderContext): Promise<WriteCaptionsResult> {
  const rule = PLATFORM_RULES[input.platform];
  if (!rule) throw new ProviderError('captions', 'unsupported', `No caption rules for platform "${input.platform}"`);
  if (!input.brief.trim()) throw new ProviderError('captions', 'rejected', 'The caption brief is empty');
  const wanted = Math.min(4, Math.max(2, Math.round(Number.isFinite(input.variants) ? input.variants : 2)));
  const enforceOptions = {
    platform: input.platform,
    disclosure: input.disclosure,
    ...(input.maxHashtags !== undefined ? { maxHashtags: input.maxHashtags } : {}),
  };

  const cap = Math.min(input.maxHashtags ?? hashtagCap(input.platform), rule.maxHashtags);
  const disclosureCost = input.disclosure.required ? measure(rule.separator + input.disclosure.text.trim(), rule.unit) : 0;
  const hashtagCost = cap > 0 ? measure(rule.separator, rule.unit) + cap * 14 : 0;
  const bodyBudget = Math.max(20, rule.maxLength - disclosureCost - hashtagCost);

  const accepted: CaptionVariant[] = [];
  const keys = new Set<string>();
  const take = (raws: RawCaption[]): number => {
    let added = 0;
    for (const raw of raws) {
      if (accepted.length >= wanted) break;
      const variant = enforceCaption(raw, enforceOptions);
      if (!variant) continue;
      const key = dedupeKey(variant.body);
      if (!key || keys.has(key)) continue;
      keys.add(key);
      accepted.push(variant);
      added++;
    }
    return added;
  };

  const ask = async (count: number, avoid?: string[]) => {
    const messages = captionMessages({ persona: input.persona, brief: input.brief, platform: input.platform, language: input.language, count, bodyBudget, ...(avoid ? { avoid } : {}) });
    const maxTokens = Math.min(4096, 200 + count * Math.ceil(Math.min(rule.maxLength, 1200) / 2));
    const { text } = await input.model.chat(
      messages,
      { model: input.modelName, temperature: input.temperature ?? 0.9, maxTokens, json: true, ...(input.onToken ? { onToken: input.onToken } : {}) },
      ctx,
    );
    return parseCaptionReply(text);
  };

  let attempts = 1;
  const first = await ask(wanted);
  take(first);
  if (accepted.length < wanted) {
    attempts++;
    ctx.signal.throwIfAborted();
    take(await ask(wanted - accepted.length + 1, accepted.map((v) => v.body)));
  }
  let derived = 0;
  if (accepted.length < wanted && accepted.length > 0) {
    for (const source of [...accepted]) {
      if (accepted.length >= wanted) break;
      derived += take(deriveFrom(source));
    }
  }
  if (accepted.length === 0) {
    throw new ProviderError('captions', 'unavailable', 'The text model returned no usable caption', { platform: input.platform, language: input.language, sample: first.slice(0, 3) });
  }
  return {
    variants: accepted,
    meta: { model: input.modelName, platform: input.platform, language: input.language, attempts, derived, shortfall: wanted - accepted.length },
  };
}

/** Other captions made from one: its first sentence, its sentences in another order, its last sentence. */
function deriveFrom(source: CaptionVariant): RawCaption[] {
  const body = source.body.replace(/…$/, '').trim();
  const sentences = body.match(/[^.!?…]+[.!?…]+["'”»)]*\s*|[^.!?…]+$/g)?.map((s) => s.trim()).filter(Boolean) ?? [body];
  const inline = new Set(body.match(/#[\p{L}\p{N}_]+/gu)?.map((t) => t.toLowerCase()) ?? []);
  const tags = source.hashtags.filter((t) => !inline.has(t.toLowerCase()));
  const rotated = [...tags.slice(1), ...tags.slice(0, 1)];
  const out: RawCaption[] = [];
  if (sentences.length >= 2) {
    out.push({ text: sentences[0]!, hashtags: rotated });
    out.push({ text: [...sentences.slice(1), sentences[0]!].join(' '), hashtags: tags });
    out.push({ text: sentences.at(-1)!, hashtags: rotated });
  } else {
    const words = body.split(/\s+/);
    if (words.length >= 6) out.push({ text: words.slice(0, Math.ceil(words.length * 0.6)).join(' ') + '…', hashtags: rotated });
  }
  return out;
}
