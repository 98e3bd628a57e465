/**
 * Compiles lexicon patterns (see lexicon/types.ts for the DSL) into regexes, once, at module load.
 */

/**
 * Turns DSL source into regex source: a lone letter becomes `c+`, a doubled letter `cc+`, a space ` ?`.
 * Escapes (`\w`, `\b`) and character classes are copied untouched.
 */
export function stretch(source: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '\\') {
      out += c + (source[i + 1] ?? '');
      i++;
      continue;
    }
    if (inClass) {
      out += c;
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      continue;
    }
    if (c === ' ') {
      out += ' ?';
      continue;
    }
    if (c >= 'a' && c <= 'z') {
      const next = source[i + 1];
      if (next === '?' || next === '*' || next === '+' || next === '{') {
        out += c;
        continue;
      }
      if (next === c) {
        const after = source[i + 2];
        if (after === '?' || after === '*' || after === '+' || after === '{') {
          out += c; // "cc?" — let the next round emit "c?"
          continue;
        }
        out += `${c}${c}+`;
        i++;
        continue;
      }
      out += `${c}+`;
      continue;
    }
    out += c;
  }
  return out;
}

/** One global regex for a list of DSL terms, with word boundaries unless `bounded` is false. */
export function compileTerms(
  terms: readonly string[],
  opts: { bounded?: boolean; before?: string; after?: string } = {},
): RegExp | null {
  if (terms.length === 0) return null;
  const bounded = opts.bounded ?? true;
  const body = terms.map((t) => `(?:${stretch(t)})`).join('|');
  const b = bounded ? '\\b' : '';
  return new RegExp(`${b}${opts.before ?? ''}(?:${body})${opts.after ?? ''}${b}`, 'g');
}

/** Every distinct match of a global regex in `text`. */
export function collectMatches(re: RegExp | null, text: string, into: Set<string>): void {
  if (!re) return;
  re.lastIndex = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    if (m[0] === '') {
      re.lastIndex++;
      continue;
    }
    into.add(m[0].trim());
  }
}

export function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
