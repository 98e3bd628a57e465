/**
 * Payment only ever happens through the platform. A reply that asks for money elsewhere (PayPal, Cash App,
 * Venmo, Zelle, Revolut, wire transfer/IBAN, crypto, gift cards, "DM me on Snap/WhatsApp to pay", or any
 * link to a payment site) is refused, in the six languages.
 */
import { fold } from './text.ts';

const SERVICES = /\b(?:paypal|pay\s*pal|cash\s*app|cashapp|venmo|zelle|revolut|wise\.com|skrill|payoneer|western\s+union|moneygram|bizum|sumup|stripe\s+link|buy\s*me\s*a\s*coffee|ko-?fi|patreon|throne|wishlist|amazon\s+gift|gift\s*cards?|steam\s+cards?|apple\s+gift|google\s+play\s+cards?|bitcoin|btc|ethereum|eth\s+wallet|usdt|crypto(?:currency)?\s+wallet|wallet\s+address|iban|swift\s+code|bank\s+transfer|wire\s+transfer|virement|transferencia\s+bancaria|uberweisung|bonifico)\b/;
const CONTACT_TO_PAY = /\b(?:pay|send|transfer|paie|paye|envoie|paga|manda|envia|zahl|schick|invia|pagar|enviar)\w*\b[^.!?\n]{0,60}\b(?:snap(?:chat)?|whatsapp|telegram|kik|signal|instagram|my\s+(?:account|number)|privately|directly|outside|en\s+prive|directement|por\s+fuera|privat|direttamente|por\s+fora)\b/;
const LINKS = /\b(?:https?:\/\/)?(?:www\.)?(?:paypal\.me|cash\.app|venmo\.com|revolut\.me|ko-fi\.com|buymeacoffee\.com|throne\.com|patreon\.com|onlyfans\.com|linktr\.ee|t\.me|wa\.me)\b/;

export function offPlatformPayment(reply: string): string | null {
  const t = fold(reply);
  return SERVICES.exec(t)?.[0] ?? CONTACT_TO_PAY.exec(t)?.[0] ?? LINKS.exec(t)?.[0] ?? null;
}
