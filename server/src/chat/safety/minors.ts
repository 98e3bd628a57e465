/**
 * A fan who says or implies being under 18. First-person statements only: "my sister is 15" is not about the
 * fan, "I'm 15", "j'ai 15 ans", "je suis en 3ème", "tengo 15 años", "ich bin 15", "ho 15 anni", "tenho 15 anos",
 * "I'm in 9th grade", "I'm a minor", "je suis mineure", "soy menor de edad" are. Matched on folded text
 * (lowercase, accents gone). Erring on the side of flagging: an adult flagged by mistake is cleared by an
 * operator; a minor missed is not acceptable.
 */
import { fold } from './text.ts';

const AGE = '(?:1[0-7]|[1-9])';
/** After "I'm 16", words that make the number something other than an age. */
const NOT_AGE = String.raw`(?!\s*(?:min|mins|minutes?|h|hrs?|hours?|%|km|miles?|m\b|cm|kg|lbs?|kilos?|pounds?|inches|ft|feet|euros?|dollars?|bucks|usd|eur|\$|€|times|x\b|days?|weeks?|months?|of\b|out\b|in\s+line|th\b|st\b|nd\b|rd\b|:\d|[.,]\d))`;

const STATEMENTS: RegExp[] = [
  // English
  new RegExp(String.raw`\b(?:i'?m|i\s+am|im|iam)\s+(?:only\s+|just\s+|actually\s+|still\s+)?${AGE}\b${NOT_AGE}`),
  new RegExp(String.raw`\b(?:i'?m|i\s+am|im)\s+(?:only\s+|just\s+)?${AGE}\s*(?:years?|yrs?|y)\s*(?:old|o)\b`),
  new RegExp(String.raw`\bmy\s+age\s+is\s+${AGE}\b`),
  new RegExp(String.raw`\b(?:age|aged)\s*:?\s*${AGE}\b(?!\s*(?:years?\s+ago))`),
  new RegExp(String.raw`(?:^|\s)${AGE}\s*(?:yo|y\/o|yrs?\s+old|years?\s+old)\b(?!\s+(?:sister|brother|son|daughter|kid|cousin|dog|cat|niece|nephew))`),
  /\b(?:i'?m|i\s+am|im)\s+(?:a\s+)?(?:minor|underage|under\s+18|under\s+eighteen|not\s+18\s+yet|not\s+an\s+adult|a\s+teen(?:ager)?|in\s+high\s+school|in\s+middle\s+school|in\s+junior\s+high|a\s+(?:high\s+school|middle\s+school)\s+(?:student|freshman|sophomore|junior))\b/,
  /\b(?:i'?m|i\s+am|im)\s+in\s+(?:the\s+)?(?:[5-9]|1[0-2])(?:th)?\s+grade\b/,
  /\b(?:i'?m|i\s+am|im)\s+in\s+(?:the\s+)?(?:fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth)\s+grade\b/,
  /\b(?:i'?m|i\s+am|im)\s+(?:in\s+)?(?:year\s+(?:[7-9]|1[0-2])|(?:10|11|12)th\s+grade)\b/,
  /\bi\s+(?:will\s+be|turn|'ll\s+be)\s+(?:1[0-8])\s+(?:next|in)\b/,
  // French
  new RegExp(String.raw`\bj'?\s*ai\s+(?:seulement\s+|que\s+|juste\s+)?${AGE}\s*ans\b`),
  /\bje\s+suis\s+(?:encore\s+)?(?:mineure?|ado(?:lescente?)?|collegienne?|lyceenne?|au\s+college|au\s+lycee|pas\s+majeure?)\b/,
  /\bje\s+suis\s+en\s+(?:6|5|4|3|2)\s*(?:e|eme|ieme|nde)\b/,
  /\bje\s+suis\s+en\s+(?:sixieme|cinquieme|quatrieme|troisieme|seconde|premiere|terminale|1\s*ere|1re|cm1|cm2)\b/,
  /\bj'?\s*ai\s+pas\s+(?:encore\s+)?18\s+ans\b/,
  // Spanish
  new RegExp(String.raw`\btengo\s+(?:solo\s+|solamente\s+|apenas\s+)?${AGE}\s*(?:anos|anitos)?\b${NOT_AGE}`),
  /\bsoy\s+(?:menor(?:\s+de\s+edad)?|adolescente|una?\s+adolescente)\b/,
  /\b(?:estoy|voy)\s+(?:en|a)\s+(?:la\s+)?(?:secundaria|prepa|preparatoria|el\s+instituto|la\s+eso|(?:1|2|3|4)\s*(?:o|ro|do|ero)?\s+de\s+(?:la\s+)?eso)\b/,
  /\bno\s+tengo\s+(?:los\s+)?18\b/,
  // German
  new RegExp(String.raw`\bich\s+bin\s+(?:erst\s+|nur\s+|noch\s+)?${AGE}\b${NOT_AGE}`),
  /\bich\s+bin\s+(?:noch\s+)?(?:minderjahrig|nicht\s+volljahrig|ein\s+teenager|teenager|schuler(?:in)?)\b/,
  /\bich\s+(?:gehe|bin)\s+in\s+(?:die\s+|der\s+)?(?:[5-9]|1[0-2])\.?\s*klasse\b/,
  // Italian
  new RegExp(String.raw`\bho\s+(?:solo\s+|appena\s+)?${AGE}\s*anni\b`),
  /\bsono\s+(?:ancora\s+)?(?:minorenne|una?\s+adolescente|alle\s+medie|al\s+liceo)\b/,
  /\bfaccio\s+(?:la\s+)?(?:prima|seconda|terza)\s+media\b/,
  // Portuguese
  new RegExp(String.raw`\btenho\s+(?:so\s+|apenas\s+)?${AGE}\s*anos\b`),
  /\bsou\s+(?:menor(?:\s+de\s+idade)?|adolescente|uma?\s+adolescente)\b/,
  /\bestou\s+no\s+(?:[6-9]|1)\s*(?:o|º)?\s*ano\b/,
];

/** Third-person subjects in the same sentence mean the statement is about someone else. */
const ABOUT_SOMEONE_ELSE = /\b(?:my|mon|ma|mes|mi|mis|mein\w*|il\s+mio|la\s+mia|meu|minha)\s+(?:sister|brother|son|daughter|kid|child|cousin|niece|nephew|friend|soeur|frere|fils|fille|cousine?|hermana|hermano|hijo|hija|schwester|bruder|sohn|tochter|sorella|fratello|figli[oa]|irma|irmao|filh[oa])\b/;

export interface MinorStatement {
  matched: string;
}

export function statesUnder18(fanText: string): MinorStatement | null {
  const t = fold(fanText);
  for (const sentence of t.split(/(?<=[.!?\n])\s+/)) {
    for (const re of STATEMENTS) {
      const m = re.exec(sentence);
      if (!m) continue;
      if (ABOUT_SOMEONE_ELSE.test(sentence.slice(0, m.index))) continue;
      return { matched: m[0].trim() };
    }
  }
  return null;
}
