import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { chatServices } from '../../server/src/chat/index.ts';
import type { SandboxChatAdapter } from '../../server/src/chat/channels/sandbox.ts';
import type { ChannelAccount, ChatAddress, ChatChannelAdapter, InboundMessage, PaidMessage } from '../../server/src/chat/channels/types.ts';
import { catalogueFor } from '../../server/src/sales/catalogue/index.ts';
import { entry } from '../../server/test/chat/support.ts';
import { startFakeOllama, type FakeOllama } from '../../server/test/fakes/ollama.ts';
import { ApiClient, personaBody } from '../../server/test/helpers/api.ts';
import { chromiumFor, launchChromium, openPage, screenshots, signIn, webServer, type WebServer } from '../../server/test/helpers/browser.ts';
import { paidOffer, safetyNotes } from '../src/inbox/chat/safety.ts';

/**
 * The chat inbox in a real Chromium against the real server (workers on) and a scripted fake Ollama: a fan
 * message injected through the engine on a sandbox channel shows up live with the bot's answer; the operator takes
 * over (the bot then sends nothing), writes as herself, hands back, and the bot answers again. A restricted chatter
 * sees the conversation but no money. The chatbot tab imports a card. Everything SFW and deterministic.
 */
const hasChromium = chromiumFor('chat browser test');

const EMAIL = 'chat-owner@example.test';
const CHATTER = 'chat-chatter@example.test';
const PASSWORD = 'correct horse battery staple';
const shot = screenshots('chat');
const lastUser = (body: any): string => [...(body?.messages ?? [])].reverse().find((m: any) => m.role === 'user')?.content ?? '';

describe('safety notes for operators', () => {
  it('lists what the guard caught and did, and nothing for a plain reply', () => {
    expect(safetyNotes({ direction: 'out', state: 'sent', safety: { reply: { drafts: [[]], removed: [], removedClaims: [], disclosureAdded: false, fallback: false, offered: [] } } })).toEqual([]);
    const caught = safetyNotes({
      direction: 'out',
      state: 'sent',
      safety: { reply: { drafts: [[{ kind: 'unknown_price', detail: '9.99' }], []], removed: ['It is 9.99.'], removedClaims: [], disclosureAdded: true, fallback: false, offered: ['p1'] } },
    }).map((n) => n.key);
    expect(caught).toEqual(['caught.unknown_price', 'regenerated', 'removed', 'disclosureAdded', 'offered']);
    expect(safetyNotes({ direction: 'in', state: 'skipped', safety: { skipped: 'operator_holds' } }).map((n) => n.key)).toEqual(['skipped.operator_holds']);
    expect(safetyNotes({ direction: 'in', state: 'handled', safety: { screen: { selfHarm: true, minor: null, asksIfAI: true } } }).map((n) => [n.key, !!n.alert])).toEqual([
      ['selfHarm', true],
      ['asksIfAI', false],
    ]);
    expect(safetyNotes({ direction: 'out', state: 'suppressed', safety: { suppressed: 'operator' } }).map((n) => n.key)).toEqual(['suppressed']);
  });

  it('reads a paid offer from what the engine recorded, and nothing else as one', () => {
    const paid = { packId: 'p1', title: 'Sunset Dreams', priceMinor: 1499, currency: 'EUR', media: 5 };
    expect(paidOffer({ text: 'Sunset Dreams', safety: { fixed: 'paid_offer', paid } })).toEqual(paid);
    // Stored before the title was recorded: the message text is the title.
    const { title: _t, ...older } = paid;
    expect(paidOffer({ text: 'Old title', safety: { fixed: 'paid_offer', paid: older } })?.title).toBe('Old title');
    expect(paidOffer({ text: 'x', safety: { fixed: 'self_harm' } })).toBeNull();
    expect(paidOffer({ text: 'x', safety: { fixed: 'paid_offer', paid: { priceMinor: '14.99', currency: 'EUR' } } })).toBeNull();
    expect(paidOffer({ text: 'x', safety: null })).toBeNull();
  });
});

/** The sandbox as a platform that sells in chat (as Fanvue does): pay-to-view messages are recorded. */
class SellingSandbox implements ChatChannelAdapter {
  readonly platform = 'sandbox' as const;
  readonly paid: PaidMessage[] = [];
  readonly #inner: SandboxChatAdapter;
  constructor(inner: SandboxChatAdapter) {
    this.#inner = inner;
  }
  ageVerified(account: ChannelAccount) {
    return this.#inner.ageVerified(account);
  }
  firstContactNotice(account: ChannelAccount) {
    return this.#inner.firstContactNotice(account);
  }
  send(account: ChannelAccount, to: ChatAddress, text: string) {
    return this.#inner.send(account, to, text);
  }
  async sendPaid(_account: ChannelAccount, _to: ChatAddress, message: PaidMessage) {
    this.paid.push(message);
    return { remoteId: `paid-${this.paid.length}` };
  }
}

