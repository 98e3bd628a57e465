/**
 * One interface per chat platform. An adapter only speaks its platform: it turns platform updates into
 * `InboundMessage`s for the engine (`ChatEngine.receive`), and sends what the engine decided. Ordering, safety,
 * takeover, storage and pacing are the engine's; adapters stay thin (telegram/, discord/, fanvue/, sandbox).
 */
import type { ChannelAccount, PlatformName } from '../../publishing/connectors/types.ts';

export type { ChannelAccount, PlatformName };

/** Where replies go on the platform: the chat (Telegram chat id, Discord channel id, Fanvue fan uuid). */
export interface ChatAddress {
  remoteChatId: string;
}

/** A fan's message as an adapter hands it to the engine. */
export interface InboundMessage {
  channelId: string;
  remoteChatId: string;
  /** The platform's id of this message or update: redeliveries with the same id are dropped. */
  remoteMessageId: string;
  fan: {
    /** The platform's id of the fan's account (stable across chats). */
    platformFanId: string;
    handle?: string | null;
    displayName?: string | null;
    /** The platform's language hint (e.g. Telegram's language_code), ISO 639-1. */
    language?: string | null;
  };
  text: string;
  sentAt?: Date;
}

/**
 * A paid (pay-to-view) message, where the platform sells through chat (Fanvue): a catalogue pack at its
 * catalogue price (minor units). The adapter puts the pack's media on the platform (once, then reuses them).
 */
export interface PaidMessage {
  packId: string;
  text: string;
  /** Atelier media assets of the pack (approved ones only are sent). */
  assetIds: string[];
  priceMinor: number;
  currency: string;
}

export interface ChatChannelAdapter {
  readonly platform: PlatformName;
  /** The platform verifies that its audience are adults: the only case where sexual content may be sent. */
  ageVerified(account: ChannelAccount): boolean;
  /** Whether fans get the AI notice on first contact (platforms where they did not sign up to an AI persona). */
  firstContactNotice(account: ChannelAccount): boolean;
  /** Shows typing; where the platform has no such thing, absent. Failures are ignored by the engine. */
  typing?(account: ChannelAccount, to: ChatAddress, signal: AbortSignal): Promise<void>;
  /** Sends one text message; returns the platform's message id when it gives one. Throws on failure. */
  send(account: ChannelAccount, to: ChatAddress, text: string, signal: AbortSignal): Promise<{ remoteId: string | null }>;
  /** Pay-to-view message with media and price (Fanvue); absent elsewhere. */
  sendPaid?(account: ChannelAccount, to: ChatAddress, message: PaidMessage, signal: AbortSignal): Promise<{ remoteId: string | null }>;
}

/** Adapters by platform; tests and later capabilities set their own. */
export class ChatChannels {
  readonly #byPlatform = new Map<PlatformName, ChatChannelAdapter>();
  constructor(adapters: ChatChannelAdapter[] = []) {
    for (const a of adapters) this.set(a);
  }
  set(adapter: ChatChannelAdapter) {
    this.#byPlatform.set(adapter.platform, adapter);
  }
  get(platform: string): ChatChannelAdapter | undefined {
    return this.#byPlatform.get(platform as PlatformName);
  }
}
