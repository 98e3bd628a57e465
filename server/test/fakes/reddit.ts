/**
 * A fake Reddit: the OAuth API (oauth.reddit.com style), the token endpoint
 * (`/api/v1/access_token`, HTTP basic client auth) and the S3-like media bucket, on one server.
 *
 * Image posts go through the real three steps — `POST /api/media/asset.json` answers a lease whose
 * `action` points at this server's `/media-bucket` (absolute http URL, since tests have no TLS), the
 * multipart upload must carry the lease's fields and then the file, and `POST /api/submit` accepts only
 * an uploaded asset URL. Like Reddit, the media submit answer holds no post id; the post shows up in
 * `/user/{name}/submitted`. Errors come as HTTP 200 `json.errors`; a bad bearer gets 401
 * `{"message": "Unauthorized", "error": 401}`. Every API answer carries `x-ratelimit-*` headers.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { delay, listen, recordRequest, sendJson, sendText, type Multipart, type RecordedCall } from './util.ts';

export interface FakeSubreddit {
  over18: boolean;
  flairRequired: boolean;
  /** Flair template ids offered. */
  flairs: string[];
  /** any | link | self */
  submissionType: 'any' | 'link' | 'self';
  allowImages: boolean;
  rules: { short_name: string; description: string; kind?: string; violation_reason?: string }[];
  /** The user may not post here (SUBREDDIT_NOTALLOWED). */
  banned?: boolean;
}

export interface RedditBehaviour {
  /**
   * ok; rateLimitOnce: the next API call answers 429 with Retry-After once; expiredToken: the current
   * access token gets 401 until refreshed; revokedRefresh: the current token gets 401 and the refresh
   * grant answers invalid_grant; http500: every API route answers 500.
   */
  mode: 'ok' | 'rateLimitOnce' | 'expiredToken' | 'revokedRefresh' | 'http500';
  /** Seconds in the 429's Retry-After. */
  retryAfterSeconds: number;
  /** /api/submit creates the post, then waits this long before answering. */
  delayPublishMs: number;
  /** Errors /api/submit answers instead of posting (e.g. [['SUBREDDIT_NOTALLOWED', "you aren't allowed to post there.", 'sr']]). */
  submitErrors: [string, string, string][] | null;
  /** The token endpoint sends a new refresh token too (Reddit usually does not). */
  rotateRefreshToken: boolean;
  /** The authorization-code answer leaves refresh_token out even for a permanent grant. */
  codeWithoutRefreshToken: boolean;
  /** Value of x-ratelimit-remaining on answers. */
  rateLimitRemaining: number;
}

const DEFAULT_BEHAVIOUR: RedditBehaviour = {
  mode: 'ok',
  retryAfterSeconds: 7,
  delayPublishMs: 0,
  submitErrors: null,
  rotateRefreshToken: false,
  codeWithoutRefreshToken: false,
  rateLimitRemaining: 95,
};

export interface FakeRedditPost {
  id: string;
  name: string;
  kind: 'image' | 'self' | 'gallery';
  subreddit: string;
  title: string;
  selftext: string;
  url: string;
  over_18: boolean;
  spoiler: boolean;
  link_flair_template_id: string | null;
  created_utc: number;
  permalink: string;
  author: string;
  galleryMediaIds?: string[];
}

export interface FakeRedditComment {
  id: string;
  name: string;
  author: string;
  body: string;
  parent_id: string;
  link_id: string;
  subreddit: string;
  created_utc: number;
  /** Set when it landed in the account's inbox. */
  inboxType?: 'post_reply' | 'comment_reply' | 'username_mention';
}

export interface FakeRedditAsset {
  assetId: string;
  key: string;
  filepath: string;
  mimetype: string;
  uploaded: boolean;
  bytes?: Buffer;
  /** The URL a submit must use. */
  url: string;
}

