/**
 * Fanvue earnings (insights API, 2025-06-26): `GET /insights/earnings?startDate&endDate&cursor&size`
 * (agency: `/creators/{uuid}/insights/earnings`), scope `read:insights`. `endDate` is exclusive; pages
 * follow `nextCursor` until null; `size` is 1–50. Each row: `date`, `gross`, `net` in USD cents (already
 * converted; `currency` only tells what the fan paid in), `source` (subscription, renewal, post, message,
 * tip, mediaLink, checkoutLink, fanExperience, affiliate, referral, giveaway, appStore, refund,
 * chargeback), `transactionOrderId`, `transactionOrderStatus` (pendingBalance | availableForPayout),
 * `reversedTransactionOrderId` on refunds and chargebacks (their own rows, negative), `user` (null when
 * no fan paid: referral, affiliate, giveaway).
 */
import { ConnectorError, type ChannelAccount, type ConnectorContext } from '../types.ts';
import type { FanvueConnector } from './index.ts';

export const FANVUE_EARNINGS_CURRENCY = 'USD';
const PAGE_SIZE = 50;

export interface FanvueEarning {
  date: string;
  gross: number;
  net: number;
  currency: string | null;
  source: string;
  transactionOrderId: string | null;
  transactionOrderStatus: string | null;
  reversedTransactionOrderId: string | null;
  /** The chat message a `message` purchase unlocked (links it to the PPV campaign that sent it). */
  messageUuid: string | null;
  user: { uuid: string; handle: string | null; displayName: string | null } | null;
  /** The row exactly as received. */
  raw: Record<string, unknown>;
}

const str = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v : null);

/** A row we cannot read is an error, not a skip: silently dropped money is worse than a failed sync. */
function parseEarning(row: unknown): FanvueEarning {
  const r = (row && typeof row === 'object' ? row : {}) as Record<string, unknown>;
  const date = str(r.date);
  if (!date || Number.isNaN(Date.parse(date)) || !Number.isInteger(r.gross) || !Number.isInteger(r.net) || !str(r.source)) {
    throw new ConnectorError('fanvue', 'unavailable', `Fanvue earnings row has an unexpected shape: ${JSON.stringify(row).slice(0, 200)}`);
  }
  const user = r.user && typeof r.user === 'object' ? (r.user as Record<string, unknown>) : null;
  return {
    date,
    gross: r.gross as number,
    net: r.net as number,
    currency: str(r.currency),
    source: r.source as string,
    transactionOrderId: str(r.transactionOrderId),
    transactionOrderStatus: str(r.transactionOrderStatus),
    reversedTransactionOrderId: str(r.reversedTransactionOrderId),
    messageUuid: str(r.messageUuid),
    user: user && str(user.uuid) ? { uuid: user.uuid as string, handle: str(user.handle), displayName: str(user.displayName) } : null,
    raw: r,
  };
}

/** One page of earnings in [start, end). */
export async function fetchEarningsPage(
  connector: FanvueConnector,
  account: ChannelAccount,
  q: { start: Date; end: Date; cursor: string | null },
  ctx: ConnectorContext,
): Promise<{ items: FanvueEarning[]; nextCursor: string | null }> {
  const query: Record<string, string> = { startDate: q.start.toISOString(), endDate: q.end.toISOString(), size: String(PAGE_SIZE) };
  if (q.cursor) query.cursor = q.cursor;
  const body = await connector.getJson<{ data?: unknown; nextCursor?: unknown }>(account, '/insights/earnings', query, ctx);
  if (!body || !Array.isArray(body.data)) throw new ConnectorError('fanvue', 'unavailable', 'Fanvue earnings answer has no data array');
  return { items: body.data.map(parseEarning), nextCursor: str(body.nextCursor) };
}
