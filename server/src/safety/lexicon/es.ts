import type { Lexicon } from './types.ts';

/**
 * Spanish lexicon (normalised: no accents, "ñ" → "n" — "niña" is written "nina", "años" "anos").
 *
 * Sources/approach: hand-curated like the English list (moderation keyword practice + prompt
 * vocabulary), with Spanish school levels (primaria, secundaria, ESO) and the "N años" age form.
 *
 * Deliberate tradeoffs:
 * - Accent stripping makes "niña" read "nina", which is also the name Nina. Singular "nina"/"nino"
 *   count only after a determiner ("una niña", "la nina") or when the original text has the "ñ"
 *   (rawMinor); plurals "niñas/ninos" always count. "Nina, 28, lingerie model" stays allowed.
 * - "menor" (also "smaller/lesser") counts in "menor de edad", after a determiner ("una menor", "los
 *   menores") unless followed by a measure noun ("un menor precio"), and in "menor de N".
 * - "N años" is not an age after "hace / desde hace / durante / por / tras…" ("casada hace 15 años")
 *   or before "de experiencia / de carrera / después…".
 * - "desnudo" is guarded against "pies desnudos" (bare feet); "caliente" (hot), "coger" (to take in
 *   Spain), "coño"/"senos" (homographs after normalisation) are left out.
 */
export const es: Lexicon = {
  lang: 'es',
  minor: [
    'nin(?:as|os|itas?|itos?)',
    '(?:una|la|las|unas|esta|esa|otra|mi|tu|su|pequena|nuestra) nina',
    '(?:un|el|los|unos|este|ese|otro|mi|tu|su|pequeno|nuestro) nino',
    'nina (?:pequena|chica)',
    'nino (?:pequeno|chico)',
    'menor(?:es)? de edad',
    '(?:una|un|la|el|las|los|unas|unos|esta|este|con|a|al|otra|otro) menor(?:es)?(?! (?:medida|precio|precios|costo|costos|coste|costes|grado|escala|tamano|cantidad|parte|importancia|numero|valor|riesgo|calidad|intensidad|detalle|detalles|cambio|cambios|ajuste|ajustes|frecuencia|velocidad|resolucion|brillo|contraste|peso)\\b)',
    'adolescen(?:te|tes|cia)',
    'pre ?adolescentes?',
    '(?:pre|im)?puber(?:es|al|tad)?',
    'colegial(?:a|as|es)?',
    'uniforme escolar',
    'escuela (?:primaria|secundaria)',
    '(?:de|en) (?:primaria|secundaria|kinder|preescolar)',
    'infant(?:e|es|il|iles)',
    'jovencit(?:a|as|o|os)',
    'chiquill(?:a|as|o|os)',
    'chamac(?:a|as|o|os)',
    'lolita',
  ],
  sexual: [
    '(?<!pies )desnud\\w*',
    'sin ropa',
    'en pelotas',
    'en cueros',
    'sexo(?! (?:femenino|masculino|f|m|mujer|hombre)\\b)',
    'sexual(?:es|mente)',
    'sexualizad(?:a|as|o|os)',
    'obscen(?:a|as|o|os)',
    'lujuri\\w*',
    'cachond(?:a|as|o|os)',
    'follar',
    'follando',
    'follad(?:a|as|o|os)',
    'felacion',
    'mamadas?',
    'lenceria',
    'tangas?',
    'bragas',
    'tetas',
    'pezon(?:es)?',
    'pene',
    'sensual(?:es|idad)',
    'seductor(?:a|as|es)?',
    'provocativ(?:a|as|o|os)',
    'violacion(?:es)?',
    'violad(?:a|as|o|os)',
    'incesto',
    'putas?',
  ],
  inherent: ['pornografia infantil', 'porno infantil', 'pedofil\\w*'],
  compactMinor: ['colegiala', 'adolescente', 'jovencita'],
  compactSexual: ['desnuda', 'desnudo', 'lenceria'],
  rawMinor: ['niñ(?:a|o|as|os|ita|ito|itas|itos)'],
  negations: ['sin', 'ningun', 'ninguna', 'ningunos', 'ningunas', 'nunca', 'ni'],
  numberWords: {
    uno: 1,
    una: 1,
    un: 1,
    dos: 2,
    tres: 3,
    cuatro: 4,
    cinco: 5,
    seis: 6,
    siete: 7,
    ocho: 8,
    nueve: 9,
    diez: 10,
    once: 11,
    doce: 12,
    trece: 13,
    catorce: 14,
    quince: 15,
    dieciseis: 16,
    diecisiete: 17,
    dieciocho: 18,
  },
  ages: [
    {
      pattern:
        '(?<!\\b(?:hace|desde hace|durante|por|en|tras|despues de|antes de|mas de|cada|dentro de) )\\b{N} ?anos\\b(?! (?:de experiencia|de carrera|de casad[ao]s?|de matrimonio|de servicio|de carcel|despues|mas tarde|atras|antes)\\b)',
      maxMinor: 17,
    },
    { pattern: '\\b(?:menos de|menor de) {N}(?: anos)?\\b', maxMinor: 18 },
    { pattern: '\\b{N} ?(?:o|ro|do|to|er) (?:de )?(?:primaria|secundaria|eso|basica)\\b', maxMinor: 12 },
  ],
};

