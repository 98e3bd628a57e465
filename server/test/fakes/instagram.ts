/**
 * A fake Instagram Graph API (graph.instagram.com style, `/{version}/…` plus the unversioned
 * `/refresh_access_token`). Like Meta, it FETCHES `image_url`/`video_url` itself when a container is
 * created: an unreachable image fails the creation with error 9004/2207052, an unreachable video ends
 * the container in ERROR. Containers answer IN_PROGRESS for `pollsToFinish` status reads, then the
 * terminal status. `content_publishing_limit` reports a usage counter against a configurable total,
 * and `media_publish` refuses when it is used up. Tokens travel as `access_token` (query or form) or a
 * bearer header; a wrong one gets Meta's code 190 body.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { delay, listen, recordRequest, sendJson, type RecordedCall } from './util.ts';

export interface InstagramBehaviour {
  /**
   * ok; rateLimitOnce: the next API call answers code 4 (with a usage header) once; expiredToken: the
   * current token gets 190/463 until refreshed; revokedToken: every call, refresh included, gets 190/460;
   * http500: every API call answers a transient code 2 error with HTTP 500.
   */
  mode: 'ok' | 'rateLimitOnce' | 'expiredToken' | 'revokedToken' | 'http500';
  /** Status reads answering IN_PROGRESS before the terminal status. */
  pollsToFinish: number;
  /** Terminal container status. */
  containerStatus: 'FINISHED' | 'ERROR' | 'EXPIRED';
  /** content_publishing_limit: config.quota_total (null: the answer has no config). */
  quotaTotal: number | null;
  quotaUsage: number;
  /** media_publish creates the post, then waits this long before answering. */
  delayPublishMs: number;
  /** Fetch image_url/video_url on container creation (as Meta does). */
  fetchMedia: boolean;
}

const DEFAULT_BEHAVIOUR: InstagramBehaviour = {
  mode: 'ok',
  pollsToFinish: 2,
  containerStatus: 'FINISHED',
  quotaTotal: 50,
  quotaUsage: 0,
  delayPublishMs: 0,
  fetchMedia: true,
};

export interface FakeIgContainer {
  id: string;
  params: Record<string, string>;
  pollsLeft: number;
  status: 'IN_PROGRESS' | 'FINISHED' | 'ERROR' | 'EXPIRED' | 'PUBLISHED';
  statusText?: string;
  children: string[];
}

export interface FakeIgMedia {
  id: string;
  caption: string;
  media_type: 'IMAGE' | 'VIDEO' | 'CAROUSEL_ALBUM';
  timestamp: string;
  permalink: string;
  containerId: string;
  children: string[];
}

export interface FakeIgComment {
  id: string;
  mediaId: string;
  /** The top-level comment it answers (Instagram threads one level deep). */
  parentId?: string;
  text: string;
  username: string;
  fromId: string;
  timestamp: string;
}

export interface FakeInstagram {
  url: string;
  igUserId: string;
  /** The Instagram app (Instagram Login) the login endpoints accept. */
  appId: string;
  appSecret: string;
  calls: RecordedCall[];
  behaviour: InstagramBehaviour;
  set(patch: Partial<InstagramBehaviour>): void;
  /** Published media, oldest first. */
  posts: FakeIgMedia[];
  containers: Map<string, FakeIgContainer>;
  /** The token currently accepted. */
  token: string;
  /** Requests whose path matches (and method, when given). */
  callsTo(path: string | RegExp, method?: string): RecordedCall[];
  /** Comments on published media (top-level and replies), oldest first. */
  comments: FakeIgComment[];
  /** Someone comments on `mediaId`, or replies under the comment `replyTo`. */
  addComment(c: { mediaId: string; username: string; text: string; replyTo?: string; at?: Date }): FakeIgComment;
  /** Comments the account itself wrote (through `POST /{comment-id}/replies`). */
  replies(): FakeIgComment[];
  /** Figures `/{media-id}/insights` and `/{ig-user-id}?fields=followers_count` report (tests set them; by media id). */
  figures: { followers: number; posts: Map<string, Partial<Record<'views' | 'reach' | 'likes' | 'comments' | 'shares' | 'saved', number>>> };
  close(): Promise<void>;
}

