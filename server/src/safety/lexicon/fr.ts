import type { Lexicon } from './types.ts';

/**
 * French lexicon (normalised: no accents — "élève" is written "eleve", "âgée" "agee").
 *
 * Sources/approach: hand-curated like the English list (moderation keyword practice + prompt
 * vocabulary), with French school levels (CP…CM2, 6e…3e, collège, lycée) and the "N ans" age form.
 *
 * Deliberate tradeoffs:
 * - "nu/nue" is guarded against "pieds nus" (barefoot), "tête nue", "mains nues", "à l'œil nu".
 * - "N ans" is not an age after "il y a / depuis / pendant / dans…" ("mariée depuis 15 ans") or
 *   before "d'expérience / de carrière / plus tard…".
 * - "petite fille" also reads "petite-fille" (granddaughter, possibly adult) and "jeune fille" is
 *   sometimes an adult: both still count — a refusal asks the user to rephrase, which is acceptable.
 * - "mineur" (also "coal miner", and the musical key) is guarded by the music names and "de fond".
 * - "ado" is guarded against English "much ado".
 */
export const fr: Lexicon = {
  lang: 'fr',
  minor: [
    'enfant(?:s|ine|ines|in|ins)?',
    'gamin(?:s|es)?',
    'gosses?',
    'bambin(?:e|s|es)?',
    'nourrissons?',
    'fillettes?',
    'garconnets?',
    '(?:petite|jeune)s? filles?',
    '(?:petit|jeune)s? garcons?',
    '(?<!(?:do|re|mi|fa|sol|la|si) )mineur(?:e|s|es)?(?! de (?:fond|charbon)\\b)',
    'adolescent(?:e|s|es)?',
    'adolescence',
    '(?<!much )ados?',
    'pre ?ados?',
    'pre ?adolescent(?:e|s|es)?',
    'collegien(?:ne|s|nes)?',
    'lyceen(?:ne|s|nes)?',
    'ecolier(?:e|s|es)?',
    '(?:au|du) (?:college|lycee)',
    'uniforme scolaire',
    'ecole (?:primaire|maternelle)',
    'maternelle',
    'en (?:cp|ce1|ce2|cm1|cm2|sixieme|cinquieme|quatrieme|troisieme|seconde)',
    '(?:pre|im)?puber(?:e|es|te)',
    'lolita',
    'lolis?',
  ],
  sexual: [
    '(?<!(?:pieds?|tetes?|mains?|bras|jambes?|yeux|oeil|torse) )nue?s?(?! (?:pieds?|tetes?|mains?|proprietes?|proprietaires?)\\b)',
    'nudite',
    'denude(?:e|s|es)?',
    'deshabill(?:e|ee|es|ees|er|ant)',
    'a poil',
    'seins',
    'poitrine (?:nue|denudee)',
    'tetons?',
    'sexe(?! (?:feminin|masculin|f|m|femme|homme)\\b)',
    'sexuel(?:le|s|les|lement)?',
    'sexualise(?:e|s|es)?',
    'erotiq\\w*',
    'lubrique',
    'obscene',
    'baise',
    'niquer',
    'fellation',
    'sodomie',
    'cunnilingus',
    'coit',
    'ebats',
    'jouir',
    'porte ?jarretelles?',
    'sensuel(?:le|s|les)?',
    'seduisante?s?',
    'aguich(?:eur|euse|eurs|euses|ante|antes)',
    'provocante?s?',
    'lascive?s?',
    'charnel(?:le|s|les)?',
    'viol(?:e|ee|ees|es|er)?',
    'attouchements?',
    'inceste',
    'effeuillage',
  ],
  inherent: ['pedo ?pornograph\\w*', 'pedophil\\w*', 'pedocriminel\\w*'],
  compactMinor: ['collegienne', 'lyceenne', 'fillette', 'adolescente'],
  compactSexual: ['erotique'],
  rawMinor: [],
  negations: ['pas de', 'pas d', 'sans', 'aucun', 'aucune', 'ni', 'jamais de', 'non'],
  numberWords: {
    un: 1,
    deux: 2,
    trois: 3,
    quatre: 4,
    cinq: 5,
    six: 6,
    sept: 7,
    huit: 8,
    neuf: 9,
    dix: 10,
    onze: 11,
    douze: 12,
    treize: 13,
    quatorze: 14,
    quinze: 15,
    seize: 16,
    'dix sept': 17,
    'dix huit': 18,
  },
  ages: [
    {
      pattern:
        '(?<!\\b(?:il y a|y a|depuis|pendant|durant|dans|apres|avant|voici|voila|plus de|en|pour|tous les|toutes les) )\\b{N} ?ans\\b(?! (?:d experience|de carriere|de mariage|de metier|d anciennete|de service|de prison|d ecart|plus tard|plus tot|apres|avant|auparavant)\\b)',
      maxMinor: 17,
    },
    { pattern: '\\bagee?s? de {N}\\b', maxMinor: 17 },
    { pattern: '\\b(?:moins de|pas encore) {N} ans\\b', maxMinor: 18 },
    { pattern: '\\ben {N} ?(?:e|eme|ieme)\\b', maxMinor: 6 },
  ],
};