describe.skipIf(!hasChromium)('chat inbox in Chromium', () => {
  let runtime: WebServer;
  let ollama: FakeOllama;
  let browser: Browser;
  let page: Page;
  let base: string;
  let api: ApiClient;
  let orgId: string;
  let personaId: string;
  let channelId: string;
  let sandbox: SandboxChatAdapter;
  let counter = 0;
  const pageErrors: string[] = [];

  const fanSays = (text: string) => {
    const inbound: InboundMessage = { channelId, remoteChatId: 'chat-ana', remoteMessageId: `ana-${++counter}`, fan: { platformFanId: 'ana', displayName: 'Ana' }, text };
    return chatServices(runtime.platform).engine.receive(orgId, inbound);
  };
  const sentToAna = () => sandbox.sent.filter((s) => s.remoteChatId === 'chat-ana').map((s) => s.text);
  const fanWrites = (fan: string, text: string) =>
    chatServices(runtime.platform).engine.receive(orgId, { channelId, remoteChatId: `chat-${fan}`, remoteMessageId: `${fan}-${++counter}`, fan: { platformFanId: fan, displayName: fan }, text });

  async function openInbox(p: Page, email: string) {
    await signIn(p, base, email, PASSWORD);
    await p.getByRole('link', { name: 'Inbox', exact: true }).first().click();
    await p.getByRole('heading', { name: /^Inbox/, level: 1 }).waitFor();
  }

  beforeAll(async () => {
    ollama = await startFakeOllama({ reply: (body) => `Thanks for writing! You said: ${lastUser(body)}` });
    runtime = await webServer({ workers: true });
    orgId = (await runtime.platform.auth.createOrgWithOwner({ orgName: 'Chat Studio', email: EMAIL, password: PASSWORD }, { ip: null, userAgent: null, requestId: null })).orgId;
    base = runtime.base;
    api = new ApiClient(runtime.app);
    expect((await api.login(EMAIL, PASSWORD)).status).toBe(200);
    personaId = (await api.post('/api/v1/personas', personaBody('Mila'))).body.id;
    const provider = await api.post('/api/v1/providers', { type: 'ollama', name: 'Chat model', config: { baseUrl: ollama.url, model: 'llama3.2' } });
    expect(provider.status, JSON.stringify(provider.body)).toBe(201);
    const profile = await api.call('PUT', `/api/v1/personas/${personaId}/chat-profile`, {
      card: { name: 'Mila', description: 'A fictional travel photographer who loves sunsets.', personality: 'warm, curious' },
      providerId: provider.body.id,
      params: { pacing: { enabled: false }, memoryEvery: 0, summaryAfter: 0 },
    });
    expect(profile.status, JSON.stringify(profile.body)).toBe(200);
    channelId = (await api.post('/api/v1/channels', { personaId, platform: 'sandbox', handle: 'mila-chat' })).body.id;
    sandbox = chatServices(runtime.platform).adapters.get('sandbox') as SandboxChatAdapter;
    const chatter = await api.post('/api/v1/team', { email: CHATTER, password: PASSWORD, role: 'chatter', restrictedToAssigned: true, personaIds: [personaId] });
    expect(chatter.status, JSON.stringify(chatter.body)).toBe(201);

    browser = await launchChromium();
    page = await openPage(browser, { locale: 'en-US', viewport: { width: 1440, height: 1000 } }, pageErrors);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await runtime?.stop();
    await ollama?.close();
  });

  it('shows a fan message and the bot’s answer live; takeover stops the bot; the operator writes; hand-back resumes', async () => {
    await openInbox(page, EMAIL);
    await page.getByText('No conversations yet.').waitFor();
    await page.getByText('Updates live.').waitFor();

    // A fan writes while the inbox is open: the conversation appears without a reload, with the bot's answer.
    const { conversationId } = await fanSays('Hello Mila! How was the trip to the coast?');
    const item = page.locator('.chat-item', { hasText: 'Ana' });
    await item.waitFor();
    await item.click();
    const log = page.getByRole('log', { name: 'Messages' });
    await log.getByText('Hello Mila! How was the trip to the coast?', { exact: true }).waitFor();
    await log.getByText('Thanks for writing! You said: Hello Mila! How was the trip to the coast?').waitFor();
    await log.getByText('First-contact notice (says she is an AI).').waitFor();
    await page.getByText('Spent so far').waitFor();
    expect(sentToAna()).toHaveLength(2);
    await page.screenshot({ path: shot('conversation-en'), fullPage: true });

    // Take over: the bot pauses for this conversation only.
    await page.getByRole('button', { name: 'Take over' }).click();
    await page.getByText('you are answering').waitFor();
    const calls = ollama.calls.filter((c) => c.path === '/api/chat').length;
    await fanSays('Are you still there?');
    await log.getByText('Are you still there?', { exact: true }).waitFor();
    await log.getByText('Not answered by the bot: an operator held the conversation.').waitFor({ timeout: 15_000 });
    expect(sentToAna()).toHaveLength(2);
    expect(ollama.calls.filter((c) => c.path === '/api/chat').length).toBe(calls);

    // The operator answers herself.
    await page.getByLabel('Message as operator').fill('Hi Ana, someone from the team here. Mila will be back soon.');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await log.locator('[data-author="operator"]', { hasText: 'someone from the team here' }).waitFor();
    await expect.poll(() => sentToAna().at(-1)).toBe('Hi Ana, someone from the team here. Mila will be back soon.');
    // Still nothing from the bot, even a moment later.
    await sleep(500);
    expect(sentToAna()).toHaveLength(3);
    await expect.poll(async () => (await log.locator('[data-author="bot"]').count())).toBe(1);
    await page.screenshot({ path: shot('takeover-en'), fullPage: true });

    // Hand back: the bot answers the next message again, live.
    await page.getByRole('button', { name: 'Hand back to the bot' }).click();
    await page.getByRole('button', { name: 'Take over' }).waitFor();
    await fanSays('Great, thanks!');
    await log.getByText('Thanks for writing! You said: Great, thanks!').waitFor();
    expect(sentToAna()).toHaveLength(4);

    // A slow answer (one word every 0.7 s): the bot is shown writing while the fan message is pending, and nothing
    // polls meanwhile; the answer and the settled fan message come as events.
    const detailReads: number[] = [];
    page.on('request', (r) => {
      if (r.method() === 'GET' && r.url().includes(`/api/v1/conversations/${conversationId}?`)) detailReads.push(Date.now());
    });
    ollama.options.tokenDelayMs = 700;
    try {
      await fanSays('Take your time, no rush at all.');
      await log.getByText('The bot is writing…').waitFor();
      // The reload that follows the new message's event (after 250 ms) is over by then.
      const quietFrom = Date.now() + 1000;
      await log.getByText('Thanks for writing! You said: Take your time, no rush at all.').waitFor({ timeout: 30_000 });
      expect(Date.now() - quietFrom).toBeGreaterThan(4000);
      expect(detailReads.filter((t) => t >= quietFrom && t < quietFrom + 4000)).toEqual([]);
      await log.getByText('The bot is writing…').waitFor({ state: 'detached', timeout: 5000 });
      await expect.poll(() => log.locator('[data-author="fan"]').last().getByText('waiting for an answer').count()).toBe(0);
    } finally {
      ollama.options.tokenDelayMs = 0;
    }
    expect(pageErrors).toEqual([]);
  });

  it('a restricted chatter sees the conversation and works it, with no money shown', async () => {
    const chatterPage = await openPage(browser, { locale: 'en-US', viewport: { width: 1440, height: 1000 } }, pageErrors);
    await openInbox(chatterPage, CHATTER);
    await chatterPage.locator('.chat-item', { hasText: 'Ana' }).click();
    const log = chatterPage.getByRole('log', { name: 'Messages' });
    await log.getByText('Thanks for writing! You said: Great, thanks!').waitFor();
    await chatterPage.getByText('What the bot remembers').waitFor();
    expect(await chatterPage.getByText('Spent so far').count()).toBe(0);
    // The chatbot settings are readable, not editable.
    await chatterPage.getByRole('link', { name: 'Chatbot' }).click();
    await chatterPage.getByText('Your role can read these settings but not change them.').waitFor();
    expect(await chatterPage.getByRole('button', { name: 'Save chatbot' }).count()).toBe(0);
    await chatterPage.close();
    expect(pageErrors).toEqual([]);
  });

  it('shows a self-harm alert on the conversation until an operator clears it', async () => {
    const { conversationId } = await fanWrites('Ben', 'I want to hurt myself');
    const item = page.locator('.chat-item', { hasText: 'Ben' });
    await item.getByText('Self-harm signals').waitFor();
    await item.click();
    const alert = page.getByRole('alert').filter({ hasText: 'Self-harm signals in this fan’s messages' });
    await alert.waitFor();
    await page.getByRole('log', { name: 'Messages' }).getByText(/findahelpline\.com/).waitFor();
    page.once('dialog', (dialog) => void dialog.accept());
    await alert.getByRole('button', { name: 'Clear the alert' }).click();
    await alert.waitFor({ state: 'detached' });
    await item.getByText('Self-harm signals').waitFor({ state: 'detached' });
    expect((await api.get(`/api/v1/conversations/${conversationId}`)).body.alerts.selfHarm).toBe(false);
    expect(pageErrors).toEqual([]);
  });

  it('shows a paid offer as the pack with its price and currency, apart from plain replies', async () => {
    const chat = chatServices(runtime.platform);
    const selling = new SellingSandbox(sandbox);
    chat.adapters.set(selling);
    chat.engine.useCatalogue(async () => [{ ...entry('11111111-1111-4111-8111-111111111111', 'Sunset Dreams', 1999, 1499, 'EUR'), assetIds: ['22222222-2222-4222-8222-222222222222'] }]);
    ollama.options.reply = () => 'My Sunset Dreams pack is 14.99 € right now instead of 19.99 €.';
    try {
      await fanWrites('Cleo', 'any packs for me?');
      await expect.poll(() => selling.paid.length, { timeout: 20_000 }).toBe(1);
      await page.locator('.chat-item', { hasText: 'Cleo' }).click();
      const log = page.getByRole('log', { name: 'Messages' });
      await log.getByText('My Sunset Dreams pack is 14.99 € right now instead of 19.99 €.').waitFor();
      const offer = log.locator('.chat-paid-offer');
      await offer.waitFor();
      await offer.getByText('Paid offer').waitFor();
      await offer.getByText('Sunset Dreams', { exact: true }).waitFor();
      await offer.getByText('€14.99', { exact: true }).waitFor();
      await offer.getByText('EUR · 1 media item to unlock').waitFor();
      // Only the pay-to-view message is shown as an offer; the reply that named the pack stays a plain bubble.
      expect(await log.locator('.chat-paid-offer').count()).toBe(1);
      expect(await log.locator('[data-author="bot"]').count()).toBe(2);
      await page.screenshot({ path: shot('paid-offer-en'), fullPage: true });
    } finally {
      chat.adapters.set(sandbox);
      chat.engine.useCatalogue(catalogueFor);
      ollama.options.reply = (body) => `Thanks for writing! You said: ${lastUser(body)}`;
    }
    expect(pageErrors).toEqual([]);
  });

  it('edits the chatbot and imports a character card', async () => {
    await page.getByRole('link', { name: 'Chatbot' }).click();
    await page.getByRole('heading', { name: 'Mila’s chatbot' }).waitFor();
    await expect.poll(() => page.getByLabel('Description').inputValue()).toBe('A fictional travel photographer who loves sunsets.');
    await page.getByLabel('Scenario').fill('Chatting after a day of shooting by the sea.');
    await page.getByRole('button', { name: 'Add an entry' }).click();
    await page.getByLabel('Keywords').fill('lisbon, trams');
    await page.getByLabel('Content', { exact: true }).fill('Mila spent a week photographing the trams of Lisbon.');
    await page.getByRole('button', { name: 'Save chatbot' }).click();
    await page.getByText('Saved. New replies use these settings.').waitFor();
    const saved = (await api.get(`/api/v1/personas/${personaId}/chat-profile`)).body;
    expect(saved.card.scenario).toBe('Chatting after a day of shooting by the sea.');
    expect(saved.lorebook.entries).toMatchObject([{ keys: ['lisbon', 'trams'], enabled: true }]);
    expect(saved.providerId).not.toBeNull();

    const card = {
      spec: 'chara_card_v2',
      spec_version: '2.0',
      data: { name: 'Mila', description: 'Imported: a fictional photographer of coastlines.', personality: 'calm', scenario: '', first_mes: 'Hi there!', mes_example: '', alternate_greetings: ['Hello again!'] },
    };
    await page.getByLabel('Import a card (JSON or PNG)').setInputFiles({ name: 'mila.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(card)) });
    await page.getByText('Card imported (V2) and saved.').waitFor();
    await expect.poll(() => page.getByLabel('Description').inputValue()).toBe('Imported: a fictional photographer of coastlines.');
    await expect.poll(() => page.getByLabel('Greeting 1').inputValue()).toBe('Hello again!');
    await page.screenshot({ path: shot('chatbot-en'), fullPage: true });
    expect(pageErrors).toEqual([]);
  });
});
