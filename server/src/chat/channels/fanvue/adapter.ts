/**
 * Fanvue chats through the official API, with the publishing connector's client (connectors/fanvue): replies are
 * `POST /chats/{fanUuid}/message {text}`, pay-to-view offers the same with `mediaUuids` from the vault and `price`
 * (USD cents). Fans are read by polling (fanvue/polling.ts). Fanvue verifies that its members are adults, and its
 * fans subscribed to a persona disclosed as AI: adult talk is allowed here and no first-contact notice is sent
 * (the engine still answers truthfully whenever a fan asks). Fanvue shows no typing indicator through its API.
 *
 * A 429 means the message was not taken: it is sent again once after Retry-After when that fits the call's time.
 */
import type { Platform } from '../../../platform/platform.ts';
import { FANVUE_MAX_TEXT, FANVUE_MIN_PRICE_CENTS } from '../../../publishing/connectors/fanvue/index.ts';
import { FanvueMessenger } from '../../../publishing/connectors/fanvue/messages.ts';
import { isConnectorError, sleep } from '../../../publishing/connectors/http.ts';
import { ConnectorError } from '../../../publishing/connectors/types.ts';
import type { ChannelAccount, ChatAddress, ChatChannelAdapter, PaidMessage } from '../types.ts';
import type { FanvueAccess } from './access.ts';
import { FanvueVault } from './vault.ts';

/** Longest Retry-After waited inside one send (the engine gives a send 30 s). */
const MAX_WAIT_S = 20;

export class FanvueChatAdapter implements ChatChannelAdapter {
  readonly platform = 'fanvue' as const;
  readonly #access: FanvueAccess;
  readonly #vault: FanvueVault;

  constructor(platform: Platform, access: FanvueAccess) {
    this.#access = access;
    this.#vault = new FanvueVault(platform);
  }

  ageVerified() {
    return true;
  }
  firstContactNotice() {
    return false;
  }

  async send(account: ChannelAccount, to: ChatAddress, text: string, signal: AbortSignal) {
    const messenger = await this.#messenger(account, signal);
    const { messageUuid } = await retryOnce429(signal, () => messenger.send(to.remoteChatId, { text: [...text].slice(0, FANVUE_MAX_TEXT).join(''), mediaUuids: [] }));
    return { remoteId: messageUuid };
  }

  async sendPaid(account: ChannelAccount, to: ChatAddress, paid: PaidMessage, signal: AbortSignal) {
    // Fanvue prices are US cents: a catalogue price in another currency would charge another amount than quoted.
    if (paid.currency.toUpperCase() !== 'USD') throw new ConnectorError('fanvue', 'rejected', `Fanvue prices are in USD; this pack is priced in ${paid.currency} on the Fanvue price list`);
    if (paid.priceMinor < FANVUE_MIN_PRICE_CENTS) throw new ConnectorError('fanvue', 'rejected', `Fanvue pay-to-view messages cost at least ${FANVUE_MIN_PRICE_CENTS} cents`);
    const messenger = await this.#messenger(account, signal);
    const text = [...paid.text].slice(0, FANVUE_MAX_TEXT).join('');
    const attempt = async () => {
      const { uuids, reused } = await this.#vault.mediaUuids(account, paid.assetIds, messenger);
      try {
        return await retryOnce429(signal, () => messenger.send(to.remoteChatId, { text, mediaUuids: uuids, priceCents: paid.priceMinor }));
      } catch (error) {
        // Vault media gone on Fanvue's side: refused before sending, so the caller may upload again once.
        if (reused && isConnectorError(error, 'rejected') && /media/i.test(`${error.message} ${JSON.stringify(error.details ?? '')}`)) return null;
        throw error;
      }
    };
    let sent = await attempt();
    if (!sent) {
      await this.#vault.forget(account, paid.assetIds);
      sent = await attempt();
    }
    if (!sent) throw new ConnectorError('fanvue', 'rejected', 'Fanvue refused the media of this pack');
    return { remoteId: sent.messageUuid };
  }

  async #messenger(account: ChannelAccount, signal: AbortSignal) {
    const session = await this.#access.session(account, signal);
    return new FanvueMessenger(this.#access.connector, session.account, session.ctx);
  }
}

export async function retryOnce429<T>(signal: AbortSignal, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (!isConnectorError(error, 'rate_limited') || (error.retryAfterSeconds ?? MAX_WAIT_S + 1) > MAX_WAIT_S) throw error;
    await sleep((error.retryAfterSeconds ?? 1) * 1000, signal);
    return fn();
  }
}
