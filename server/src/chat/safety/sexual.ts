/**
 * Sexual content in a reply, for channels whose audience is not age-verified and for fans flagged as minors.
 * The terms are the prompt gate's sexual lexicons (server/src/safety, EN/FR/ES/DE, with their normalisation
 * against leetspeak and spacing tricks), plus a few Italian and Portuguese terms the gate does not carry.
 */
import { lexicons } from '../../safety/lexicon/index.ts';
import { collectMatches, compileTerms } from '../../safety/gate-patterns.ts';
import { prepareText } from '../../safety/normalize.ts';

const EXTRA = [
  'nuda', 'nude', 'scopare', 'scopata', 'sesso', 'sessuale', 'eccitat[ao]', 'tette', 'figa', 'cazzo', 'pompino',
  'pelada', 'pelado', 'transar', 'foder', 'tesao', 'tesuda', 'peitos', 'buceta', 'pau duro', 'gozar', 'boquete',
];

const SEXUAL_RE = compileTerms([...lexicons.flatMap((l) => [...l.sexual]), ...EXTRA]);
const COMPACT_RE = compileTerms(lexicons.flatMap((l) => [...l.compactSexual]), { bounded: false });

export function sexualTerms(text: string): string[] {
  const p = prepareText(text);
  const found = new Set<string>();
  collectMatches(SEXUAL_RE, p.search, found);
  collectMatches(COMPACT_RE, p.compact, found);
  return [...found];
}
