import sharp from 'sharp';
import type { Platform } from '../platform/platform.ts';
import type { Principal } from '../platform/auth/principal.ts';
import { PersonasService } from '../personas/index.ts';
import { generationServices } from '../generation/index.ts';
import { publishingServices } from '../publishing/index.ts';

const origin = { ip: null, userAgent: 'atelier-demo', requestId: null };
const PALETTE = [
  ['#f4a261', '#264653'],
  ['#e9c46a', '#2a9d8f'],
  ['#f6bd60', '#84a59d'],
  ['#cdb4db', '#457b9d'],
  ['#ffafcc', '#3d405b'],
  ['#a8dadc', '#e63946'],
];

/** A generated, SFW picture: a gradient with a few shapes, nothing more. */
async function picture(i: number): Promise<Buffer> {
  const [a, b] = PALETTE[i % PALETTE.length]!;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="1500">
    <defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="${a}"/><stop offset="1" stop-color="${b}"/></linearGradient></defs>
    <rect width="1200" height="1500" fill="url(#g)"/>
    <circle cx="${300 + (i * 137) % 600}" cy="${400 + (i * 211) % 700}" r="${120 + (i * 37) % 160}" fill="#ffffff" opacity="0.35"/>
    <rect x="${150 + (i * 97) % 500}" y="${900 - (i * 53) % 400}" width="420" height="260" rx="40" fill="#000000" opacity="0.12"/>
  </svg>`;
  return sharp(Buffer.from(svg)).jpeg({ quality: 88 }).toBuffer();
}

/**
 * `npm run cli -- demo`: an organisation a newcomer can click through — a persona, generated SFW
 * images in her library, a sandbox channel writing to the outbox, slot templates and two weeks of
 * scheduled posts.
 */
export async function seedDemo(platform: Platform, input: { email: string; password: string }) {
  const { orgId, userId } = await platform.auth.createOrgWithOwner({ orgName: 'Demo studio', email: input.email, password: input.password, displayName: 'Demo owner' }, origin);
  const p: Principal = { orgId, userId, role: 'owner', apiKeyId: null, personaScope: null, sessionId: null };
  const persona = await new PersonasService(platform.db).create(
    p,
    {
      name: 'Lina Moreau',
      bio: 'Fictional travel and café photographer, 27. An AI persona.',
      timezone: 'Europe/Paris',
      languages: ['fr', 'en'],
      statedAge: 27,
      attestation: { fictional: true, adult: true, notRealPerson: true },
    },
    origin,
  );
  const { library, studio } = generationServices(platform);
  await studio.saveSettings(
    p,
    persona.id,
    {
      appearancePrompt: 'a fictional adult woman, 27, freckles, warm natural light',
      caption: { tone: 'warm, playful, concise', languages: ['fr', 'en'] },
      watermark: { text: '@lina · AI persona' },
      dailyPlan: { enabled: false, localTime: '06:00', images: 4, clips: 1, themes: ['café terrace', 'city walk', 'bookshop'], captionPlatforms: ['instagram'] },
    },
    origin,
  );
  for (let i = 0; i < 16; i++) {
    await library.upload(p, { personaId: persona.id, bytes: await picture(i), mimeType: 'image/jpeg', source: 'upload', tags: ['demo'] }, origin);
  }
  const { channels, calendar } = publishingServices(platform);
  const sandbox = await channels.create(p, { personaId: persona.id, platform: 'sandbox', handle: 'demo-outbox' }, origin);
  await calendar.saveSlots(
    p,
    persona.id,
    [
      { name: 'Morning', weekdays: [], localTime: '10:00', channelIds: [sandbox.id], priority: 1, enabled: true },
      { name: 'Evening', weekdays: [2, 3, 4], localTime: '20:00', channelIds: [sandbox.id], priority: 0, enabled: true },
    ],
    origin,
  );
  const posts = await calendar.autofill(p, persona.id, { days: 14 }, origin);
  return { orgId, personaId: persona.id, channelId: sandbox.id, posts: posts.length };
}
