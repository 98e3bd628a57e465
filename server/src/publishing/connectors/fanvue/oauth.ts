/**
 * Fanvue OAuth 2.0 with PKCE (required): authorize at auth.fanvue.com/oauth2/auth, code exchange at
 * auth.fanvue.com/oauth2/token with the client authenticated by HTTP Basic (as the connector refreshes),
 * `offline_access` for a refresh token. The handle comes from `GET /users/me`, which like every API call
 * needs the version header.
 */
import { connectorFetch } from '../http.ts';
import { baseFrom, basicAuth, overridden, tokenCredentials, tokenRequest, urlWith } from '../oauth.ts';
import type { OAuthFlow } from '../types.ts';
import { FANVUE_API_VERSION, FANVUE_DEFAULT_BASE_URL } from './index.ts';

const AUTH_BASE = 'https://auth.fanvue.com';
const SCOPES = ['openid', 'offline_access', 'offline', 'read:self', 'read:post', 'write:post', 'read:media', 'write:media', 'read:chat', 'write:chat', 'read:creator', 'read:insights'];

export const fanvueOAuth: OAuthFlow = {
  scopes: SCOPES,

  authorizeUrl({ settings, clientId, redirectUri, state, codeChallenge }) {
    return urlWith(baseFrom(settings, 'authBaseUrl', AUTH_BASE), '/oauth2/auth', {
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
    const auth = baseFrom(settings, 'authBaseUrl', AUTH_BASE);
    const api = baseFrom(settings, 'baseUrl', FANVUE_DEFAULT_BASE_URL);
    const answer = await tokenRequest('fanvue', `${auth}/oauth2/token`, {
      signal: ctx.signal,
      headers: clientSecret ? { authorization: basicAuth(clientId, clientSecret) } : {},
      form: { grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: codeVerifier, ...(clientSecret ? {} : { client_id: clientId }) },
    });
    const credentials = { ...tokenCredentials(answer), client_id: clientId, ...(clientSecret ? { client_secret: clientSecret } : {}) };
    const me = await connectorFetch<{ handle?: string; uuid?: string }>('fanvue', `${api}/users/me`, {
      signal: ctx.signal,
      headers: { authorization: `Bearer ${answer.access_token}`, 'x-fanvue-api-version': FANVUE_API_VERSION },
    });
    const channelSettings: Record<string, unknown> = {};
    if (overridden(settings, 'baseUrl')) channelSettings.baseUrl = api;
    if (overridden(settings, 'authBaseUrl')) channelSettings.tokenUrl = `${auth}/oauth2/token`;
    return { credentials, ...(me.data.handle ? { handle: `@${me.data.handle}` } : {}), settings: channelSettings };
  },
};