export interface FakeReddit {
  url: string;
  /** For settings.tokenUrl. */
  tokenUrl: string;
  username: string;
  clientId: string;
  clientSecret: string;
  calls: RecordedCall[];
  behaviour: RedditBehaviour;
  set(patch: Partial<RedditBehaviour>): void;
  posts: FakeRedditPost[];
  assets: Map<string, FakeRedditAsset>;
  subreddits: Map<string, FakeSubreddit>;
  /** The access token currently accepted / the refresh token currently valid. */
  readonly accessToken: string;
  readonly refreshToken: string;
  callsTo(path: string | RegExp, method?: string): RecordedCall[];
  /** Comments that exist (others' and ours), oldest first. */
  comments: FakeRedditComment[];
  /**
   * Another redditor comments under `parent` (a `t3_` post or `t1_` comment fullname) or mentions the
   * account (`mention: true`, in a post of theirs): the account's inbox gets it when it is addressed to her.
   */
  addComment(c: { author: string; body: string; parent?: string; mention?: boolean; at?: Date }): FakeRedditComment;
  /** Comments the account wrote (through `POST /api/comment`). */
  replies(): FakeRedditComment[];
  /** Figures `/api/info` and `/api/v1/me` report (tests set them; by fullname `t3_…`). */
  figures: { followers: number; posts: Map<string, { score?: number; ups?: number; num_comments?: number; num_crossposts?: number; view_count?: number | null }> };
  close(): Promise<void>;
}

function base36Id(): string {
  return BigInt(`0x${randomBytes(5).toString('hex')}`).toString(36).slice(0, 7);
}

