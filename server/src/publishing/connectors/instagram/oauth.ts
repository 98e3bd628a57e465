/**
 * Instagram API with Instagram Login (professional accounts), no PKCE (the state binds the callback):
 *   1. the browser goes to www.instagram.com/oauth/authorize (comma-separated scopes);
 *   2. the code is exchanged at api.instagram.com/oauth/access_token (client id and secret in the form)
 *      for a short-lived token;
 *   3. that token becomes a long-lived one (60 days, refreshable by the connector) at
 *      graph.instagram.com/access_token?grant_type=ig_exchange_token;
 *   4. `GET /me?fields=user_id,username` gives the professional account id the connector publishes as.
 * `authBaseUrl` overrides both login hosts (www. and api.), `baseUrl` the Graph host.
 */
import { connectorFetch } from '../http.ts';
import { baseFrom, overridden, tokenCredentials, tokenRequest, urlWith } from '../oauth.ts';
import { ConnectorError, type OAuthFlow } from '../types.ts';
import { INSTAGRAM_DEFAULT_API_VERSION, INSTAGRAM_DEFAULT_GRAPH_URL } from './index.ts';

const AUTHORIZE_BASE = 'https://www.instagram.com';
const TOKEN_BASE = 'https://api.instagram.com';
const SCOPES = ['instagram_business_basic', 'instagram_business_content_publish', 'instagram_business_manage_comments', 'instagram_business_manage_insights'];

export const instagramOAuth: OAuthFlow = {
  scopes: SCOPES,

  authorizeUrl({ settings, clientId, redirectUri, state }) {
    return urlWith(baseFrom(settings, 'authBaseUrl', AUTHORIZE_BASE), '/oauth/authorize', {
      client_id: clientId,
      redirect_uri: redirectUri,
      response_type: 'code',
      scope: SCOPES.join(','),
      state,
    });
  },

  async exchange({ settings, clientId, clientSecret, code, redirectUri }, ctx) {
    if (!clientSecret) throw new ConnectorError('instagram', 'auth', 'Instagram needs the app secret to exchange the code');
    const graph = baseFrom(settings, 'baseUrl', INSTAGRAM_DEFAULT_GRAPH_URL);
    const short = await tokenRequest('instagram', `${baseFrom(settings, 'authBaseUrl', TOKEN_BASE)}/oauth/access_token`, {
      signal: ctx.signal,
      form: { client_id: clientId, client_secret: clientSecret, grant_type: 'authorization_code', redirect_uri: redirectUri, code },
    });
    const long = await tokenRequest('instagram', urlWith(graph, '/access_token', { grant_type: 'ig_exchange_token', client_secret: clientSecret, access_token: short.access_token }), {
      method: 'GET',
      signal: ctx.signal,
    });
    const credentials = tokenCredentials(long);
    const me = await connectorFetch<{ id?: string | number; user_id?: string | number; username?: string }>(
      'instagram',
      urlWith(graph, `/${INSTAGRAM_DEFAULT_API_VERSION}/me`, { fields: 'user_id,username', access_token: long.access_token }),
      { signal: ctx.signal },
    );
    const igUserId = me.data.user_id ?? me.data.id ?? short.user_id;
    if (igUserId === undefined || igUserId === null) throw new ConnectorError('instagram', 'unavailable', 'Instagram did not say which account was connected');
    const channelSettings: Record<string, unknown> = { igUserId: String(igUserId) };
    if (overridden(settings, 'baseUrl')) channelSettings.graphBaseUrl = graph;
    return { credentials, ...(me.data.username ? { handle: `@${me.data.username}` } : {}), settings: channelSettings };
  },
};
