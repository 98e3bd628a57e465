/**
 * Reads what the model answered, defensively: JSON as asked (`{"variants": [{"text", "hashtags"}]}`), the usual
 * variations (a bare array, `captions`/`options`, strings instead of objects, `caption`/`tags` keys, hashtags as one
 * string), JSON wrapped in ```code fences``` or chatter, and — when no JSON can be found — one caption per line,
 * with list markers ("1.", "-", "Option 2:") and surrounding quotes removed.
 */

export interface RawCaption {
  text: string;
  hashtags: string[];
}

function stripFences(raw: string): string {
  const fenced = /```[a-zA-Z0-9_-]*\s*\n?([\s\S]*?)```/.exec(raw);
  return (fenced ? fenced[1]! : raw).trim();
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The JSON value in a reply: the whole text, or the span from the first `{`/`[` to the last `}`/`]`. */
export function extractJson(raw: string): unknown {
  const text = stripFences(raw);
  const whole = tryJson(text);
  if (whole !== undefined) return whole;
  for (const [open, close] of [
    ['{', '}'],
    ['[', ']'],
  ] as const) {
    const start = text.indexOf(open);
    const end = text.lastIndexOf(close);
    if (start >= 0 && end > start) {
      const inner = tryJson(text.slice(start, end + 1));
      if (inner !== undefined) return inner;
    }
  }
  return undefined;
}

function toTags(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  if (typeof value === 'string') return value.split(/[\s,]+/).filter(Boolean);
  return [];
}

function fromItem(item: unknown): RawCaption | undefined {
  if (typeof item === 'string') return item.trim() ? { text: item, hashtags: [] } : undefined;
  if (!item || typeof item !== 'object') return undefined;
  const o = item as Record<string, unknown>;
  const text = [o.text, o.caption, o.content, o.title, o.body, o.message].find((v): v is string => typeof v === 'string');
  if (text === undefined || !text.trim()) return undefined;
  return { text, hashtags: toTags(o.hashtags ?? o.tags ?? o.hashTags) };
}

function fromJson(value: unknown): RawCaption[] | undefined {
  if (Array.isArray(value)) return value.map(fromItem).filter((c): c is RawCaption => !!c);
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    for (const key of ['variants', 'captions', 'options', 'results', 'items', 'posts', 'titles']) {
      if (Array.isArray(o[key])) return fromJson(o[key]);
    }
    const single = fromItem(o);
    if (single) return [single];
    // `{"1": "…", "2": "…"}` and similar.
    const values = Object.values(o).map(fromItem).filter((c): c is RawCaption => !!c);
    if (values.length) return values;
  }
  return undefined;
}

const LIST_MARKER = /^\s*(?:[-*•]+|\d+\s*[.):-]|(?:variant|option|caption|version|title)\s*\d*\s*[:.)-])\s*/i;
const ONLY_TAGS = /^(?:#[\p{L}\p{N}_]+[\s,]*)+$/u;

function fromLines(raw: string): RawCaption[] {
  const out: RawCaption[] = [];
  for (const line of stripFences(raw).split(/\r?\n/)) {
    let text = line;
    for (let i = 0; i < 3 && LIST_MARKER.test(text); i++) text = text.replace(LIST_MARKER, ''); // "- Option 3: …"
    text = text.trim();
    text = text.replace(/^["“«']+|["”»']+$/g, '').trim();
    if (!text) continue;
    if (/[:：]$/.test(text) && text.length < 120) continue; // "Here are three captions:"
    if (ONLY_TAGS.test(text)) {
      const last = out.at(-1);
      if (last) last.hashtags.push(...toTags(text));
      continue;
    }
    out.push({ text, hashtags: [] });
  }
  return out;
}

export function parseCaptionReply(raw: string): RawCaption[] {
  const json = extractJson(raw);
  const parsed = json === undefined ? undefined : fromJson(json);
  if (parsed && parsed.length) return parsed;
  return fromLines(raw);
}
