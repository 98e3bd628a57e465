/**
 * Fanvue chat messages (2025-06-26 reference, api.fanvue.com/docs):
 *
 * - `POST /chats/{userUuid}/message {text? (1–5000), mediaUuids?, price? (cents, ≥ 300, needs media),
 *   templateUuid?}` → `{messageUuid}`; scope `write:chat`; agency tokens use
 *   `/creators/{creatorUserUuid}/chats/{userUuid}/message`;
 * - media comes from the creator's vault: uploaded once per campaign with the connector's multipart
 *   upload, then referenced by uuid in every message.
 *
 * Fanvue's mass-message endpoint targets Fanvue's own lists, not our segments, so a campaign sends one
 * message per fan; the caller paces them under the 200 requests / 60 s app limit.
 */
import { ConnectorError, type ChannelAccount, type ConnectorContext, type PublishMedia } from '../types.ts';
import { FANVUE_MAX_MEDIA, FANVUE_MAX_TEXT, FANVUE_MIN_PRICE_CENTS, FanvueCall, parseSettings, type FanvueConnector } from './index.ts';

export interface PpvMessage {
  text: string;
  mediaUuids: string[];
  /** Cents; 0 or absent: a free message. */
  priceCents?: number;
}

/**
 * One sending session: credentials refreshed during it (refresh tokens rotate and are single-use) stay in
 * this object, so later messages of the same batch use the new token instead of the spent one.
 */
export class FanvueMessenger {
  readonly #connector: FanvueConnector;
  readonly #call: FanvueCall;

  constructor(connector: FanvueConnector, account: ChannelAccount, ctx: ConnectorContext) {
    this.#connector = connector;
    this.#call = new FanvueCall(account, parseSettings(account.settings), ctx);
  }

  /** Puts our media into the creator's vault; the uuids are reused by every message of the campaign. */
  async upload(media: PublishMedia[]): Promise<string[]> {
    if (media.length > FANVUE_MAX_MEDIA) throw new ConnectorError('fanvue', 'rejected', `at most ${FANVUE_MAX_MEDIA} media per Fanvue message`);
    const uuids: string[] = [];
    for (const m of media) uuids.push(await this.#connector.uploadMedia(this.#call, m));
    return uuids;
  }

  /** Sends one (pay-to-view when priced) message to one fan; a timeout after sending is an unknown outcome. */
  async send(fanUserUuid: string, message: PpvMessage): Promise<{ messageUuid: string }> {
    assertMessage(message);
    const body: Record<string, unknown> = {};
    if (message.text) body.text = message.text;
    if (message.mediaUuids.length) body.mediaUuids = message.mediaUuids;
    if (message.priceCents) body.price = message.priceCents;
    const path = this.#call.path(`/chats/${encodeURIComponent(fanUserUuid)}/message`);
    const res = await this.#connector.api<{ messageUuid?: string }>(this.#call, 'POST', path, { json: body, sendsPost: true });
    const messageUuid = res.data?.messageUuid;
    if (!messageUuid) throw new ConnectorError('fanvue', 'unknown_outcome', 'Fanvue accepted the message but its answer has no messageUuid', { details: res.data });
    return { messageUuid: String(messageUuid) };
  }
}

/** Fanvue's own limits, checked before anything is sent (and by the campaign builder). */
export function assertMessage(message: PpvMessage): void {
  if ([...message.text].length > FANVUE_MAX_TEXT) throw new ConnectorError('fanvue', 'rejected', `Fanvue messages are limited to ${FANVUE_MAX_TEXT} characters`);
  if (!message.text && !message.mediaUuids.length) throw new ConnectorError('fanvue', 'rejected', 'a Fanvue message needs text or media');
  if (message.priceCents) {
    if (message.priceCents < FANVUE_MIN_PRICE_CENTS) throw new ConnectorError('fanvue', 'rejected', `Fanvue pay-to-view messages cost at least ${FANVUE_MIN_PRICE_CENTS} cents`);
    if (!message.mediaUuids.length) throw new ConnectorError('fanvue', 'rejected', 'Fanvue pay-to-view messages need media');
  }
}