function formOf(call: RecordedCall): Record<string, string> {
  const type = String(call.headers['content-type'] ?? '');
  if (Buffer.isBuffer(call.body) && type.includes('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(call.body.toString('utf8')));
  if (call.body && typeof call.body === 'object' && !Buffer.isBuffer(call.body)) {
    return Object.fromEntries(Object.entries(call.body as Record<string, unknown>).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
  }
  return {};
}

const DEFAULT_SUBREDDITS: [string, FakeSubreddit][] = [
  ['AtelierTest', { over18: false, flairRequired: false, flairs: ['flair-oc', 'flair-art'], submissionType: 'any', allowImages: true, rules: [{ short_name: 'Be kind', description: 'No harassment.' }, { short_name: 'Label AI art', description: 'AI-generated images must say so in the title.', violation_reason: 'Unlabelled AI' }] }],
  ['FlairOnly', { over18: false, flairRequired: true, flairs: ['flair-required-1'], submissionType: 'any', allowImages: true, rules: [] }],
  ['AdultArt', { over18: true, flairRequired: false, flairs: [], submissionType: 'any', allowImages: true, rules: [{ short_name: 'Mark NSFW', description: 'All posts must be marked NSFW.' }] }],
  ['NoImages', { over18: false, flairRequired: false, flairs: [], submissionType: 'self', allowImages: false, rules: [] }],
];

export async function startFakeReddit(options: { username?: string; clientId?: string; clientSecret?: string; accessToken?: string; refreshToken?: string; behaviour?: Partial<RedditBehaviour>; subreddits?: Record<string, FakeSubreddit> } = {}): Promise<FakeReddit> {
  const calls: RecordedCall[] = [];
  const behaviour: RedditBehaviour = { ...DEFAULT_BEHAVIOUR, ...options.behaviour };
  const username = options.username ?? 'atelier_persona';
  const clientId = options.clientId ?? 'reddit-client-id';
  const clientSecret = options.clientSecret ?? 'reddit-client-secret';
  let accessToken = options.accessToken ?? 'reddit-access-token';
  let refreshToken = options.refreshToken ?? 'reddit-refresh-token';
  let rateLimitUsed = false;
  let refreshedSinceMode = false;
  /** Codes the consent page handed out (single use): Reddit has no PKCE, the redirect URI must match. */
  const codes = new Map<string, { redirectUri: string; permanent: boolean; scope: string }>();
  const posts: FakeRedditPost[] = [];
  const comments: FakeRedditComment[] = [];
  const thing = (name: string) => posts.find((p) => p.name === name) ?? comments.find((c) => c.name === name);
  const newComment = (author: string, body: string, parent: string, at = new Date()): FakeRedditComment => {
    const target = thing(parent);
    const linkId = !target ? parent : 'link_id' in target ? target.link_id : target.name;
    const post = posts.find((p) => p.name === linkId);
    const id = base36Id();
    const comment: FakeRedditComment = { id, name: `t1_${id}`, author, body, parent_id: parent, link_id: linkId, subreddit: post?.subreddit ?? 'AtelierTest', created_utc: at.getTime() / 1000 };
    comments.push(comment);
    return comment;
  };
  const assets = new Map<string, FakeRedditAsset>();
  const figures: FakeReddit['figures'] = { followers: 0, posts: new Map() };
  const subreddits = new Map<string, FakeSubreddit>(options.subreddits ? Object.entries(options.subreddits) : DEFAULT_SUBREDDITS);
  let baseUrl = '';

  const findSubreddit = (name: string) => [...subreddits.entries()].find(([n]) => n.toLowerCase() === name.toLowerCase());
  const rateHeaders = (): Record<string, string> => ({ 'x-ratelimit-remaining': String(behaviour.rateLimitRemaining), 'x-ratelimit-used': String(Math.max(0, 100 - behaviour.rateLimitRemaining)), 'x-ratelimit-reset': '420' });
  const createPost = (fields: Omit<FakeRedditPost, 'id' | 'name' | 'created_utc' | 'permalink' | 'author'>): FakeRedditPost => {
    const id = base36Id();
    const slug = fields.title.toLowerCase().replace(/[^a-z0-9]+/g, '_').slice(0, 40);
    const post: FakeRedditPost = { ...fields, id, name: `t3_${id}`, created_utc: Date.now() / 1000, permalink: `/r/${fields.subreddit}/comments/${id}/${slug}/`, author: username };
    posts.push(post);
    return post;
  };

  const server = http.createServer((req, res) => {
    void (async () => {
      const call = await recordRequest(req, calls);

      // ---- The S3-like bucket (no auth, like S3 with a presigned POST policy)
      if (call.path === '/media-bucket' && call.method === 'POST') {
        const body = call.body as Multipart | undefined;
        if (!body || !('fields' in body)) {
          sendText(res, 400, '<Error><Code>MalformedPOSTRequest</Code><Message>The body of your POST request is not well-formed multipart/form-data.</Message></Error>');
          return;
        }
        const asset = [...assets.values()].find((a) => a.key === body.fields.key);
        const file = body.files.find((f) => f.name === 'file');
        if (!asset || !file || body.fields['x-amz-signature'] !== `sig-${asset.assetId}` || body.fields['Content-Type'] !== asset.mimetype) {
          sendText(res, 403, '<Error><Code>AccessDenied</Code><Message>Invalid according to Policy: Policy Condition failed</Message></Error>');
          return;
        }
        asset.uploaded = true;
        asset.bytes = file.data;
        res.writeHead(201, { 'Content-Type': 'application/xml' });
        res.end(`<?xml version="1.0" encoding="UTF-8"?><PostResponse><Location>${encodeURIComponent(asset.url)}</Location><Bucket>reddit-uploaded-media</Bucket><Key>${asset.key}</Key><ETag>"${randomBytes(8).toString('hex')}"</ETag></PostResponse>`);
        return;
      }

      // ---- Consent page (www.reddit.com/api/v1/authorize): the user says yes at once
      if (call.path === '/api/v1/authorize' && call.method === 'GET') {
        const q = call.query;
        if (q.client_id !== clientId || q.response_type !== 'code' || !q.redirect_uri || !q.state || !q.scope || (q.duration !== 'permanent' && q.duration !== 'temporary')) {
          sendText(res, 400, 'bad request (reddit.com)');
          return;
        }
        const code = `reddit-code-${randomBytes(12).toString('hex')}`;
        codes.set(code, { redirectUri: q.redirect_uri, permanent: q.duration === 'permanent', scope: q.scope });
        const back = new URL(q.redirect_uri);
        back.searchParams.set('state', q.state);
        back.searchParams.set('code', code);
        res.writeHead(302, { location: back.toString() });
        res.end();
        return;
      }

      // ---- Token endpoint
      if (call.path === '/api/v1/access_token' && call.method === 'POST') {
        const basic = /^Basic\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
        const [id, secret] = basic ? Buffer.from(basic, 'base64').toString('utf8').split(':') : [];
        if (id !== clientId || secret !== clientSecret) {
          sendJson(res, 401, { message: 'Unauthorized', error: 401 });
          return;
        }
        const form = formOf(call);
        if (form.grant_type === 'authorization_code') {
          const grant = codes.get(form.code ?? '');
          codes.delete(form.code ?? '');
          // Like Reddit: a bad code is HTTP 200 with an error body.
          if (!grant || grant.redirectUri !== form.redirect_uri) {
            sendJson(res, 200, { error: 'invalid_grant' });
            return;
          }
          accessToken = `reddit-access-${randomBytes(6).toString('hex')}`;
          const answer: Record<string, unknown> = { access_token: accessToken, token_type: 'bearer', expires_in: 86_400, scope: grant.scope.replace(/,/g, ' ') };
          if (grant.permanent && !behaviour.codeWithoutRefreshToken) {
            refreshToken = `reddit-refresh-${randomBytes(6).toString('hex')}`;
            answer.refresh_token = refreshToken;
          }
          sendJson(res, 200, answer);
          return;
        }
        if (form.grant_type !== 'refresh_token') {
          sendJson(res, 400, { error: 'unsupported_grant_type' });
          return;
        }
        if (behaviour.mode === 'revokedRefresh' || form.refresh_token !== refreshToken) {
          sendJson(res, 400, { error: 'invalid_grant' });
          return;
        }
        accessToken = `reddit-access-${randomBytes(6).toString('hex')}`;
        refreshedSinceMode = true;
        const answer: Record<string, unknown> = { access_token: accessToken, token_type: 'bearer', expires_in: 86_400, scope: 'identity submit read flair' };
        if (behaviour.rotateRefreshToken) {
          refreshToken = `reddit-refresh-${randomBytes(6).toString('hex')}`;
          answer.refresh_token = refreshToken;
        }
        sendJson(res, 200, answer);
        return;
      }

      // ---- OAuth API
      const bearer = /^(?:Bearer|bearer)\s+(.+)$/.exec(req.headers.authorization ?? '')?.[1];
      const tokenDead = (behaviour.mode === 'expiredToken' || behaviour.mode === 'revokedRefresh') && !refreshedSinceMode;
      if (!bearer || bearer !== accessToken || tokenDead) {
        sendJson(res, 401, { message: 'Unauthorized', error: 401 }, { 'www-authenticate': 'Bearer realm="reddit", error="invalid_token"' });
        return;
      }
      if (!req.headers['user-agent']) {
        sendJson(res, 429, { message: 'Too Many Requests', error: 429 });
        return;
      }
      if (behaviour.mode === 'http500') {
        sendText(res, 500, '<html><body><h1>500 Internal Server Error</h1></body></html>');
        return;
      }
      if (behaviour.mode === 'rateLimitOnce' && !rateLimitUsed) {
        rateLimitUsed = true;
        sendJson(res, 429, { message: 'Too Many Requests', error: 429 }, { 'retry-after': String(behaviour.retryAfterSeconds), 'x-ratelimit-remaining': '0', 'x-ratelimit-used': '100', 'x-ratelimit-reset': String(behaviour.retryAfterSeconds) });
        return;
      }
      const headers = rateHeaders();

      if (call.path === '/api/v1/me' && call.method === 'GET') {
        sendJson(res, 200, { name: username, id: 'abc123', total_karma: 1, subreddit: { display_name: `u_${username}`, subscribers: figures.followers } }, headers);
        return;
      }

      if (call.path === '/api/info' && call.method === 'GET') {
        const names = (call.query.id ?? '').split(',').filter(Boolean);
        if (names.length > 100) return sendJson(res, 400, { message: 'Bad Request', error: 400 }, headers);
        const children = names
          .map((name) => posts.find((p) => p.name === name))
          .filter((p) => p !== undefined)
          .map((p) => ({ kind: 't3', data: { id: p.id, name: p.name, title: p.title, subreddit: p.subreddit, permalink: p.permalink, score: 1, ups: 1, upvote_ratio: 1, num_comments: 0, num_crossposts: 0, view_count: null, ...figures.posts.get(p.name) } }));
        sendJson(res, 200, { kind: 'Listing', data: { after: null, before: null, dist: children.length, children } }, headers);
        return;
      }

      if ((call.path === '/api/media/asset.json' || call.path === '/api/media/asset') && call.method === 'POST') {
        const form = formOf(call);
        if (!form.filepath || !form.mimetype) {
          sendJson(res, 400, { json: { errors: [['BAD_REQUEST', 'filepath and mimetype are required', 'filepath']] } }, headers);
          return;
        }
        const assetId = base36Id() + base36Id();
        const key = `rte_images/${assetId}/${form.filepath}`;
        const asset: FakeRedditAsset = { assetId, key, filepath: form.filepath, mimetype: form.mimetype, uploaded: false, url: `${baseUrl}/media-bucket/${key}` };
        assets.set(assetId, asset);
        sendJson(
          res,
          200,
          {
            args: {
              action: `${baseUrl}/media-bucket`,
              fields: [
                { name: 'acl', value: 'private' },
                { name: 'key', value: key },
                { name: 'X-Amz-Credential', value: 'AKIAFAKE/20260101/us-west-2/s3/aws4_request' },
                { name: 'X-Amz-Algorithm', value: 'AWS4-HMAC-SHA256' },
                { name: 'X-Amz-Date', value: '20260101T000000Z' },
                { name: 'success_action_status', value: '201' },
                { name: 'Content-Type', value: form.mimetype },
                { name: 'policy', value: Buffer.from('{"conditions":[]}').toString('base64') },
                { name: 'x-amz-signature', value: `sig-${assetId}` },
              ],
            },
            asset: { asset_id: assetId, processing_state: 'incomplete', payload: { filepath: form.filepath }, websocket_url: `wss://ws.fake/rte_images/${assetId}?m=AQAA` },
          },
          headers,
        );
        return;
      }

      if ((call.path === '/api/submit' || call.path === '/api/submit_gallery_post.json') && call.method === 'POST') {
        const gallery = call.path === '/api/submit_gallery_post.json';
        const form = formOf(call);
        const body = (gallery ? call.body : form) as Record<string, unknown>;
        const sr = String(body.sr ?? '');
        const title = String(body.title ?? '');
        const errors: [string, string, string][] = [];
        const found = findSubreddit(sr);
        if (behaviour.submitErrors) errors.push(...behaviour.submitErrors);
        else if (!found) errors.push(['SUBREDDIT_NOEXIST', "that subreddit doesn't exist", 'sr']);
        else {
          const [, subreddit] = found;
          const kind = gallery ? 'gallery' : String(body.kind ?? '');
          const flairId = body.flair_id === undefined ? undefined : String(body.flair_id);
          if (subreddit.banned) errors.push(['SUBREDDIT_NOTALLOWED', "you aren't allowed to post there.", 'sr']);
          if (!title) errors.push(['NO_TEXT', 'we need something here', 'title']);
          if ([...title].length > 300) errors.push(['TOO_LONG', 'this is too long (max: 300)', 'title']);
          if (kind === 'self' && subreddit.submissionType === 'link') errors.push(['NO_SELFS', "that subreddit doesn't allow text posts", 'sr']);
          if (kind !== 'self' && (subreddit.submissionType === 'self' || !subreddit.allowImages)) errors.push(['NO_LINKS', "that subreddit only allows text posts", 'sr']);
          if (subreddit.flairRequired && !flairId) errors.push(['SUBMIT_VALIDATION_FLAIR_REQUIRED', 'Your post must contain post flair.', 'flair']);
          if (flairId && !subreddit.flairs.includes(flairId)) errors.push(['BAD_FLAIR_TEMPLATE_ID', 'That flair template ID is invalid', 'flair']);
          if (kind === 'image') {
            const asset = [...assets.values()].find((a) => a.url === body.url);
            if (!asset || !asset.uploaded) errors.push(['BAD_URL', 'you should check that url', 'url']);
          }
          if (gallery) {
            const items = Array.isArray(body.items) ? (body.items as { media_id?: string }[]) : [];
            if (items.length < 2 || items.some((i) => !assets.get(String(i.media_id))?.uploaded)) errors.push(['BAD_GALLERY', 'gallery items must be uploaded images', 'items']);
          }
          if (!['self', 'image', 'gallery', 'link'].includes(kind)) errors.push(['INVALID_OPTION', 'that option is not valid', 'kind']);
        }
        if (body.api_type !== 'json') {
          sendJson(res, 200, { jquery: [], success: errors.length === 0 }, headers);
          return;
        }
        if (errors.length > 0) {
          sendJson(res, 200, { json: { errors } }, headers);
          return;
        }
        const subredditName = found![0];
        const truthy = (v: unknown) => v === true || v === 'true';
        const post = createPost({
          kind: gallery ? 'gallery' : body.kind === 'self' ? 'self' : 'image',
          subreddit: subredditName,
          title,
          selftext: typeof body.text === 'string' ? body.text : '',
          url: gallery ? '' : String(body.url ?? ''),
          over_18: truthy(body.nsfw),
          spoiler: truthy(body.spoiler),
          link_flair_template_id: body.flair_id === undefined ? null : String(body.flair_id),
          galleryMediaIds: gallery ? (body.items as { media_id: string }[]).map((i) => i.media_id) : undefined,
        });
        if (behaviour.delayPublishMs > 0) await delay(behaviour.delayPublishMs);
        if (res.destroyed) return;
        if (post.kind === 'image') {
          sendJson(res, 200, { json: { errors: [], data: { user_submitted_page: `https://www.reddit.com/user/${username}/submitted/`, websocket_url: `wss://ws.fake/${post.id}` } } }, headers);
        } else {
          sendJson(res, 200, { json: { errors: [], data: { url: `https://www.reddit.com${post.permalink}`, id: post.kind === 'gallery' ? post.name : post.id, name: post.name, drafts_count: 0 } } }, headers);
        }
        return;
      }

      const submitted = /^\/user\/([^/]+)\/submitted(?:\.json)?$/.exec(call.path);
      if (submitted && call.method === 'GET') {
        if (submitted[1]!.toLowerCase() !== username.toLowerCase()) {
          sendJson(res, 200, { kind: 'Listing', data: { after: null, before: null, children: [] } }, headers);
          return;
        }
        const limit = Math.min(100, Number(call.query.limit ?? 25));
        const all = [...posts].reverse();
        const start = call.query.after ? all.findIndex((p) => p.name === call.query.after) + 1 : 0;
        const page = all.slice(start, start + limit);
        const after = start + limit < all.length ? page.at(-1)?.name ?? null : null;
        sendJson(
          res,
          200,
          {
            kind: 'Listing',
            data: {
              after,
              before: null,
              dist: page.length,
              children: page.map((p) => ({
                kind: 't3',
                data: { id: p.id, name: p.name, title: p.title, subreddit: p.subreddit, selftext: p.selftext, url: p.url, over_18: p.over_18, spoiler: p.spoiler, link_flair_template_id: p.link_flair_template_id, created_utc: p.created_utc, permalink: p.permalink, author: p.author },
              })),
            },
          },
          headers,
        );
        return;
      }

      const rules = /^\/r\/([^/]+)\/about\/rules(?:\.json)?$/.exec(call.path);
      if (rules && call.method === 'GET') {
        const found = findSubreddit(decodeURIComponent(rules[1]!));
        if (!found) {
          sendJson(res, 404, { message: 'Not Found', error: 404 }, headers);
          return;
        }
        sendJson(
          res,
          200,
          {
            rules: found[1].rules.map((r, i) => ({ kind: r.kind ?? 'all', short_name: r.short_name, description: r.description, violation_reason: r.violation_reason ?? r.short_name, priority: i, created_utc: 1_700_000_000 })),
            site_rules: ['Spam', 'Personal and confidential information'],
          },
          headers,
        );
        return;
      }

      const about = /^\/r\/([^/]+)\/about(?:\.json)?$/.exec(call.path);
      if (about && call.method === 'GET') {
        const found = findSubreddit(decodeURIComponent(about[1]!));
        if (!found) {
          sendJson(res, 404, { message: 'Not Found', error: 404 }, headers);
          return;
        }
        const [name, sr] = found;
        sendJson(res, 200, { kind: 't5', data: { display_name: name, over18: sr.over18, allow_images: sr.allowImages, allow_galleries: sr.allowImages, allow_videos: false, submission_type: sr.submissionType, subreddit_type: 'public' } }, headers);
        return;
      }

      const requirements = /^\/api\/v1\/([^/]+)\/post_requirements$/.exec(call.path);
      if (requirements && call.method === 'GET') {
        const found = findSubreddit(decodeURIComponent(requirements[1]!));
        if (!found) {
          sendJson(res, 404, { message: 'Not Found', error: 404 }, headers);
          return;
        }
        sendJson(res, 200, { is_flair_required: found[1].flairRequired, title_text_max_length: 300, title_text_min_length: null, body_restriction_policy: 'none', domain_blacklist: [], domain_whitelist: [] }, headers);
        return;
      }

      if (call.path === '/message/inbox' && call.method === 'GET') {
        const limit = Math.min(100, Number(call.query.limit ?? 25));
        const all = comments.filter((c) => c.inboxType).reverse();
        const start = call.query.after ? all.findIndex((c) => c.name === call.query.after) + 1 : 0;
        const page = all.slice(start, start + limit);
        const children = page.map((c) => ({
          kind: 't1',
          data: {
            id: c.id,
            name: c.name,
            author: c.author,
            author_fullname: `t2_${c.author.toLowerCase()}`,
            body: c.body,
            created_utc: c.created_utc,
            context: `/r/${c.subreddit}/comments/${c.link_id.replace(/^t3_/, '')}/post/${c.id}/?context=3`,
            parent_id: c.parent_id,
            subreddit: c.subreddit,
            type: c.inboxType,
            subject: c.inboxType === 'username_mention' ? 'username mention' : c.inboxType === 'post_reply' ? 'post reply' : 'comment reply',
            was_comment: true,
            new: true,
            dest: username,
          },
        }));
        sendJson(res, 200, { kind: 'Listing', data: { after: start + limit < all.length ? (page.at(-1)?.name ?? null) : null, before: null, dist: children.length, children } }, headers);
        return;
      }

      if (call.path === '/api/comment' && call.method === 'POST') {
        const form = formOf(call);
        if (form.api_type !== 'json') {
          sendJson(res, 200, { jquery: [], success: false }, headers);
          return;
        }
        if (!form.text?.trim()) {
          sendJson(res, 200, { json: { errors: [['NO_TEXT', 'we need something here', 'text']] } }, headers);
          return;
        }
        if (!form.thing_id || !thing(form.thing_id)) {
          sendJson(res, 200, { json: { errors: [['DELETED_COMMENT', 'that comment has been deleted', 'parent']] } }, headers);
          return;
        }
        const c = newComment(username, form.text, form.thing_id);
        const permalink = `/r/${c.subreddit}/comments/${c.link_id.replace(/^t3_/, '')}/post/${c.id}/`;
        sendJson(res, 200, { json: { errors: [], data: { things: [{ kind: 't1', data: { id: c.id, name: c.name, author: username, body: c.body, parent_id: c.parent_id, link_id: c.link_id, permalink } }] } } }, headers);
        return;
      }

      if (call.path === '/api/del' && call.method === 'POST') {
        const id = formOf(call).id;
        const index = posts.findIndex((p) => p.name === id);
        if (index !== -1) posts.splice(index, 1);
        sendJson(res, 200, {}, headers);
        return;
      }

      sendJson(res, 404, { message: 'Not Found', error: 404 }, headers);
    })().catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { message: String(error), error: 500 });
    });
  });

  const handle = await listen(server);
  baseUrl = handle.url;
  return {
    url: handle.url,
    tokenUrl: `${handle.url}/api/v1/access_token`,
    username,
    clientId,
    clientSecret,
    calls,
    behaviour,
    set(patch) {
      Object.assign(behaviour, patch);
      if (patch.mode !== undefined) {
        rateLimitUsed = false;
        refreshedSinceMode = false;
      }
    },
    posts,
    comments,
    addComment(c) {
      if (c.mention) {
        const comment = newComment(c.author, c.body, 't3_theirs', c.at);
        comment.inboxType = 'username_mention';
        return comment;
      }
      if (!c.parent || !thing(c.parent)) throw new Error(`no thing ${c.parent}`);
      const comment = newComment(c.author, c.body, c.parent, c.at);
      const parent = thing(c.parent)!;
      if (parent.author.toLowerCase() === username.toLowerCase()) comment.inboxType = parent.name.startsWith('t3_') ? 'post_reply' : 'comment_reply';
      return comment;
    },
    replies() {
      return comments.filter((c) => c.author === username);
    },
    assets,
    subreddits,
    figures,
    get accessToken() {
      return accessToken;
    },
    get refreshToken() {
      return refreshToken;
    },
    callsTo(path, method) {
      return calls.filter((c) => (typeof path === 'string' ? c.path === path : path.test(c.path)) && (method === undefined || c.method === method));
    },
    close: handle.close,
  };
}