function numericId(): string {
  return String(17_800_000_000_000_000n + BigInt(`0x${randomBytes(6).toString('hex')}`));
}

function graphError(res: http.ServerResponse, status: number, error: Record<string, unknown>, headers: Record<string, string> = {}): void {
  sendJson(res, status, { error: { type: 'OAuthException', fbtrace_id: randomBytes(8).toString('hex'), ...error } }, headers);
}

/** Query + urlencoded/JSON body, as Graph merges them. */
function paramsOf(call: RecordedCall): Record<string, string> {
  const params: Record<string, string> = { ...call.query };
  const type = String(call.headers['content-type'] ?? '');
  if (Buffer.isBuffer(call.body) && type.includes('application/x-www-form-urlencoded')) {
    for (const [k, v] of new URLSearchParams(call.body.toString('utf8'))) params[k] = v;
  } else if (call.body && typeof call.body === 'object' && !Buffer.isBuffer(call.body)) {
    for (const [k, v] of Object.entries(call.body as Record<string, unknown>)) params[k] = typeof v === 'string' ? v : JSON.stringify(v);
  }
  return params;
}

async function reachable(url: string, kind: 'image' | 'video'): Promise<{ ok: true } | { ok: false; reason: string }> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(3000) });
    const type = response.headers.get('content-type') ?? '';
    await response.arrayBuffer();
    if (response.status !== 200) return { ok: false, reason: `HTTP ${response.status}` };
    if (!type.startsWith(`${kind}/`)) return { ok: false, reason: `content-type ${type}` };
    return { ok: true };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

