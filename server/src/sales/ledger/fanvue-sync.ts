import { createHash } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import type { Platform } from '../../platform/platform.ts';
import type { Tx } from '../../platform/db/database.ts';
import { channelCache, channels as channelsTable, ledgerImports, type TransactionKind } from '../../platform/db/schema/index.ts';
import type { Origin, Principal } from '../../platform/auth/principal.ts';
import { auditBy, recordAudit } from '../../platform/audit/audit.ts';
import { HttpError } from '../../platform/http/problem.ts';
import type { ChannelsService } from '../../channels/index.ts';
import type { Connectors } from '../../publishing/connectors/registry.ts';
import type { FanvueConnector } from '../../publishing/connectors/fanvue/index.ts';
import { fetchEarningsPage, FANVUE_EARNINGS_CURRENCY, type FanvueEarning } from '../../publishing/connectors/fanvue/earnings.ts';
import { ConnectorError, type ChannelAccount } from '../../publishing/connectors/types.ts';
import { upsertFan } from '../crm/fans.repository.ts';
import { applyRows, importView } from './ledger.service.ts';
import { erasedOwners, keptErased } from './erased-rows.ts';
import { campaignsOfSales, markPurchased, ppvMessages } from './ppv-links.ts';
import type { IncomingTransaction } from './transactions.repository.ts';

export const FANVUE_SYNC_JOB = 'sales.fanvue-earnings-sync';
const SOURCE = 'fanvue_api';
const STATE_KEY = 'ledger.fanvue.earnings';
/** First sync reaches this far back. */
const FIRST_SYNC_DAYS = 90;
/** Later syncs re-read this far back: late refunds, amended rows and payout status changes land there. */
const LOOKBACK_DAYS = 35;
/** Each request covers at most this long a window. */
const WINDOW_DAYS = 31;
const DAY_MS = 86_400_000;
const MAX_PAGES = 2000;

const KINDS: Record<string, TransactionKind> = {
  subscription: 'subscription',
  appStore: 'subscription',
  renewal: 'renewal',
  tip: 'tip',
  post: 'ppv',
  message: 'ppv',
  mediaLink: 'ppv',
  fanExperience: 'ppv',
  checkoutLink: 'pack',
  refund: 'refund',
  chargeback: 'chargeback',
  // Creator rewards nobody paid for: kept as income, the Fanvue source stays in the description.
  referral: 'tip',
  affiliate: 'tip',
  giveaway: 'tip',
};

/** The ledger id of an earnings row: the order id, else what it reverses, else its content. */
function sourceIdOf(e: FanvueEarning): string {
  if (e.transactionOrderId) return e.transactionOrderId;
  if (e.reversedTransactionOrderId) return `${e.source}:${e.reversedTransactionOrderId}`;
  return `sha256:${createHash('sha256').update(JSON.stringify([e.date, e.source, e.user?.uuid ?? null])).digest('hex').slice(0, 40)}`;
}

function kindOf(e: FanvueEarning): TransactionKind {
  const known = KINDS[e.source];
  if (known) return known;
  return e.gross < 0 ? 'refund' : 'tip';
}

interface SyncState {
  syncedThrough: string;
}

/** Pulls a Fanvue channel's earnings into the ledger: on a schedule, and when asked. Idempotent by order id. */
export class FanvueEarningsSync {
  readonly #platform: Platform;
  readonly #channels: ChannelsService;
  readonly #connectors: Connectors;
  constructor(platform: Platform, channels: ChannelsService, connectors: Connectors) {
    this.#platform = platform;
    this.#channels = channels;
    this.#connectors = connectors;
  }

