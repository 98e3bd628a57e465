import { and, eq, inArray } from 'drizzle-orm';
import type { Platform } from '../platform/platform.ts';
import { slotTemplates, weeklyRhythms } from '../platform/db/schema/index.ts';
import type { Origin, Principal } from '../platform/auth/principal.ts';
import { auditBy, recordAudit } from '../platform/audit/audit.ts';
import { HttpError } from '../platform/http/problem.ts';
import type { PersonasService } from '../personas/index.ts';
import type { ChannelsService } from '../channels/index.ts';
import { localDay } from './time.ts';
import { readRhythm, rhythmSlots, RHYTHM_SLOT_SUFFIX, type RhythmDay } from './rhythm.ts';
import * as repo from './calendar.repository.ts';

/** The persona's weekly rhythm, what today is in it, and turning it into slot templates. */
export class RhythmService {
  readonly #platform: Platform;
  readonly #personas: PersonasService;
  readonly #channels: ChannelsService;
  constructor(platform: Platform, deps: { personas: PersonasService; channels: ChannelsService }) {
    this.#platform = platform;
    this.#personas = deps.personas;
    this.#channels = deps.channels;
  }

  async get(p: Principal, personaId: string, now = new Date()) {
    const persona = await this.#personas.get(p, personaId);
    const row = await this.#platform.db.withOrg(p.orgId, (tx) => tx.select().from(weeklyRhythms).where(eq(weeklyRhythms.personaId, personaId)).then((r) => r[0]));
    const { days, isDefault } = row ? readRhythm(row.days) : readRhythm(null);
    const local = localDay(now, persona.timezone);
    const day = days.find((d) => d.weekday === local.weekday)!;
    return {
      personaId,
      timezone: persona.timezone,
      isDefault,
      days,
      today: { date: local.date, weekday: local.weekday, activity: day.activity, slots: day.slots, note: day.note ?? null },
    };
  }

  async put(p: Principal, personaId: string, days: RhythmDay[], origin: Origin) {
    await this.#personas.get(p, personaId);
    await this.#platform.db.withOrg(p.orgId, async (tx) => {
      await tx
        .insert(weeklyRhythms)
        .values({ orgId: p.orgId, personaId, days })
        .onConflictDoUpdate({ target: weeklyRhythms.personaId, set: { days, updatedAt: new Date() } });
      await recordAudit(tx, auditBy(p), origin, { action: 'calendar.rhythm_saved', targetType: 'persona', targetId: personaId });
    });
    return this.get(p, personaId);
  }

  /**
   * Makes the rhythm's slot templates, replacing those an earlier apply made (matched by name, so they
   * keep their ids, channels, priority and on/off) and leaving hand-made ones alone. Applying twice
   * changes nothing. New templates go to `channelIds`, else the channels the persona's slots already use.
   */
  async apply(p: Principal, personaId: string, body: { channelIds?: string[] | undefined }, origin: Origin) {
    const { days } = await this.get(p, personaId);
    for (const id of new Set(body.channelIds ?? [])) {
      const channel = await this.#channels.get(p, id);
      if (channel.personaId !== personaId) throw new HttpError(422, 'channel_not_own', `Channel ${channel.handle} belongs to another persona`);
    }
    return this.#platform.db.withOrg(p.orgId, async (tx) => {
      const existing = await repo.slotsOf(tx, personaId);
      const made = existing.filter((s) => s.name.endsWith(RHYTHM_SLOT_SUFFIX));
      const pool = made.length ? made : existing;
      const channelIds = body.channelIds ?? [...new Set(pool.flatMap((s) => s.channelIds))];
      const wanted = rhythmSlots(days);
      for (const slot of wanted) {
        const before = made.find((s) => s.name === slot.name);
        if (before) {
          await tx
            .update(slotTemplates)
            .set({ weekdays: slot.weekdays, localTime: slot.localTime, ...(body.channelIds ? { channelIds } : {}) })
            .where(eq(slotTemplates.id, before.id));
        } else {
          await tx.insert(slotTemplates).values({ ...slot, channelIds, orgId: p.orgId, personaId });
        }
      }
      const gone = made.filter((s) => !wanted.some((w) => w.name === s.name)).map((s) => s.id);
      if (gone.length) await tx.delete(slotTemplates).where(and(eq(slotTemplates.personaId, personaId), inArray(slotTemplates.id, gone)));
      await recordAudit(tx, auditBy(p), origin, { action: 'calendar.rhythm_applied', targetType: 'persona', targetId: personaId, details: { slots: wanted.length } });
      return repo.slotsOf(tx, personaId);
    });
  }
}
