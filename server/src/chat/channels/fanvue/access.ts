/**
 * Fanvue calls for chat go through the publishing connector (`FanvueConnector.api`, `FanvueMessenger`): one HTTP
 * client, one refresh path. What chat adds is concurrency: many conversations (and the poller) use one channel
 * at once, and Fanvue's refresh tokens are single-use. So every call starts from the credentials as stored now,
 * and a token about to expire is refreshed here first, once per channel at a time, before the connector could
 * try it with a spent refresh token.
 */
import type { ChannelsService } from '../../../channels/index.ts';
import type { FanvueConnector } from '../../../publishing/connectors/fanvue/index.ts';
import { expiresWithin } from '../../../publishing/connectors/http.ts';
import type { ChannelAccount, ConnectorContext } from '../../../publishing/connectors/types.ts';

/** Longer than the connector's own window (2 min), so the connector never refreshes on its own first. */
const REFRESH_AHEAD_MS = 5 * 60_000;

export interface FanvueSession {
  account: ChannelAccount;
  ctx: ConnectorContext;
}

export class FanvueAccess {
  readonly connector: FanvueConnector;
  readonly #channels: ChannelsService;
  readonly #refreshing = new Map<string, Promise<void>>();

  constructor(channels: ChannelsService, connector: FanvueConnector) {
    this.#channels = channels;
    this.connector = connector;
  }

  /**
   * The channel with its current credentials (fresh ones when they were about to expire), and a context that
   * stores a refresh made during a call and keeps it in `account` too, for the session's next call.
   */
  async session(account: ChannelAccount, signal: AbortSignal): Promise<FanvueSession> {
    const store = (next: Record<string, string>) => this.#channels.storeCredentials(account.orgId, account.id, next);
    const ctx: ConnectorContext = { signal, onCredentials: store };
    let credentials = await this.#channels.credentials(account.orgId, account.id);
    if (needsRefresh(credentials)) {
      let running = this.#refreshing.get(account.id);
      if (!running) {
        running = (async () => {
          const current = await this.#channels.credentials(account.orgId, account.id);
          if (!needsRefresh(current)) return;
          // The connector hands the new pair to ctx.onCredentials (stored) before anything else can fail.
          await this.connector.refresh({ ...account, credentials: current }, ctx);
        })().finally(() => this.#refreshing.delete(account.id));
        this.#refreshing.set(account.id, running);
      }
      await running;
      credentials = await this.#channels.credentials(account.orgId, account.id);
    }
    const session: FanvueSession = {
      account: { ...account, credentials },
      ctx: {
        signal,
        onCredentials: async (next) => {
          session.account = { ...session.account, credentials: { ...session.account.credentials, ...Object.fromEntries(Object.entries(next).filter(([, v]) => v)) } };
          await store(next);
        },
      },
    };
    return session;
  }
}

function needsRefresh(c: Record<string, string>): boolean {
  return !!c.refresh_token && !!c.client_id && (!c.access_token || expiresWithin(c.expires_at, REFRESH_AHEAD_MS));
}
