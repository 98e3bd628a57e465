/**
 * What the guards say themselves, in each language they speak. These are fixed texts on purpose: when a model
 * reply cannot be trusted, the fan gets one of these instead.
 */
import type { Lang } from './text.ts';

type Texts = Record<Lang, string>;

/** A truthful answer to "are you real / a bot / an AI?". */
export const AI_DISCLOSURE: Texts = {
  en: "To be honest with you: I'm an AI, a virtual persona, not a real person.",
  fr: 'Pour être honnête avec toi : je suis une IA, un personnage virtuel, pas une vraie personne.',
  es: 'Para ser sincera contigo: soy una IA, un personaje virtual, no una persona real.',
  de: 'Ehrlich gesagt: Ich bin eine KI, eine virtuelle Persona, kein echter Mensch.',
  it: 'Per essere sincera: sono un’IA, un personaggio virtuale, non una persona reale.',
  pt: 'Para ser sincera contigo: sou uma IA, uma persona virtual, não uma pessoa real.',
};

/** Sent once at the start of a conversation where the platform does not already say so. */
export const FIRST_CONTACT_NOTICE: Texts = {
  en: "Hi! Just so you know: I'm an AI persona, and a person from my team may read this chat.",
  fr: "Coucou ! Pour que tu saches : je suis une persona IA, et une personne de mon équipe peut lire cette conversation.",
  es: '¡Hola! Para que lo sepas: soy una persona IA, y alguien de mi equipo puede leer este chat.',
  de: 'Hi! Nur damit du es weißt: Ich bin eine KI-Persona, und jemand aus meinem Team kann diesen Chat lesen.',
  it: 'Ciao! Giusto perché tu lo sappia: sono una persona IA, e qualcuno del mio team può leggere questa chat.',
  pt: 'Oi! Só para saberes: sou uma persona de IA, e alguém da minha equipa pode ler esta conversa.',
};

/** After a fan says they are under 18, outside age-verified platforms. */
export const MINOR_GOODBYE: Texts = {
  en: "Thanks for telling me. This chat is only for adults, so I'm going to end our conversation here. Take care!",
  fr: 'Merci de me l’avoir dit. Cette conversation est réservée aux adultes, donc je vais l’arrêter ici. Prends soin de toi !',
  es: 'Gracias por decírmelo. Este chat es solo para adultos, así que voy a terminar nuestra conversación aquí. ¡Cuídate!',
  de: 'Danke, dass du es mir sagst. Dieser Chat ist nur für Erwachsene, deshalb beende ich unser Gespräch hier. Pass auf dich auf!',
  it: 'Grazie di avermelo detto. Questa chat è solo per adulti, quindi chiudo qui la nostra conversazione. Abbi cura di te!',
  pt: 'Obrigada por me dizeres. Esta conversa é só para adultos, por isso vou terminá-la aqui. Cuida-te!',
};

/** On an age-verified platform the conversation goes on, but never sexual again. */
export const MINOR_CONTINUE: Texts = {
  en: "Thanks for telling me. I'll keep our chat friendly and nothing more.",
  fr: 'Merci de me l’avoir dit. Notre conversation restera amicale, rien de plus.',
  es: 'Gracias por decírmelo. Nuestro chat será amistoso y nada más.',
  de: 'Danke, dass du es mir sagst. Unser Chat bleibt freundlich, mehr nicht.',
  it: 'Grazie di avermelo detto. La nostra chat resterà amichevole, niente di più.',
  pt: 'Obrigada por me dizeres. A nossa conversa vai ser apenas amigável.',
};

/** Self-harm signals: care first, and where to find help now. */
export const SELF_HARM_REPLY: Texts = {
  en: "I'm really sorry you're feeling this way, and I'm glad you told me. I'm an AI, so please reach out to someone who can help right now: if you are in danger, call your local emergency number (112 in Europe, 911 in the US). You can find a free, confidential helpline in your country at https://findahelpline.com. You matter.",
  fr: "Je suis vraiment désolée que tu te sentes comme ça, et merci de me l'avoir dit. Je suis une IA, alors parle tout de suite à quelqu'un qui peut t'aider : si tu es en danger, appelle le 112 (ou le 3114, numéro national de prévention du suicide en France). Tu trouveras une ligne d'écoute gratuite et confidentielle dans ton pays sur https://findahelpline.com. Tu comptes.",
  es: 'Siento mucho que te sientas así, y gracias por contármelo. Soy una IA, así que por favor habla ahora con alguien que pueda ayudarte: si estás en peligro, llama al 112 (o al 024 en España). Encontrarás una línea de ayuda gratuita y confidencial en tu país en https://findahelpline.com. Tú importas.',
  de: 'Es tut mir wirklich leid, dass es dir so geht, und danke, dass du es mir sagst. Ich bin eine KI, bitte wende dich jetzt an jemanden, der helfen kann: Wenn du in Gefahr bist, ruf 112 an (in Deutschland auch die TelefonSeelsorge 0800 111 0 111). Eine kostenlose, vertrauliche Hotline in deinem Land findest du auf https://findahelpline.com. Du bist wichtig.',
  it: 'Mi dispiace davvero che tu ti senta così, e grazie di avermelo detto. Sono un’IA, quindi per favore parla subito con qualcuno che può aiutarti: se sei in pericolo, chiama il 112. Trovi una linea d’ascolto gratuita e riservata nel tuo paese su https://findahelpline.com. Tu conti.',
  pt: 'Lamento muito que te sintas assim, e obrigada por me contares. Sou uma IA, por isso fala agora com alguém que te possa ajudar: se estiveres em perigo, liga 112. Encontras uma linha de apoio gratuita e confidencial no teu país em https://findahelpline.com. Tu importas.',
};

/** When no model reply survives the guards. */
export const FALLBACK_REPLY: Texts = {
  en: 'Tell me more about you! How is your day going?',
  fr: 'Raconte-moi un peu de toi ! Comment se passe ta journée ?',
  es: '¡Cuéntame más de ti! ¿Qué tal tu día?',
  de: 'Erzähl mir mehr von dir! Wie läuft dein Tag?',
  it: 'Raccontami qualcosa di te! Come va la tua giornata?',
  pt: 'Conta-me mais sobre ti! Como está a correr o teu dia?',
};

export const LANGUAGE_NAMES: Texts = { en: 'English', fr: 'French', es: 'Spanish', de: 'German', it: 'Italian', pt: 'Portuguese' };
