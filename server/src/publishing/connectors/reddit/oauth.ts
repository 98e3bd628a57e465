/**
 * Reddit OAuth 2.0 authorization code (no PKCE; the state alone binds the callback): authorize at
 * www.reddit.com/api/v1/authorize with `duration=permanent` (else no refresh token), code exchange at
 * /api/v1/access_token with HTTP Basic client auth. The username (the connector's `settings.username`)
 * comes from `GET oauth.reddit.com/api/v1/me`; Reddit wants a descriptive User-Agent on every call.
 */
import { connectorFetch } from '../http.ts';
import { baseFrom, basicAuth, overridden, tokenCredentials, tokenRequest, urlWith } from '../oauth.ts';
import type { OAuthFlow } from '../types.ts';
import { REDDIT_DEFAULT_OAUTH_URL } from './index.ts';

const AUTH_BASE = 'https://www.reddit.com';
const USER_AGENT = 'server:atelier:0.1.0 (connect flow)';
// edit: delete our posts; history: read our submissions back (recovery of unknown outcomes).
const SCOPES = ['identity', 'submit', 'read', 'flair', 'edit', 'history'];

export const redditOAuth: OAuthFlow = {
  scopes: SCOPES,

  authorizeUrl({ settings, clientId, redirectUri, state }) {
    return urlWith(baseFrom(settings, 'authBaseUrl', AUTH_BASE), '/api/v1/authorize', {
      client_id: clientId,
      response_type: 'code',
      state,
      redirect_uri: redirectUri,
      duration: 'permanent',
      scope: SCOPES.join(' '),
    });
  },

  async exchange({ settings, clientId, clientSecret, code, redirectUri }, ctx) {
    const auth = baseFrom(settings, 'authBaseUrl', AUTH_BASE);
    const api = baseFrom(settings, 'baseUrl', REDDIT_DEFAULT_OAUTH_URL);
    const tokenUrl = `${auth}/api/v1/access_token`;
    const answer = await tokenRequest('reddit', tokenUrl, {
      signal: ctx.signal,
      // Installed apps have no secret: Reddit then expects an empty password.
      headers: { authorization: basicAuth(clientId, clientSecret ?? ''), 'user-agent': USER_AGENT },
      form: { grant_type: 'authorization_code', code, redirect_uri: redirectUri },
    });
    const credentials = { ...tokenCredentials(answer), client_id: clientId, ...(clientSecret ? { client_secret: clientSecret } : {}) };
    const me = await connectorFetch<{ name?: string }>('reddit', `${api}/api/v1/me`, {
      signal: ctx.signal,
      headers: { authorization: `Bearer ${answer.access_token}`, 'user-agent': USER_AGENT },
    });
    const username = me.data.name;
    const channelSettings: Record<string, unknown> = username ? { username } : {};
    if (overridden(settings, 'baseUrl')) channelSettings.oauthBaseUrl = api;
    if (overridden(settings, 'authBaseUrl')) channelSettings.tokenUrl = tokenUrl;
    return { credentials, ...(username ? { handle: `u/${username}` } : {}), settings: channelSettings };
  },
};
