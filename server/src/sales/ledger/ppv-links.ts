/**
 * PPV results come from the ledger: a Fanvue `message` earning names the chat message it unlocked, and the
 * PPV sender kept each recipient's message id, so the sale is linked to its campaign (and the recipient
 * marked as having bought). A refund follows the campaign of the sale it reverses.
 */
import { and, eq, inArray, isNotNull } from 'drizzle-orm';
import type { Tx } from '../../platform/db/database.ts';
import { ppvCampaigns, ppvRecipients, transactions } from '../../platform/db/schema/index.ts';

/** Message ids sent by this channel's PPV campaigns → campaign and fan. */
export async function ppvMessages(tx: Tx, channelId: string, messageIds: readonly string[]): Promise<Map<string, { campaignId: string; fanId: string }>> {
  const wanted = [...new Set(messageIds.filter((id) => id))];
  if (!wanted.length) return new Map();
  const rows = await tx
    .select({ messageId: ppvRecipients.remoteMessageId, campaignId: ppvRecipients.campaignId, fanId: ppvRecipients.fanId })
    .from(ppvRecipients)
    .innerJoin(ppvCampaigns, eq(ppvCampaigns.id, ppvRecipients.campaignId))
    .where(and(eq(ppvCampaigns.channelId, channelId), inArray(ppvRecipients.remoteMessageId, wanted)));
  return new Map(rows.map((r) => [r.messageId!, { campaignId: r.campaignId, fanId: r.fanId }]));
}

/** Campaigns of already-booked sales (by source id), for the refunds that reverse them. */
export async function campaignsOfSales(tx: Tx, orgId: string, source: string, sourceIds: readonly string[]): Promise<Map<string, string>> {
  const wanted = [...new Set(sourceIds.filter((id) => id))];
  if (!wanted.length) return new Map();
  const rows = await tx
    .select({ sourceId: transactions.sourceId, campaignId: transactions.campaignId })
    .from(transactions)
    .where(and(eq(transactions.orgId, orgId), eq(transactions.source, source), inArray(transactions.sourceId, wanted), isNotNull(transactions.campaignId)));
  return new Map(rows.map((r) => [r.sourceId, r.campaignId!]));
}

/** Recipients who bought: `sent` → `purchased` (counted as delivered all the same). */
export async function markPurchased(tx: Tx, buyers: readonly { campaignId: string; fanId: string }[]): Promise<void> {
  for (const b of buyers) {
    await tx
      .update(ppvRecipients)
      .set({ status: 'purchased' })
      .where(and(eq(ppvRecipients.campaignId, b.campaignId), eq(ppvRecipients.fanId, b.fanId), eq(ppvRecipients.status, 'sent')));
  }
}