  register() {
    this.#platform.jobs.register<{ orgId: string | null; channelId?: string }>({
      name: FANVUE_SYNC_JOB,
      schedule: '23 * * * *',
      options: { retryLimit: 2, expireInSeconds: 1800 },
      handler: async (job) => {
        if (job.data.orgId && job.data.channelId) {
          await this.run(job.data.orgId, job.data.channelId, null);
          return;
        }
        // The hourly tick fans out: one job per active Fanvue channel, so one account's failure retries alone.
        const active = await this.#platform.db.withSystem((tx) =>
          tx.select({ orgId: channelsTable.orgId, id: channelsTable.id }).from(channelsTable).where(and(eq(channelsTable.platform, 'fanvue'), eq(channelsTable.status, 'active'))),
        );
        for (const c of active) await this.#platform.jobs.send(FANVUE_SYNC_JOB, { orgId: c.orgId, channelId: c.id }, { singletonKey: `fanvue-earnings:${c.id}` });
      },
    });
  }

  /** "Sync now" from the dashboard: the caller must see the channel; runs in the request. */
  async syncNow(p: Principal, channelId: string, origin: Origin) {
    const channel = await this.#channels.get(p, channelId);
    if (channel.platform !== 'fanvue') throw new HttpError(400, 'not_fanvue', 'Earnings sync is only for Fanvue channels; other platforms import CSV statements');
    const result = await this.run(p.orgId, channelId, p.userId);
    await this.#platform.db.withOrg(p.orgId, (tx) =>
      recordAudit(tx, auditBy(p), origin, { action: 'ledger.synced', targetType: 'channel', targetId: channelId, details: { importId: result.id, status: result.status, added: result.added, updated: result.updated } }),
    );
    if (result.status === 'failed') throw new HttpError(502, 'sync_failed', `Fanvue earnings sync failed: ${result.errors[0] ?? 'unknown error'}`, { importId: result.id });
    return result;
  }

  async run(orgId: string, channelId: string, userId: string | null) {
    const { db } = this.#platform;
    const connector = this.#connectors.get('fanvue') as FanvueConnector;
    let account: ChannelAccount & { personaId: string } = await this.#channels.account(orgId, channelId);
    const state = await db.withOrg(orgId, async (tx) => {
      const row = (await tx.select().from(channelCache).where(and(eq(channelCache.channelId, channelId), eq(channelCache.key, STATE_KEY))))[0];
      return (row?.value ?? null) as SyncState | null;
    });
    const now = new Date();
    const from = state ? new Date(Date.parse(state.syncedThrough) - LOOKBACK_DAYS * DAY_MS) : new Date(now.getTime() - FIRST_SYNC_DAYS * DAY_MS);
    const started = await db.withOrg(orgId, async (tx) => {
      const [row] = await tx.insert(ledgerImports).values({ orgId, personaId: account.personaId, source: SOURCE, filename: null, status: 'running', createdBy: userId }).returning();
      return row!;
    });
    const totals = { rows: 0, added: 0, updated: 0 };
    const warnings = new Set<string>();
    const ctx = {
      signal: AbortSignal.timeout(15 * 60_000),
      // Refresh tokens are single-use: keep the new ones for the next page and store them at once.
      onCredentials: async (next: Record<string, string>) => {
        account = { ...account, credentials: { ...account.credentials, ...Object.fromEntries(Object.entries(next).filter(([, v]) => v)) } };
        await this.#channels.storeCredentials(orgId, channelId, next);
      },
    };
    try {
      for (let start = from; start < now; start = new Date(start.getTime() + WINDOW_DAYS * DAY_MS)) {
        const end = new Date(Math.min(now.getTime(), start.getTime() + WINDOW_DAYS * DAY_MS));
        let cursor: string | null = null;
        for (let pages = 0; ; pages++) {
          if (pages >= MAX_PAGES) throw new ConnectorError('fanvue', 'unavailable', 'Fanvue earnings kept paging past the limit');
          const page = await fetchEarningsPage(connector, account, { start, end, cursor }, ctx);
          // One transaction per page: a page is in the books entirely or not at all.
          const applied = await db.withOrg(orgId, (tx) => this.#applyPage(tx, orgId, account, started.id, page.items));
          totals.rows += page.items.length;
          totals.added += applied.added;
          totals.updated += applied.updated;
          applied.warnings.forEach((w) => warnings.add(w));
          if (!page.nextCursor) break;
          cursor = page.nextCursor;
        }
      }
      const finished = await db.withOrg(orgId, async (tx) => {
        await tx
          .insert(channelCache)
          .values({ orgId, channelId, key: STATE_KEY, value: { syncedThrough: now.toISOString() } satisfies SyncState })
          .onConflictDoUpdate({ target: [channelCache.channelId, channelCache.key], set: { value: sql`excluded.value`, fetchedAt: sql`now()` } });
        const [row] = await tx
          .update(ledgerImports)
          .set({ status: 'imported', ...totals, errors: [...warnings] })
          .where(eq(ledgerImports.id, started.id))
          .returning();
        return row!;
      });
      if (totals.added || totals.updated) await this.#platform.events.publish({ type: 'ledger.updated', orgId, personaId: account.personaId, data: { importId: started.id, added: totals.added, updated: totals.updated } });
      return { ...importView(finished), warnings: [...warnings] };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const failed = await db.withOrg(orgId, async (tx) => {
        const [row] = await tx
          .update(ledgerImports)
          .set({ status: 'failed', ...totals, errors: [message] })
          .where(eq(ledgerImports.id, started.id))
          .returning();
        return row!;
      });
      if (userId === null) throw error; // the job retries with backoff
      return { ...importView(failed), warnings: [...warnings] };
    }
  }

  async #applyPage(tx: Tx, orgId: string, account: ChannelAccount & { personaId: string }, importId: string, items: FanvueEarning[]) {
    const rows: IncomingTransaction[] = [];
    const fanIds = new Map<string, string>();
    // Rows (and refunds of rows) held for an erased fan stay hers, anonymised: a re-read never revives her.
    const erased = await erasedOwners(tx, orgId, SOURCE, items.flatMap((e) => [sourceIdOf(e), e.reversedTransactionOrderId ?? '']));
    // PPV results: a purchase names the message it unlocked; a refund follows the sale it reverses.
    const ppv = await ppvMessages(tx, account.id, items.map((e) => e.messageUuid ?? ''));
    const reversedCampaigns = await campaignsOfSales(tx, orgId, SOURCE, items.map((e) => e.reversedTransactionOrderId ?? ''));
    const pageCampaigns = new Map<string, string>();
    const buyers: { campaignId: string; fanId: string }[] = [];
    for (const e of items) {
      const at = new Date(e.date);
      const sourceId = sourceIdOf(e);
      const erasedFanId = erased.get(sourceId) ?? (e.reversedTransactionOrderId ? erased.get(e.reversedTransactionOrderId) : undefined);
      let fanId: string | null = erasedFanId ?? null;
      if (e.user && !erasedFanId) {
        fanId = fanIds.get(e.user.uuid) ?? null;
        if (!fanId) {
          const fan = await upsertFan(tx, orgId, { personaId: account.personaId, platform: 'fanvue', platformFanId: e.user.uuid, channelId: account.id, handle: e.user.handle, displayName: e.user.displayName, seenAt: at });
          fanId = fan.id;
          fanIds.set(e.user.uuid, fanId);
        }
      }
      const kind = kindOf(e);
      const sent = e.messageUuid ? ppv.get(e.messageUuid) : undefined;
      const reversed = e.reversedTransactionOrderId;
      const campaignId = sent?.campaignId ?? (reversed ? (reversedCampaigns.get(reversed) ?? pageCampaigns.get(reversed)) : undefined) ?? null;
      if (campaignId) pageCampaigns.set(sourceId, campaignId);
      if (sent && e.gross > 0) buyers.push(sent);
      const row: IncomingTransaction = {
        personaId: account.personaId,
        fanId,
        channelId: account.id,
        platform: 'fanvue',
        kind,
        grossMinor: e.gross,
        feeMinor: e.gross - e.net,
        netMinor: e.net,
        currency: FANVUE_EARNINGS_CURRENCY,
        occurredAt: at,
        source: SOURCE,
        sourceId,
        importId,
        description: `Fanvue ${e.source}${e.transactionOrderStatus === 'pendingBalance' ? ' (pending)' : ''}`,
        raw: e.raw,
        createdBy: null,
        campaignId,
      };
      rows.push(erasedFanId ? keptErased(row, erasedFanId, { handle: e.user?.handle, displayName: e.user?.displayName, platformFanId: e.user?.uuid }) : row);
    }
    const applied = await applyRows(tx, orgId, rows);
    await markPurchased(tx, buyers);
    return applied;
  }
}
