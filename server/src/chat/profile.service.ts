/** The persona's chat profile: her character card and lorebook, model, selling limits; card import and export. */
import sharp from 'sharp';
import { and, eq } from 'drizzle-orm';
import type { Database } from '../platform/db/database.ts';
import type { Origin, Principal } from '../platform/auth/principal.ts';
import { auditBy, recordAudit } from '../platform/audit/audit.ts';
import { HttpError } from '../platform/http/problem.ts';
import { providers } from '../platform/db/schema/index.ts';
import type { PersonasService } from '../personas/index.ts';
import { CardFormatError, exportCard, parseCard, type CardData, type Lorebook } from './cards/card.ts';
import { isPng, readPngCard, writePngCard } from './cards/png.ts';
import { profileCard } from './engine/engine.ts';
import { saysAI } from './safety/disclosure.ts';
import { parseParams, parseSelling, type ChatParams, type Selling } from './profile.ts';
import * as repo from './repository.ts';

export interface ProfileInput {
  card: CardData;
  lorebook: Lorebook;
  providerId: string | null;
  model: string | null;
  params: ChatParams;
  selling: Selling;
  firstContactNotice: string | null;
  rateLimitPerMinute: number;
}

export interface ProfileView extends ProfileInput {
  personaId: string;
  updatedAt: string | null;
}

const MAX_PNG_BYTES = 8 * 1024 * 1024;

export class ChatProfileService {
  readonly #db: Database;
  readonly #personas: PersonasService;
  readonly #onProviderChange: (orgId: string, providerId: string) => void;
  constructor(db: Database, personas: PersonasService, onProviderChange: (orgId: string, providerId: string) => void = () => {}) {
    this.#db = db;
    this.#personas = personas;
    this.#onProviderChange = onProviderChange;
  }

  async get(p: Principal, personaId: string): Promise<ProfileView> {
    const persona = await this.#personas.get(p, personaId);
    return this.#db.withOrg(p.orgId, async (tx) => view(personaId, persona.name, await repo.profile(tx, personaId)));
  }

  async put(p: Principal, personaId: string, input: ProfileInput, origin: Origin): Promise<ProfileView> {
    const persona = await this.#personas.get(p, personaId);
    // The notice exists to disclose the AI on first contact: a custom one that does not say so would defeat it.
    if (input.firstContactNotice && !saysAI(input.firstContactNotice)) {
      throw new HttpError(400, 'notice_not_disclosing', 'The first-contact notice must say that she is an AI persona', { errors: [{ path: 'body.firstContactNotice', message: 'Must say that she is an AI' }] });
    }
    return this.#db.withOrg(p.orgId, async (tx) => {
      if (input.providerId) {
        // Foreign keys ignore RLS: the provider must be a text provider of this organization.
        const found = (await tx.select({ id: providers.id }).from(providers).where(and(eq(providers.id, input.providerId), eq(providers.kind, 'text'))))[0];
        if (!found) throw new HttpError(404, 'not_found', 'No such text provider');
        this.#onProviderChange(p.orgId, input.providerId);
      }
      const row = await repo.saveProfile(tx, p.orgId, personaId, {
        card: input.card,
        lorebook: input.lorebook,
        providerId: input.providerId,
        model: input.model,
        params: input.params,
        selling: input.selling,
        firstContactNotice: input.firstContactNotice,
        rateLimitPerMinute: input.rateLimitPerMinute,
      });
      await recordAudit(tx, auditBy(p), origin, { action: 'chat.profile_updated', targetType: 'persona', targetId: personaId, details: { providerId: input.providerId, model: input.model, lorebookEntries: input.lorebook.entries.length } });
      return view(personaId, persona.name, row);
    });
  }

  /** Replaces the card and lorebook from a V1/V2/V3 card (JSON object, or a PNG carrying one); other settings stay. */
  async importCard(p: Principal, personaId: string, input: { card?: unknown; png?: string | undefined }, origin: Origin): Promise<ProfileView & { importedSpec: string }> {
    const persona = await this.#personas.get(p, personaId);
    let raw = input.card;
    if (input.png !== undefined) {
      const bytes = Buffer.from(input.png, 'base64');
      if (bytes.length > MAX_PNG_BYTES) throw new HttpError(413, 'card_too_large', 'The PNG is larger than 8 MiB');
      if (!isPng(bytes)) throw new HttpError(400, 'invalid_card', 'png is not a base64 PNG image');
      raw = wrap(() => readPngCard(bytes));
    }
    if (raw === undefined) throw new HttpError(400, 'invalid_card', 'Send either card (JSON) or png (base64)');
    const parsed = wrap(() => parseCard(raw));
    return this.#db.withOrg(p.orgId, async (tx) => {
      const row = await repo.saveProfile(tx, p.orgId, personaId, { card: parsed.card, lorebook: parsed.lorebook });
      await recordAudit(tx, auditBy(p), origin, { action: 'chat.card_imported', targetType: 'persona', targetId: personaId, details: { spec: parsed.spec, lorebookEntries: parsed.lorebook.entries.length, png: input.png !== undefined } });
      return { ...view(personaId, persona.name, row), importedSpec: parsed.spec };
    });
  }

  async exportCard(p: Principal, personaId: string, format: 'json' | 'png', spec: 'v2' | 'v3'): Promise<{ json: Record<string, unknown> } | { png: Buffer; filename: string }> {
    const persona = await this.#personas.get(p, personaId);
    const row = await this.#db.withOrg(p.orgId, (tx) => repo.profile(tx, personaId));
    const { card, lorebook } = profileCard(row, persona.name);
    if (format === 'json') return { json: exportCard(card, lorebook, spec) };
    // No portrait is chosen for the card yet: a plain image carries it (tools show the card's name over it).
    const base = await sharp({ create: { width: 400, height: 600, channels: 3, background: { r: 236, g: 228, b: 240 } } }).png().toBuffer();
    const png = writePngCard(base, { v2: exportCard(card, lorebook, 'v2'), v3: exportCard(card, lorebook, 'v3') });
    return { png, filename: `${(card.name || persona.name).replace(/[^\p{L}\p{N}_-]+/gu, '_').slice(0, 60) || 'card'}.png` };
  }
}

function wrap<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof CardFormatError) throw new HttpError(400, 'invalid_card', error.message);
    throw error;
  }
}

function view(personaId: string, personaName: string, row: repo.ProfileRow | undefined): ProfileView {
  const { card, lorebook } = profileCard(row, personaName);
  return {
    personaId,
    card,
    lorebook,
    providerId: row?.providerId ?? null,
    model: row?.model ?? null,
    params: parseParams(row?.params),
    selling: parseSelling(row?.selling),
    firstContactNotice: row?.firstContactNotice ?? null,
    rateLimitPerMinute: row?.rateLimitPerMinute ?? 12,
    updatedAt: row?.updatedAt.toISOString() ?? null,
  };
}
