import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ConfigError, loadEnv } from '../platform/config/env.ts';
import { createPlatform } from '../platform/platform.ts';
import { buildApp } from '../platform/http/app.ts';
import { createKeyring, parseOldKeys } from '../platform/secrets/crypto.ts';
import { MASTER_KEY_FILE } from '../platform/secrets/master-key.ts';
import { resealDatabase } from '../platform/secrets/secret-store.ts';
import { capabilities } from '../capabilities.ts';
import { seedDemo } from '../demo/seed.ts';
import { startRuntime, stopOnSignals } from './runtime.ts';
import { serveMetrics } from '../platform/observability/metrics-server.ts';

const USAGE = `Usage: npm run cli -- <command> [options]

Commands:
  create-admin --org NAME --email EMAIL --password PASSWORD [--name DISPLAY_NAME]
                 Create an organization and its owner account.
  worker         Run the job workers only (scale-out: start as many as you like).
  rotate-key [--new-key BASE64]
                 Re-seal every stored secret under a new master key (generated when not given).
  openapi        Print the OpenAPI document (JSON) to stdout.
  demo [--email EMAIL] [--password PASSWORD]
                 Seed a demo organisation: a persona, generated SFW images, a sandbox channel and two
                 weeks of scheduled posts (the sandbox writes to <data dir>/outbox).
`;

const origin = { ip: null, userAgent: 'atelier-cli', requestId: null };

async function main(argv: string[]) {
  const [command, ...rest] = argv;
  const env = loadEnv();
  switch (command) {
    case 'create-admin': {
      const { values } = parseArgs({
        args: rest,
        options: { org: { type: 'string' }, email: { type: 'string' }, password: { type: 'string' }, name: { type: 'string' } },
      });
      if (!values.org || !values.email || !values.password) return fail('create-admin needs --org, --email and --password');
      if (values.password.length < 10) return fail('the password needs at least 10 characters');
      const platform = await createPlatform({ ...env, LOG_LEVEL: 'warn' });
      try {
        const created = await platform.auth.createOrgWithOwner(
          { orgName: values.org, email: values.email.toLowerCase(), password: values.password, displayName: values.name },
          origin,
        );
        console.log(`Created organization "${values.org}" (${created.orgId}) with owner ${values.email}.`);
      } finally {
        await platform.close();
      }
      return 0;
    }
    case 'worker': {
      const runtime = await startRuntime(env, { http: false, workers: true });
      if (env.WORKER_METRICS_PORT) {
        const metrics = await serveMetrics(runtime.platform.metrics.registry, { host: env.HOST, port: env.WORKER_METRICS_PORT });
        runtime.platform.onClose(() => metrics.close());
      }
      stopOnSignals(runtime);
      runtime.platform.log.info({ queues: runtime.platform.jobs.names }, 'workers running');
      return null;
    }
    case 'rotate-key':
      return rotateKey(env, rest);
    case 'demo': {
      const { values } = parseArgs({ args: rest, options: { email: { type: 'string' }, password: { type: 'string' } } });
      const email = (values.email ?? 'demo@atelier.local').toLowerCase();
      const password = values.password ?? randomBytes(12).toString('base64url');
      const platform = await createPlatform({ ...env, LOG_LEVEL: 'warn' });
      try {
        for (const capability of capabilities) capability.jobs?.(platform);
        await platform.jobs.start();
        const demo = await seedDemo(platform, { email, password });
        console.log(`Demo organisation ready: ${demo.posts} posts scheduled over two weeks to a sandbox channel.`);
        console.log(`Sign in with ${email} / ${password}`);
      } finally {
        await platform.close();
      }
      return 0;
    }
    case 'openapi': {
      const platform = await createPlatform({ ...env, LOG_LEVEL: 'silent', ATELIER_DATA_DIR: env.ATELIER_DATA_DIR });
      try {
        const app = await buildApp(platform, capabilities, { webDist: null });
        await app.ready();
        process.stdout.write(`${JSON.stringify(app.swagger(), null, 2)}\n`);
        await app.close();
      } finally {
        await platform.close();
      }
      return 0;
    }
    default:
      process.stdout.write(USAGE);
      return command && command !== 'help' && command !== '--help' ? 2 : 0;
  }
}

async function rotateKey(env: ReturnType<typeof loadEnv>, args: string[]) {
  const { values } = parseArgs({ args, options: { 'new-key': { type: 'string' } } });
  const nextKey = values['new-key'] ?? randomBytes(32).toString('base64');
  const platform = await createPlatform({ ...env, LOG_LEVEL: 'warn' });
  try {
    const current = platform.keyring;
    const next = createKeyring({ current: nextKey, older: [] });
    // Old keys stay readable during the re-seal; after it, nothing needs them.
    const reader = createKeyring({ current: nextKey, older: [...parseOldKeys(env.ATELIER_OLD_MASTER_KEYS), await currentKeyOf(env)] });
    const counts = await platform.db.withSystem((tx) => resealDatabase(tx, reader, next));
    console.log(`Re-sealed ${counts.secrets} secrets and ${counts.totp} two-factor seeds (old key ${current.currentKeyId} → ${next.currentKeyId}).`);
    if (env.ATELIER_MASTER_KEY) {
      console.log('Now set ATELIER_MASTER_KEY to the new key below and restart every Atelier process. Signed-in users will be asked to refresh.');
      console.log(nextKey);
    } else {
      const file = join(resolve(env.ATELIER_DATA_DIR), MASTER_KEY_FILE);
      await writeFile(`${file}.new`, `${nextKey}\n`, { mode: 0o600 });
      await rename(`${file}.new`, file);
      console.log(`The new key is in ${file}. Restart Atelier.`);
    }
  } finally {
    await platform.close();
  }
  return 0;
}

async function currentKeyOf(env: ReturnType<typeof loadEnv>) {
  const { resolveMasterKey } = await import('../platform/secrets/master-key.ts');
  return resolveMasterKey({ envKey: env.ATELIER_MASTER_KEY, dataDir: resolve(env.ATELIER_DATA_DIR), production: env.NODE_ENV === 'production' });
}

function fail(message: string) {
  console.error(`${message}\n\n${USAGE}`);
  return 2;
}

try {
  const code = await main(process.argv.slice(2));
  if (code !== null) process.exit(code);
} catch (error) {
  console.error(error instanceof ConfigError || error instanceof Error ? error.message : error);
  process.exit(1);
}