export async function startFakeInstagram(options: { token?: string; igUserId?: string; appId?: string; appSecret?: string; behaviour?: Partial<InstagramBehaviour> } = {}): Promise<FakeInstagram> {
  const calls: RecordedCall[] = [];
  const behaviour: InstagramBehaviour = { ...DEFAULT_BEHAVIOUR, ...options.behaviour };
  const igUserId = options.igUserId ?? '17841400000000001';
  const containers = new Map<string, FakeIgContainer>();
  const posts: FakeIgMedia[] = [];
  const comments: FakeIgComment[] = [];
  const ownUsername = 'atelier_test_persona';
  const newComment = (mediaId: string, username: string, fromId: string, text: string, parentId?: string, at = new Date()): FakeIgComment => {
    const c: FakeIgComment = { id: numericId(), mediaId, ...(parentId ? { parentId } : {}), text, username, fromId, timestamp: at.toISOString().replace(/\.\d{3}Z$/, '+0000') };
    comments.push(c);
    return c;
  };
  const figures: FakeInstagram['figures'] = { followers: 0, posts: new Map() };
  let token = options.token ?? 'ig-long-lived-token';
  const appId = options.appId ?? 'ig-app-id';
  const appSecret = options.appSecret ?? 'ig-app-secret';
  /** Instagram Login: codes from the consent page and short-lived tokens waiting for the long-lived exchange. */
  const codes = new Map<string, { redirectUri: string; scope: string }>();
  const shortTokens = new Set<string>();
  let rateLimitUsed = false;
  let expiredRefreshed = false;
  let baseUrl = '';

  const server = http.createServer((req, res) => {
    void (async () => {
      const call = await recordRequest(req, calls);
      const params = paramsOf(call);
      const presented = params.access_token ?? (req.headers.authorization ?? '').replace(/^Bearer\s+/i, '');

      // ---- Instagram Login (www.instagram.com + api.instagram.com + graph ig_exchange_token), before token auth
      if (call.path === '/oauth/authorize' && call.method === 'GET') {
        if (params.client_id !== appId || params.response_type !== 'code' || !params.redirect_uri || !params.scope) {
          graphError(res, 400, { message: 'Invalid platform app', code: 100 });
          return;
        }
        const code = `ig-code-${randomBytes(12).toString('hex')}`;
        codes.set(code, { redirectUri: params.redirect_uri, scope: params.scope });
        const back = new URL(params.redirect_uri);
        back.searchParams.set('code', code);
        if (params.state) back.searchParams.set('state', params.state);
        res.writeHead(302, { location: `${back.toString()}#_` });
        res.end();
        return;
      }
      if (call.path === '/oauth/access_token' && call.method === 'POST') {
        const grant = codes.get(params.code ?? '');
        codes.delete(params.code ?? '');
        if (params.client_id !== appId || params.client_secret !== appSecret || params.grant_type !== 'authorization_code' || !grant || grant.redirectUri !== params.redirect_uri) {
          sendJson(res, 400, { error_type: 'OAuthException', code: 400, error_message: 'Invalid authorization code' });
          return;
        }
        const short = `ig-short-${randomBytes(8).toString('hex')}`;
        shortTokens.add(short);
        sendJson(res, 200, { data: [{ access_token: short, user_id: igUserId, permissions: grant.scope }] });
        return;
      }
      if (call.path === '/access_token' && call.method === 'GET' && params.grant_type === 'ig_exchange_token') {
        if (params.client_secret !== appSecret || !shortTokens.delete(params.access_token ?? '')) {
          graphError(res, 400, { message: 'Invalid OAuth access token - Cannot parse access token', code: 190 });
          return;
        }
        token = `ig-long-${randomBytes(8).toString('hex')}`;
        sendJson(res, 200, { access_token: token, token_type: 'bearer', expires_in: 5_183_944 });
        return;
      }

      // Auth first (Meta checks the token before anything else).
      if (behaviour.mode === 'revokedToken') {
        graphError(res, 400, { message: 'Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons.', code: 190, error_subcode: 460 });
        return;
      }
      if (behaviour.mode === 'expiredToken' && !expiredRefreshed && presented === token && call.path !== '/refresh_access_token') {
        graphError(res, 400, { message: 'Error validating access token: Session has expired.', code: 190, error_subcode: 463 });
        return;
      }
      if (presented !== token) {
        graphError(res, 400, { message: 'Invalid OAuth access token - Cannot parse access token', code: 190 });
        return;
      }

      if (call.path === '/refresh_access_token' && call.method === 'GET') {
        if (params.grant_type !== 'ig_refresh_token') {
          graphError(res, 400, { message: 'Unsupported grant_type', code: 100 });
          return;
        }
        token = `ig-refreshed-${randomBytes(6).toString('hex')}`;
        expiredRefreshed = true;
        sendJson(res, 200, { access_token: token, token_type: 'bearer', expires_in: 5_183_944 });
        return;
      }

      const match = /^\/v\d+\.\d+\/(.+)$/.exec(call.path);
      if (!match) {
        graphError(res, 400, { message: `Unknown path components: ${call.path}`, code: 2500 });
        return;
      }
      if (behaviour.mode === 'http500') {
        graphError(res, 500, { message: 'An unexpected error has occurred. Please retry your request later.', code: 2, is_transient: true });
        return;
      }
      if (behaviour.mode === 'rateLimitOnce' && !rateLimitUsed) {
        rateLimitUsed = true;
        graphError(res, 400, { message: 'Application request limit reached', code: 4, is_transient: true }, {
          'x-business-use-case-usage': JSON.stringify({ [igUserId]: [{ type: 'instagram', call_count: 100, total_cputime: 10, total_time: 10, estimated_time_to_regain_access: 2 }] }),
        });
        return;
      }
      const segments = match[1]!.split('/');

      // GET /me — Instagram Login's user: user_id is the professional account id publishing uses
      if (call.method === 'GET' && segments[0] === 'me' && segments.length === 1) {
        sendJson(res, 200, { id: `app-scoped-${igUserId}`, user_id: igUserId, username: ownUsername });
        return;
      }

      // POST /{ig-user-id}/media — create a container
      if (call.method === 'POST' && segments[0] === igUserId && segments[1] === 'media' && segments.length === 2) {
        const caption = params.caption ?? '';
        if ([...caption].length > 2200) {
          graphError(res, 400, { message: 'The caption is too long', code: 100, error_subcode: 2207010 });
          return;
        }
        const container: FakeIgContainer = { id: numericId(), params, pollsLeft: behaviour.pollsToFinish, status: 'IN_PROGRESS', children: [] };
        if (params.media_type === 'CAROUSEL') {
          const children = (params.children ?? '').split(',').filter(Boolean);
          if (children.length < 2 || children.length > 10) {
            graphError(res, 400, { message: 'Carousels need 2 to 10 children', code: 100 });
            return;
          }
          for (const id of children) {
            const child = containers.get(id);
            if (!child || child.params.is_carousel_item !== 'true') {
              graphError(res, 400, { message: `Invalid child ${id}`, code: 100 });
              return;
            }
            if (child.status !== 'FINISHED') {
              graphError(res, 400, { message: `Child ${id} is not ready`, code: 9007, error_subcode: 2207027 });
              return;
            }
          }
          container.children = children;
        } else if (params.video_url) {
          if (params.media_type !== 'REELS' && params.media_type !== 'VIDEO' && params.media_type !== 'STORIES') {
            graphError(res, 400, { message: 'media_type must be REELS, VIDEO (carousel item) or STORIES for video_url', code: 100 });
            return;
          }
          if (params.media_type === 'VIDEO' && params.is_carousel_item !== 'true') {
            graphError(res, 400, { message: 'The VIDEO media type is only for carousel items; use REELS', code: 100 });
            return;
          }
          if (behaviour.fetchMedia) {
            const check = await reachable(params.video_url, 'video');
            if (!check.ok) {
              container.pollsLeft = 0;
              container.status = 'ERROR';
              container.statusText = `Error: Media download has failed. The media URI doesn't meet our requirements. (2207052, ${check.reason})`;
            }
          }
        } else if (params.image_url) {
          if (behaviour.fetchMedia) {
            const check = await reachable(params.image_url, 'image');
            if (!check.ok) {
              graphError(res, 400, {
                message: 'Only photo or video can be accepted as media type.',
                code: 9004,
                error_subcode: 2207052,
                error_user_title: 'Media download has failed',
                error_user_msg: `The media could not be fetched from this URI: ${params.image_url}. (${check.reason})`,
              });
              return;
            }
          }
        } else {
          graphError(res, 400, { message: 'The parameter image_url, video_url or children is required', code: 100 });
          return;
        }
        containers.set(container.id, container);
        sendJson(res, 200, { id: container.id });
        return;
      }

      // GET /{ig-user-id}/content_publishing_limit
      if (call.method === 'GET' && segments[0] === igUserId && segments[1] === 'content_publishing_limit') {
        const entry: Record<string, unknown> = { quota_usage: behaviour.quotaUsage };
        if (behaviour.quotaTotal !== null) entry.config = { quota_total: behaviour.quotaTotal, quota_duration: 86_400 };
        sendJson(res, 200, { data: [entry] });
        return;
      }

      // POST /{ig-user-id}/media_publish
      if (call.method === 'POST' && segments[0] === igUserId && segments[1] === 'media_publish') {
        const container = containers.get(params.creation_id ?? '');
        if (!container || container.params.is_carousel_item === 'true') {
          graphError(res, 400, { message: 'Invalid creation_id', code: 100 });
          return;
        }
        if (container.status !== 'FINISHED') {
          graphError(res, 400, { message: `The media is not ready for publishing (${container.status})`, code: 9007, error_subcode: 2207027 });
          return;
        }
        if (behaviour.quotaTotal !== null && behaviour.quotaUsage >= behaviour.quotaTotal) {
          graphError(res, 400, { message: 'The account has reached its publishing limit', code: 4, error_subcode: 2207042 });
          return;
        }
        behaviour.quotaUsage += 1;
        container.status = 'PUBLISHED';
        const id = numericId();
        const shortcode = randomBytes(8).toString('base64url').slice(0, 11);
        const post: FakeIgMedia = {
          id,
          caption: container.params.caption ?? '',
          media_type: container.children.length > 0 ? 'CAROUSEL_ALBUM' : container.params.video_url ? 'VIDEO' : 'IMAGE',
          timestamp: new Date().toISOString().replace(/\.\d{3}Z$/, '+0000'),
          permalink: `https://www.instagram.com/p/${shortcode}/`,
          containerId: container.id,
          children: container.children,
        };
        posts.push(post);
        if (behaviour.delayPublishMs > 0) await delay(behaviour.delayPublishMs);
        if (!res.destroyed) sendJson(res, 200, { id });
        return;
      }

      // GET /{ig-user-id}/media — own media, newest first
      if (call.method === 'GET' && segments[0] === igUserId && segments[1] === 'media') {
        const since = params.since ? Number(params.since) * 1000 : 0;
        const limit = Math.min(100, Number(params.limit ?? 25));
        const offset = Number(params.after ?? 0);
        const matching = [...posts].reverse().filter((p) => Date.parse(p.timestamp.replace('+0000', 'Z')) >= since);
        const page = matching.slice(offset, offset + limit);
        const result: Record<string, unknown> = { data: page.map((p) => ({ id: p.id, caption: p.caption, timestamp: p.timestamp, permalink: p.permalink })) };
        if (offset + limit < matching.length) {
          const next = new URL(`${baseUrl}${call.path}`);
          for (const [k, v] of Object.entries(call.query)) next.searchParams.set(k, v);
          next.searchParams.set('after', String(offset + limit));
          result.paging = { cursors: { after: String(offset + limit) }, next: next.toString() };
        }
        sendJson(res, 200, result);
        return;
      }

      // GET /{media-id}/insights — lifetime figures of a published media
      if (call.method === 'GET' && segments.length === 2 && segments[1] === 'insights') {
        const post = posts.find((p) => p.id === segments[0]);
        if (!post) {
          graphError(res, 400, { message: `Unsupported get request. Object with ID '${segments[0]}' does not exist`, code: 100, error_subcode: 33 });
          return;
        }
        const known = ['views', 'reach', 'likes', 'comments', 'shares', 'saved'] as const;
        const metrics = (params.metric ?? '').split(',').filter(Boolean);
        const unknown = metrics.find((m) => !(known as readonly string[]).includes(m));
        if (!metrics.length || unknown) {
          graphError(res, 400, { message: `(#100) metric[${unknown ?? ''}] must be one of the following values: ${known.join(', ')}`, code: 100 });
          return;
        }
        const values = figures.posts.get(post.id) ?? {};
        sendJson(res, 200, { data: metrics.map((name) => ({ name, period: 'lifetime', values: [{ value: values[name as (typeof known)[number]] ?? 0 }], title: name, description: name, id: `${post.id}/insights/${name}/lifetime` })) });
        return;
      }

      // GET /{media-id}/comments — top-level comments, newest first, replies nested when asked
      if (call.method === 'GET' && segments.length === 2 && segments[1] === 'comments') {
        if (!posts.some((p) => p.id === segments[0])) {
          graphError(res, 400, { message: `Unsupported get request. Object with ID '${segments[0]}' does not exist`, code: 100, error_subcode: 33 });
          return;
        }
        const fields = params.fields ?? 'id,text,timestamp';
        const view = (c: FakeIgComment) => ({
          id: c.id,
          ...(fields.includes('text') ? { text: c.text } : {}),
          ...(fields.includes('timestamp') ? { timestamp: c.timestamp } : {}),
          ...(fields.includes('username') ? { username: c.username } : {}),
          ...(/(^|,)from(,|$)/.test(fields.replace(/replies\{[^}]*\}/, '')) ? { from: { id: c.fromId, username: c.username } } : {}),
        });
        const top = comments.filter((c) => c.mediaId === segments[0] && !c.parentId).reverse();
        sendJson(res, 200, {
          data: top.map((c) => {
            const replies = comments.filter((r) => r.parentId === c.id);
            return { ...view(c), ...(fields.includes('replies') && replies.length ? { replies: { data: replies.map((r) => ({ id: r.id, text: r.text, timestamp: r.timestamp, username: r.username, from: { id: r.fromId, username: r.username } })) } } : {}) };
          }),
        });
        return;
      }

      // POST /{ig-comment-id}/replies — a reply, filed under the top-level comment
      if (call.method === 'POST' && segments.length === 2 && segments[1] === 'replies') {
        const parent = comments.find((c) => c.id === segments[0]);
        if (!parent) {
          graphError(res, 400, { message: `Unsupported post request. Object with ID '${segments[0]}' does not exist`, code: 100, error_subcode: 33 });
          return;
        }
        if (!params.message?.trim()) {
          graphError(res, 400, { message: '(#100) The parameter message is required', code: 100 });
          return;
        }
        const reply = newComment(parent.mediaId, ownUsername, igUserId, params.message, parent.parentId ?? parent.id);
        sendJson(res, 200, { id: reply.id });
        return;
      }

      // GET /{id} — a container's status or a media object
      if (call.method === 'GET' && segments.length === 1) {
        const container = containers.get(segments[0]!);
        if (container) {
          if (container.status === 'IN_PROGRESS') {
            if (container.pollsLeft > 0) container.pollsLeft -= 1;
            else container.status = behaviour.containerStatus;
            if (container.status === 'ERROR' && !container.statusText) container.statusText = 'Error: Something went wrong while processing the media (2207001)';
          }
          sendJson(res, 200, { id: container.id, status_code: container.status, ...(container.statusText ? { status: container.statusText } : {}) });
          return;
        }
        const post = posts.find((p) => p.id === segments[0]);
        if (post) {
          sendJson(res, 200, { id: post.id, permalink: post.permalink, caption: post.caption, timestamp: post.timestamp, media_type: post.media_type });
          return;
        }
        if (segments[0] === igUserId) {
          sendJson(res, 200, { id: igUserId, username: 'atelier_test_persona', ...((params.fields ?? '').split(',').includes('followers_count') ? { followers_count: figures.followers } : {}) });
          return;
        }
      }
      graphError(res, 400, { message: `Unsupported ${call.method} request. Object with ID '${segments[0]}' does not exist`, code: 100, error_subcode: 33 });
    })().catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: { message: String(error), code: 1 } });
    });
  });

  const handle = await listen(server);
  baseUrl = handle.url;
  return {
    url: handle.url,
    igUserId,
    appId,
    appSecret,
    calls,
    behaviour,
    set(patch) {
      Object.assign(behaviour, patch);
      if (patch.mode !== undefined) {
        rateLimitUsed = false;
        expiredRefreshed = false;
      }
    },
    posts,
    comments,
    addComment(c) {
      if (!posts.some((p) => p.id === c.mediaId)) throw new Error(`no media ${c.mediaId}`);
      const parent = c.replyTo ? comments.find((x) => x.id === c.replyTo) : undefined;
      return newComment(c.mediaId, c.username, numericId(), c.text, parent ? (parent.parentId ?? parent.id) : undefined, c.at);
    },
    replies() {
      return comments.filter((c) => c.fromId === igUserId);
    },
    containers,
    figures,
    get token() {
      return token;
    },
    callsTo(path, method) {
      return calls.filter((c) => (typeof path === 'string' ? c.path === path : path.test(c.path)) && (method === undefined || c.method === method));
    },
    close: handle.close,
  };
}
