import type { Capability } from '../platform/http/app.ts';
import type { Platform } from '../platform/platform.ts';
import { publishingServices } from '../publishing/index.ts';
import { generationServices } from '../generation/index.ts';
import { PersonasService } from '../personas/index.ts';
import { catalogueFor } from '../sales/catalogue/index.ts';
import { ChatChannels } from './channels/types.ts';
import { SandboxChatAdapter } from './channels/sandbox.ts';
import { TelegramChatAdapter } from './channels/telegram/adapter.ts';
import { telegramWebhookRoutes } from './channels/telegram/webhook.ts';
import { TelegramPolling } from './channels/telegram/polling.ts';
import { DiscordChatAdapter } from './channels/discord/adapter.ts';
import { DiscordGateways } from './channels/discord/gateway.ts';
import { FanvueAccess } from './channels/fanvue/access.ts';
import { FanvueChatAdapter } from './channels/fanvue/adapter.ts';
import { FanvuePolling } from './channels/fanvue/polling.ts';
import type { FanvueConnector } from '../publishing/connectors/fanvue/index.ts';
import { ChatEngine } from './engine/engine.ts';
import { ChatModels } from './llm.ts';
import { ChatProfileService } from './profile.service.ts';
import { ConversationsService } from './conversations.service.ts';
import { chatRoutes } from './chat.routes.ts';
import { registerChatFanData } from './gdpr.ts';

export { ChatEngine, PROCESS_JOB, SWEEP_JOB, BLOCKED_FLAG, messageView } from './engine/engine.ts';
export { ChatChannels, type ChatChannelAdapter, type InboundMessage, type ChatAddress, type PaidMessage } from './channels/types.ts';
export { eraseFanChat, collectFanChat } from './gdpr.ts';

export interface Chat {
  adapters: ChatChannels;
  models: ChatModels;
  engine: ChatEngine;
  profiles: ChatProfileService;
  conversations: ConversationsService;
  polling: TelegramPolling;
  fanvuePolling: FanvuePolling;
  discord: DiscordGateways;
}

const built = new WeakMap<Platform, Chat>();

/** One set per platform instance, shared by routes and jobs of the process. */
export function chatServices(platform: Platform): Chat {
  let c = built.get(platform);
  if (c) return c;
  registerChatFanData();
  const { channels, connectors } = publishingServices(platform);
  const { providers } = generationServices(platform);
  const fanvue = new FanvueAccess(channels, connectors.get('fanvue') as FanvueConnector);
  const adapters = new ChatChannels([new TelegramChatAdapter(), new DiscordChatAdapter(), new FanvueChatAdapter(platform, fanvue), new SandboxChatAdapter()]);
  const models = new ChatModels(providers);
  const engine = new ChatEngine(platform, { channels, adapters, models, catalogue: catalogueFor });
  c = {
    adapters,
    models,
    engine,
    profiles: new ChatProfileService(platform.db, new PersonasService(platform.db), (orgId, id) => models.forget(orgId, id)),
    conversations: new ConversationsService(platform, { engine, channels, adapters }),
    polling: new TelegramPolling(platform, { channels, engine }),
    fanvuePolling: new FanvuePolling(platform, { channels, engine, access: fanvue }),
    discord: new DiscordGateways(platform, { channels, engine }),
  };
  // Bots stop listening before the engine stops answering.
  platform.onClose(async () => {
    await c!.discord.close();
    await c!.engine.close();
  });
  built.set(platform, c);
  return c;
}

export const chatCapability: Capability = {
  name: 'chat',
  routes(app, platform) {
    const c = chatServices(platform);
    chatRoutes(app, c.profiles, c.conversations);
    telegramWebhookRoutes(app, platform, { channels: publishingServices(platform).channels, engine: c.engine });
  },
  jobs(platform) {
    const c = chatServices(platform);
    c.engine.register();
    c.polling.register();
    c.fanvuePolling.register();
    c.discord.register();
  },
};
