import type { Lexicon } from './types.ts';

/**
 * German lexicon (normalised: umlauts stripped, ß → ss — "Mädchen" is "madchen"; the transliterated
 * spelling "Maedchen" is listed too as "ma(?:e)?dchen").
 *
 * Sources/approach: hand-curated like the English list (moderation keyword practice + prompt
 * vocabulary), with German school forms (Grundschule, Klasse N) and the "N Jahre / N-jährig" age forms.
 *
 * Deliberate tradeoffs:
 * - Singular "Kind" is also the English word "kind": it counts unless English context surrounds it
 *   ("a kind woman", "be kind", "kind of", "kind regards" — see EN_BEFORE_KIND / EN_AFTER_KIND); a bare
 *   "kind" next to a sexual term in English ("kind nude woman") is refused, an accepted false positive.
 *   "Kinder/Kindes/Kindern/kindlich" always count (the
 *   English comparative "kinder" is rare next to sexual terms). Compounds ("Kinderwagen") never match
 *   because matching is on whole words; the few compounds that matter are listed ("Kindfrau",
 *   "Kleinkind", "Kinderporno…").
 * - "Mädchen" alone is also an adult ("girl"): only "kleines/junges Mädchen" and "Schulmädchen" count.
 * - "nackt" is guarded against "nackte Füße/Zehen" (bare feet) and "die nackte Wahrheit/Zahlen".
 * - "N Jahre" is not an age after "vor / seit / nach / für / in / über…" or before
 *   "lang / her / Erfahrung / verheiratet…"; "geil" (also slang for "great") counts as sexual.
 */
/** Words before "kind" that make it the English adjective/noun ("a kind woman", "be kind", "so kind"). */
const EN_BEFORE_KIND = [
  'a', 'the', 'this', 'that', 'these', 'those', 'what', 'which', 'whatever', 'any', 'some', 'every', 'each',
  'my', 'your', 'his', 'her', 'its', 'our', 'their', 'be', 'being', 'been', 'so', 'very', 'too', 'how',
  'most', 'more', 'less', 'is', 'are', 'was', 'were', 'really', 'quite', 'such', 'one', 'same', 'own',
  'other', 'another', 'different', 'only', 'first', 'right', 'wrong', 'new', 'best', 'worst', 'particular',
  'special', 'certain', 'all', 'of', 'no', 'extremely', 'incredibly', 'genuinely', 'super', 'always',
  'stay', 'look', 'looks', 'seem', 'seems', 'seemed', 'feel', 'feels', 'felt', 'remain', 'and', 'but', 'or',
  'yet', 'truly', 'naturally', 'gentle', 'warm', 'sweet', 'caring', 'loving', 'soft', 'patient', 'generous',
  'funny', 'smart', 'honest', 'friendly', 'unusually', 'surprisingly',
].join('|');
/** Words after "kind" that make it English ("kind of", "kind regards", "kind eyes"). */
const EN_AFTER_KIND = [
  'of', 'regards?', 'words?', 'eyes', 'smiles?', 'face', 'faced', 'hearted', 'heartedness', 'hearts?',
  'person', 'people', 'wom[ae]n', 'm[ae]n', 'souls?', 'gestures?', 'expressions?', 'looks?', 'lady', 'ladies',
  'gentlem[ae]n', 'girls?', 'boys?', 'and', 'but', 'yet', 'or', 'enough', 'to', 'regard', 'voice', 'nature',
  'spirit', 'deeds?', 'acts?', 'thoughts?', 'attention', 'permission', 'offer', 'support', 'help', 'teacher',
  'mother', 'father', 'stranger', 'neighbou?r', 'host', 'hostess', 'nurse', 'doctor', 'friends?', 'gaze',
  'manner', 'demeanou?r', 'personality', 'character', 'ways?', 'sort', 'wishes', 'notes?', 'message', 'reply',
  'comments?', 'fellow', 'guys?', 'lover', 'partner', 'wife', 'husband', 'older', 'elderly',
].join('|');

