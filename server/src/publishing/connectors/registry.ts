import { join, resolve } from 'node:path';
import type { Env } from '../../platform/config/env.ts';
import type { Connector, PlatformName } from './types.ts';
import { SandboxConnector } from './sandbox/index.ts';
import { OnlyFansExportConnector } from './onlyfans/index.ts';
import { XConnector } from './x/index.ts';
import { BlueskyConnector } from './bluesky/index.ts';
import { TelegramConnector } from './telegram/index.ts';
import { DiscordConnector } from './discord/index.ts';
import { InstagramConnector } from './instagram/index.ts';
import { RedditConnector } from './reddit/index.ts';
import { FanvueConnector } from './fanvue/index.ts';

/** One connector per platform; adding a network is one folder plus one line here. */
export class Connectors {
  readonly #byPlatform = new Map<PlatformName, Connector>();
  constructor(env: Pick<Env, 'ATELIER_DATA_DIR'>, extra: Connector[] = []) {
    const data = resolve(env.ATELIER_DATA_DIR);
    const all: Connector[] = [new SandboxConnector(join(data, 'outbox')), new OnlyFansExportConnector(join(data, 'exports', 'onlyfans')), new XConnector(), new BlueskyConnector(), new TelegramConnector(), new DiscordConnector(), new InstagramConnector(), new RedditConnector(), new FanvueConnector()];
    for (const c of [...all, ...extra]) {
      this.#byPlatform.set(c.platform, c);
    }
  }

  get(platform: PlatformName): Connector {
    const connector = this.#byPlatform.get(platform);
    if (!connector) throw new Error(`No connector for ${platform} yet`);
    return connector;
  }

  has(platform: PlatformName) {
    return this.#byPlatform.has(platform);
  }

  /** Tests swap a platform's connector for one pointed at a fake. */
  set(connector: Connector) {
    this.#byPlatform.set(connector.platform, connector);
  }
}
