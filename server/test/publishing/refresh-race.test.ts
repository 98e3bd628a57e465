/**
 * Two workers, one channel, single-use refresh tokens: the other worker refreshed (and stored) while this
 * one still held the old tokens. Its refresh fails with invalid_grant — the dispatcher must take what is
 * stored now instead of flagging a healthy channel "reconnect needed".
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { testRuntime, type TestRuntime } from '../helpers/runtime.ts';
import { ownerClient, personaBody, type ApiClient } from '../helpers/api.ts';
import { publishingServices } from '../../src/publishing/index.ts';
import { ConnectorError, type ChannelAccount, type Connector, type PublishRequest, type PublishResult } from '../../src/publishing/connectors/types.ts';

/** A platform with rotating, single-use refresh tokens; `rotateElsewhere` plays the other worker. */
class RotatingPlatform implements Connector {
  readonly platform = 'x' as const;
  access = 'at-1';
  refresh_ = 'rt-1';
  generation = 1;
  landed: PublishRequest[] = [];
  tokenCalls = 0;
  /** Called once, at the start of the next publish: another worker refreshes and stores first. */
  rotateElsewhere: (() => Promise<void>) | null = null;
  policy() {
    return { accepts: ['sfw' as const], disclosureRequired: true, maxMedia: 4, maxTextLength: 280, flagsAdultMedia: true, needsPublicMediaUrl: false };
  }
  rotate() {
    this.generation++;
    this.access = `at-${this.generation}`;
    this.refresh_ = `rt-${this.generation}`;
    return { access_token: this.access, refresh_token: this.refresh_ };
  }
  async publish(account: ChannelAccount, request: PublishRequest): Promise<PublishResult> {
    const elsewhere = this.rotateElsewhere;
    this.rotateElsewhere = null;
    if (elsewhere) await elsewhere();
    if (account.credentials.access_token !== this.access) throw new ConnectorError('x', 'auth', 'HTTP 401 Unauthorized');
    this.landed.push(request);
    return { remoteId: `post-${this.landed.length}` };
  }
  async refresh(account: ChannelAccount) {
    this.tokenCalls++;
    if (account.credentials.refresh_token !== this.refresh_) throw new ConnectorError('x', 'auth', 'invalid_grant: refresh token already used');
    return { ...account.credentials, ...this.rotate() };
  }
}

describe('dispatch with tokens refreshed by another worker', () => {
  let rt: TestRuntime;
  let owner: ApiClient;
  let orgId: string;
  let personaId: string;
  let channelId: string;
  const x = new RotatingPlatform();

  beforeAll(async () => {
    rt = await testRuntime('pglite', {}, { workers: true });
    publishingServices(rt.platform).connectors.set(x);
    const o = await ownerClient(rt.app, rt.platform, 'Refresh race');
    owner = o.client;
    orgId = o.orgId;
    personaId = (await owner.post('/api/v1/personas', personaBody('Lea'))).body.id;
    channelId = (await owner.post('/api/v1/channels', { personaId, platform: 'x', handle: '@lea', credentials: { access_token: 'at-1', refresh_token: 'rt-1' } })).body.id;
  }, 60_000);
  afterAll(() => rt?.stop());

  const publishOne = async (caption: string) => {
    const created = await owner.post('/api/v1/posts', { personaId, caption, targets: [{ channelId }] });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect((await owner.post(`/api/v1/posts/${created.body.id}/approve`)).status).toBe(200);
    expect((await owner.post(`/api/v1/posts/${created.body.id}/schedule`, { at: new Date(Date.now() + 300).toISOString() })).status).toBe(200);
    return vi.waitFor(
      async () => {
        const t = (await owner.get(`/api/v1/posts/${created.body.id}`)).body.targets[0];
        expect(['published', 'failed', 'needs_review'], `still ${t.status}`).toContain(t.status);
        return t;
      },
      { timeout: 20_000, interval: 200 },
    );
  };

  it('takes the tokens the other worker stored instead of flagging the channel', async () => {
    const { channels } = publishingServices(rt.platform);
    x.rotateElsewhere = async () => {
      // The other worker: refreshes with rt-1 (now spent) and stores the new pair.
      await channels.storeCredentials(orgId, channelId, x.rotate());
    };
    const t = await publishOne('Morning light over the bay');
    expect(t.status, JSON.stringify(t.error)).toBe('published');
    expect(x.landed).toHaveLength(1);
    expect((await owner.get(`/api/v1/channels/${channelId}`)).body.status).toBe('active');
    expect((await owner.get('/api/v1/audit?action=channel.reconnect_needed')).body.items).toHaveLength(0);
    // Nobody refreshed with the spent token.
    expect(x.tokenCalls).toBe(0);
    expect((await channels.account(orgId, channelId)).credentials).toMatchObject({ access_token: x.access, refresh_token: x.refresh_ });
  });

  it('a token that really is dead still flags the channel once', async () => {
    x.access = 'revoked-elsewhere';
    x.refresh_ = 'revoked-elsewhere';
    const t = await publishOne('Evening tide');
    expect(t.status).toBe('failed');
    expect(t.error.kind).toBe('auth');
    expect((await owner.get(`/api/v1/channels/${channelId}`)).body.status).toBe('reconnect_needed');
    expect((await owner.get('/api/v1/audit?action=channel.reconnect_needed')).body.items).toHaveLength(1);
  });
});
