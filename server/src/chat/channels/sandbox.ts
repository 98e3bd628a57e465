/**
 * The sandbox channel for chat: replies are kept in memory per channel (for demos, the operator's "try it"
 * and tests), nothing leaves the machine. Its audience counts as age-verified only when the channel's
 * settings say `ageVerified: true`, so both policies can be tried.
 */
import { randomUUID } from 'node:crypto';
import type { ChannelAccount, ChatAddress, ChatChannelAdapter } from './types.ts';

export interface SandboxSent {
  channelId: string;
  remoteChatId: string;
  text: string;
  at: number;
}

export class SandboxChatAdapter implements ChatChannelAdapter {
  readonly platform = 'sandbox' as const;
  readonly sent: SandboxSent[] = [];
  readonly typings: { channelId: string; remoteChatId: string }[] = [];

  ageVerified(account: ChannelAccount) {
    return account.settings.ageVerified === true;
  }
  firstContactNotice(account: ChannelAccount) {
    return account.settings.firstContactNotice !== false;
  }
  async typing(account: ChannelAccount, to: ChatAddress) {
    this.typings.push({ channelId: account.id, remoteChatId: to.remoteChatId });
  }
  async send(account: ChannelAccount, to: ChatAddress, text: string) {
    this.sent.push({ channelId: account.id, remoteChatId: to.remoteChatId, text, at: Date.now() });
    // Keep a bounded history: the sandbox is for trying things, not for storage.
    if (this.sent.length > 10_000) this.sent.splice(0, this.sent.length - 10_000);
    // Unique across restarts too (a count alone would start again at 1).
    return { remoteId: `sandbox-${randomUUID()}` };
  }
}
