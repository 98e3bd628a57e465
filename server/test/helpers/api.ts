import type { App } from '../../src/platform/http/app.ts';
import { ATTESTATION_TEXT } from '../../src/personas/personas.service.ts';

export { ATTESTATION_TEXT };

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Small client over fastify.inject, keeping a bearer token and the refresh cookie like a browser. */
export class ApiClient {
  token: string | null = null;
  refreshCookie: string | null = null;
  readonly app: App;
  constructor(app: App) {
    this.app = app;
  }

  async call<T = any>(method: Method, url: string, body?: unknown, headers: Record<string, string> = {}) {
    const res = await this.app.inject({
      method,
      url,
      headers: {
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        ...(this.refreshCookie ? { cookie: `atelier_rt=${this.refreshCookie}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
    });
    const setCookie = res.cookies.find((c) => c.name === 'atelier_rt');
    if (setCookie) this.refreshCookie = setCookie.value || null;
    const json = res.body && res.headers['content-type']?.toString().includes('json') ? JSON.parse(res.body) : undefined;
    return { status: res.statusCode, body: json as T, headers: res.headers, raw: res };
  }

  get<T = any>(url: string) {
    return this.call<T>('GET', url);
  }
  post<T = any>(url: string, body?: unknown) {
    return this.call<T>('POST', url, body ?? {});
  }
  patch<T = any>(url: string, body: unknown) {
    return this.call<T>('PATCH', url, body);
  }
  delete<T = any>(url: string) {
    return this.call<T>('DELETE', url);
  }

  async login(email: string, password: string, totp?: string) {
    const res = await this.post('/api/v1/auth/login', { email, password, ...(totp ? { totp } : {}) });
    if (res.status === 200) this.token = res.body.accessToken;
    return res;
  }
}

let counter = 0;
export const uniqueEmail = (tag = 'user') => `${tag}-${Date.now().toString(36)}-${counter++}@example.test`;
export const PASSWORD = 'correct horse battery staple';

/** Creates an org with its owner through the service and returns a signed-in client. */
export async function ownerClient(app: App, platform: { auth: { createOrgWithOwner: Function } }, orgName = 'Org') {
  const email = uniqueEmail('owner');
  const created = await (platform.auth.createOrgWithOwner as any)({ orgName, email, password: PASSWORD }, { ip: null, userAgent: null, requestId: null });
  const client = new ApiClient(app);
  const res = await client.login(email, PASSWORD);
  if (res.status !== 200) throw new Error(`login failed: ${JSON.stringify(res.body)}`);
  return { client, email, orgId: created.orgId as string, userId: created.userId as string };
}

export const personaBody = (name = 'Lina') => ({
  name,
  bio: 'A fictional travel photographer.',
  timezone: 'Europe/Paris',
  languages: ['fr', 'en'],
  statedAge: 26,
  attestation: { fictional: true, adult: true, notRealPerson: true },
});
