import { describe, expect, it } from 'vitest';
import { en, fr } from '../src/i18n/resources.ts';
import core from '../src/i18n/en.json' with { type: 'json' };

type Tree = { [key: string]: string | Tree };

function flatten(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'string') out.set(path, value);
    else for (const [k, v] of flatten(value, path)) out.set(k, v);
  }
  return out;
}

const variables = (text: string) => [...text.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]).sort();

// en.json is type-checked against every t() call; this keeps fr.json in step with it.
describe('translations', () => {
  const english = flatten(en);
  const french = flatten(fr);

  it('keep every area under its own top-level key (no area overwrites another)', () => {
    const areas = Object.entries(import.meta.glob('../src/i18n/areas/*.json', { eager: true, import: 'default' }));
    expect(areas.length).toBeGreaterThan(0);
    const owners = new Map<string, string>();
    for (const [file, tree] of areas) {
      const keys = Object.keys(tree as object);
      expect(keys, file).toHaveLength(1);
      const lang = file.endsWith('.fr.json') ? 'fr' : 'en';
      const key = `${lang}:${keys[0]}`;
      expect(owners.has(key) || keys[0]! in core, `${file} reuses ${keys[0]}`).toBe(false);
      owners.set(key, file);
    }
    for (const key of Object.keys(en)) expect(Object.keys(fr)).toContain(key);
  });

  it('have the same keys in English and French', () => {
    expect([...french.keys()].sort()).toEqual([...english.keys()].sort());
  });

  it('have no empty strings', () => {
    for (const [key, value] of [...english, ...french]) expect(value.trim(), key).not.toBe('');
  });

  it('use the same interpolation variables in both languages', () => {
    for (const [key, value] of english) expect(variables(french.get(key) ?? ''), key).toEqual(variables(value));
  });
});
