import { z } from 'zod';
import type { FastifyReply } from 'fastify';
import type { App } from '../http/app.ts';
import type { Platform } from '../platform.ts';
import { originOf, principalOf } from './guard.ts';
import type { Session } from './auth.service.ts';
import { membershipsOf, findUser } from './auth.repository.ts';
import { permissionsOf } from './permissions.ts';
import { eq } from 'drizzle-orm';
import { organizations, roles } from '../db/schema/index.ts';
import { problemResponses } from '../http/schemas.ts';
import { unauthorized } from '../http/problem.ts';
import { consumeOrThrow } from '../http/rate-limit.ts';

export const REFRESH_COOKIE = 'atelier_rt';
const COOKIE_PATH = '/api/v1/auth';

const email = z.string().trim().toLowerCase().email().max(254);
const password = z.string().min(1).max(1024);

export const sessionResponse = z.object({
  accessToken: z.string(),
  tokenType: z.literal('Bearer'),
  expiresIn: z.number().int(),
  orgId: z.string().uuid(),
  role: z.enum(roles),
});

export function authRoutes(app: App, { auth, env, db, rateLimits }: Platform) {
  const limit = (request: { ip: string }) => consumeOrThrow(rateLimits.auth, request.ip);
  const issue = (reply: FastifyReply, session: Session) => {
    reply.setCookie(REFRESH_COOKIE, session.refreshToken, {
      httpOnly: true,
      sameSite: 'strict',
      secure: env.COOKIE_SECURE,
      path: COOKIE_PATH,
      expires: session.refreshExpiresAt,
    });
    return { accessToken: session.accessToken, tokenType: 'Bearer' as const, expiresIn: session.expiresIn, orgId: session.orgId, role: session.role };
  };

  app.post(
    '/api/v1/auth/login',
    {
      config: { access: 'public' },
      schema: {
        tags: ['auth'],
        summary: 'Sign in with email and password (and a TOTP code when 2FA is on)',
        body: z.strictObject({ email, password, totp: z.string().regex(/^\d{6}$/).optional(), orgId: z.string().uuid().optional() }),
        response: { 200: sessionResponse, ...problemResponses(400, 401, 403, 423, 429) },
      },
    },
    async (request, reply) => {
      await limit(request);
      return issue(reply, await auth.login(request.body, originOf(request)));
    },
  );

  app.post(
    '/api/v1/auth/refresh',
    {
      config: { access: 'public' },
      schema: {
        tags: ['auth'],
        summary: 'Rotate the refresh cookie and get a new access token',
        response: { 200: sessionResponse, ...problemResponses(401, 429) },
      },
    },
    async (request, reply) => {
      await limit(request);
      const token = request.cookies[REFRESH_COOKIE];
      try {
        if (!token) throw unauthorized('No session: sign in', 'invalid_refresh');
        return issue(reply, await auth.refresh(token, originOf(request)));
      } catch (error) {
        reply.clearCookie(REFRESH_COOKIE, { path: COOKIE_PATH });
        throw error;
      }
    },
  );

  app.post(
    '/api/v1/auth/logout',
    { config: { access: 'public' }, schema: { tags: ['auth'], summary: 'End this session', response: { 204: z.null() } } },
    async (request, reply) => {
      const bearer = request.headers.authorization?.startsWith('Bearer ') ? request.headers.authorization.slice(7) : null;
      const principal = bearer ? await auth.authenticate(bearer) : null;
      await auth.logout(request.cookies[REFRESH_COOKIE], principal, originOf(request));
      reply.clearCookie(REFRESH_COOKIE, { path: COOKIE_PATH });
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/v1/auth/switch-org',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['auth'],
        security: [{ bearerAuth: [] }],
        body: z.strictObject({ orgId: z.string().uuid() }),
        response: { 200: sessionResponse, ...problemResponses(400, 401, 404) },
      },
    },
    async (request, reply) => issue(reply, await auth.switchOrg(principalOf(request), request.body.orgId, originOf(request))),
  );

  app.get(
    '/api/v1/me',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['auth'],
        summary: 'Who am I, in which organization, allowed to do what',
        security: [{ bearerAuth: [] }],
        response: {
          200: z.object({
            user: z.object({ id: z.string(), email: z.string(), displayName: z.string(), locale: z.string(), totpEnabled: z.boolean() }).nullable(),
            org: z.object({ id: z.string(), name: z.string() }),
            role: z.enum(roles),
            permissions: z.array(z.string()),
            personaScope: z.array(z.string()).nullable(),
            orgs: z.array(z.object({ id: z.string(), name: z.string(), role: z.enum(roles) })),
          }),
          ...problemResponses(401),
        },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const { user, orgs } = await db.withSystem(async (tx) => ({
        user: p.userId ? await findUser(tx, p.userId) : undefined,
        orgs: p.userId ? await membershipsOf(tx, p.userId) : [],
      }));
      const orgName = orgs.find((o) => o.orgId === p.orgId)?.orgName ?? (await orgNameOf(db, p.orgId));
      return {
        user: user ? { id: user.id, email: user.email, displayName: user.displayName, locale: user.locale, totpEnabled: user.totpEnabled } : null,
        org: { id: p.orgId, name: orgName },
        role: p.role,
        permissions: permissionsOf(p.role),
        personaScope: p.personaScope,
        orgs: orgs.map((o) => ({ id: o.orgId, name: o.orgName, role: o.role })),
      };
    },
  );

  app.patch(
    '/api/v1/me',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['auth'],
        summary: 'Update your own display name or interface language',
        security: [{ bearerAuth: [] }],
        body: z.strictObject({ displayName: z.string().trim().min(1).max(120).optional(), locale: z.enum(['en', 'fr']).optional() }),
        response: { 204: z.null(), ...problemResponses(400, 401) },
      },
    },
    async (request, reply) => {
      await auth.updateProfile(principalOf(request), request.body, originOf(request));
      return reply.status(204).send(null);
    },
  );

  const totpCode = z.strictObject({ code: z.string().regex(/^\d{6}$/) });
  app.post(
    '/api/v1/auth/totp/setup',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['auth'],
        summary: 'Start two-factor setup: returns the secret to scan',
        security: [{ bearerAuth: [] }],
        response: { 200: z.object({ secret: z.string(), otpauthUrl: z.string() }), ...problemResponses(400, 401, 409) },
      },
    },
    async (request) => auth.totpSetup(principalOf(request), originOf(request)),
  );
  for (const action of ['enable', 'disable'] as const) {
    app.post(
      `/api/v1/auth/totp/${action}`,
      {
        config: { access: 'authenticated' },
        schema: {
          tags: ['auth'],
          summary: `${action === 'enable' ? 'Turn on' : 'Turn off'} two-factor authentication (needs a current code)`,
          security: [{ bearerAuth: [] }],
          body: totpCode,
          response: { 204: z.null(), ...problemResponses(400, 401, 409) },
        },
      },
      async (request, reply) => {
        const p = principalOf(request);
        if (action === 'enable') await auth.totpEnable(p, request.body.code, originOf(request));
        else await auth.totpDisable(p, request.body.code, originOf(request));
        return reply.status(204).send(null);
      },
    );
  }

  app.get(
    '/api/v1/setup',
    {
      config: { access: 'public' },
      schema: { tags: ['setup'], summary: 'Whether the first-run setup is still open', response: { 200: z.object({ needsSetup: z.boolean() }) } },
    },
    async () => ({ needsSetup: await auth.needsSetup() }),
  );

  app.post(
    '/api/v1/setup',
    {
      config: { access: 'public' },
      schema: {
        tags: ['setup'],
        summary: 'First run: create the organization and its owner (only while no user exists)',
        body: z.strictObject({
          orgName: z.string().trim().min(1).max(120),
          email,
          password: z.string().min(10).max(1024),
          displayName: z.string().trim().min(1).max(120).optional(),
          locale: z.enum(['en', 'fr']).optional(),
        }),
        response: { 200: sessionResponse, ...problemResponses(400, 409, 429) },
      },
    },
    async (request, reply) => {
      await limit(request);
      const origin = originOf(request);
      await auth.createOrgWithOwner(request.body, origin, { onlyIfEmpty: true });
      return issue(reply, await auth.login({ email: request.body.email, password: request.body.password }, origin));
    },
  );
}

async function orgNameOf(db: Platform['db'], orgId: string) {
  const rows = await db.withOrg(orgId, (tx) => tx.select({ name: organizations.name }).from(organizations).where(eq(organizations.id, orgId)));
  return rows[0]?.name ?? '';
}
