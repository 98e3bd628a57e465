/**
 * X OAuth 2.0 authorization code with PKCE (S256). The browser goes to x.com/i/oauth2/authorize; the
 * code is exchanged at api.x.com/2/oauth2/token (confidential clients authenticate with Basic, public
 * ones by client_id alone). The stored credentials carry client_id/client_secret because the connector
 * refreshes with them (X rotates refresh tokens).
 */
import { connectorFetch } from '../http.ts';
import { baseFrom, basicAuth, overridden, tokenCredentials, tokenRequest, urlWith } from '../oauth.ts';
import type { OAuthFlow } from '../types.ts';

const AUTH_BASE = 'https://x.com';
const API_BASE = 'https://api.x.com';
const SCOPES = ['tweet.read', 'tweet.write', 'users.read', 'offline.access', 'media.write'];

export const xOAuth: OAuthFlow = {
  scopes: SCOPES,

  authorizeUrl({ settings, clientId, redirectUri, state, codeChallenge }) {
    return urlWith(baseFrom(settings, 'authBaseUrl', AUTH_BASE), '/i/oauth2/authorize', {
      response_type: 'code',
      client_id: clientId,
      redirect_uri: redirectUri,
      scope: SCOPES.join(' '),
      state,
      code_challenge: codeChallenge,
      code_challenge_method: 'S256',
    });
  },

  async exchange({ settings, clientId, clientSecret, code, codeVerifier, redirectUri }, ctx) {
    const api = baseFrom(settings, 'baseUrl', API_BASE);
    const answer = await tokenRequest('x', `${api}/2/oauth2/token`, {
      signal: ctx.signal,
      headers: clientSecret ? { authorization: basicAuth(clientId, clientSecret) } : {},
      form: { grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: codeVerifier, client_id: clientId },
    });
    const credentials: Record<string, string> = { ...tokenCredentials(answer), client_id: clientId, ...(clientSecret ? { client_secret: clientSecret } : {}) };
    const me = await connectorFetch<{ data?: { id?: string; username?: string } }>('x', `${api}/2/users/me`, {
      signal: ctx.signal,
      headers: { authorization: `Bearer ${answer.access_token}` },
    });
    if (me.data.data?.id) credentials.user_id = me.data.data.id;
    const username = me.data.data?.username;
    return { credentials, ...(username ? { handle: `@${username}` } : {}), settings: overridden(settings, 'baseUrl') ? { baseUrl: api } : {} };
  },
};