export const de: Lexicon = {
  lang: 'de',
  minor: [
    `(?<!\\b(?:${EN_BEFORE_KIND}) )kind(?! (?:${EN_AFTER_KIND})\\b)`,
    'kind(?:er|es|ern)',
    'kindlich\\w*',
    'kindfrau\\w*',
    'klein ?kind(?:er|es|ern)?',
    'schul ?kind(?:er|es|ern)?',
    'sauglings?',
    'saeuglings?',
    'sauglinge',
    'saeuglinge',
    'minderja(?:e)?hrig\\w*',
    'teenager(?:in|innen|s)?',
    'teenies?',
    'jugendlich(?:e|er|en|es)?',
    'schul ?ma(?:e)?dchen',
    'schul ?jung(?:e|en)',
    'schu(?:e)?ler(?:in|innen)?',
    'gymnasiast(?:in|innen|en)?',
    '(?:kleine|kleines|kleinen|junge|junges|jungen) ma(?:e)?dchen',
    '(?:kleiner|kleinen|kleine) (?:junge|jungen|bub|buben)',
    'buben',
    'knaben?',
    'grund ?schul\\w*',
    'kinder ?garten\\w*',
    'schul ?uniform(?:en)?',
    '(?:vor|pra|prae)? ?pubert(?:ar|aer|ierend|ierende|ierenden|ierender|ierendes|at|aet)',
    'lolita',
  ],
  sexual: [
    'nackt\\w*(?! (?:fu(?:e)?s(?:s|se|sen)|zehen|wahrheit|tatsachen|auge|zahlen)\\b)',
    'entkleid\\w*',
    'unbekleidet\\w*',
    'oben ohne',
    'sex(?:bild|bilder|foto|fotos|szene|szenen|video|videos|spielzeug)',
    'sexuell\\w*',
    'sexualisiert\\w*',
    'erotik\\w*',
    'erotisch\\w*',
    'obszo(?:e)?n\\w*',
    'geil(?:e|er|es|en)?',
    'lu(?:e)?stern\\w*',
    'orgasmus',
    'ficken',
    'fick(?:t|te|en|st)?',
    'gefickt',
    'bumsen',
    '(?:oral|anal|geschlechts) ?verkehr',
    'dessous',
    'reizwa(?:e)?sche',
    'strapse',
    'brustwarzen?',
    'nippel',
    'busen',
    'titten',
    'sinnlich\\w*',
    'verfu(?:e)?hrerisch\\w*',
    'aufreizend\\w*',
    'lasziv\\w*',
    'schlu(?:e)?pfrig\\w*',
    'versaut\\w*',
    'vergewaltig\\w*',
    'inzest\\w*',
    'nutten?',
    'akt(?:foto|fotos|bild|bilder|aufnahme|aufnahmen|fotografie|modell)',
  ],
  inherent: ['kinder ?porn\\w*', 'pa(?:e)?dophil\\w*', 'pa(?:e)?do ?porn\\w*'],
  compactMinor: ['minderjahrig', 'minderjaehrig', 'schulmadchen', 'schulmaedchen', 'grundschul'],
  compactSexual: ['sexuell'],
  rawMinor: [],
  negations: ['kein', 'keine', 'keinen', 'keiner', 'keinem', 'ohne', 'nicht', 'niemals'],
  numberWords: {
    null: 0,
    ein: 1,
    eins: 1,
    zwei: 2,
    drei: 3,
    vier: 4,
    funf: 5,
    fuenf: 5,
    sechs: 6,
    sieben: 7,
    acht: 8,
    neun: 9,
    zehn: 10,
    elf: 11,
    zwolf: 12,
    zwoelf: 12,
    dreizehn: 13,
    vierzehn: 14,
    funfzehn: 15,
    fuenfzehn: 15,
    sechzehn: 16,
    siebzehn: 17,
    achtzehn: 18,
  },
  ages: [
    {
      pattern:
        '(?<!\\b(?:vor|seit|nach|fur|fuer|in|uber|ueber|alle|mehr als|innerhalb von|binnen) )\\b{N} ?(?:jahre?|j)\\b(?! (?:lang|her|zuvor|spater|spaeter|danach|davor|erfahrung|berufserfahrung|verheiratet|garantie|haft|gefangnis|gefaengnis)\\b)',
      maxMinor: 17,
    },
    { pattern: '\\b{N} ?ja(?:e)?hrig\\w*', maxMinor: 17 },
    { pattern: '\\b(?:im )?alter von {N}\\b', maxMinor: 17 },
    { pattern: '\\bmit {N} jahren\\b', maxMinor: 17 },
    {
      pattern:
        '\\bunter {N}(?: jahren?)?\\b(?! (?:minuten|sekunden|stunden|tagen|euro|grad|prozent|kg|cm|metern?|mb|gb)\\b)',
      maxMinor: 18,
    },
    { pattern: '\\b{N} ?klasse\\b', maxMinor: 13 },
    { pattern: '\\bklasse {N}\\b', maxMinor: 13 },
  ],
};
