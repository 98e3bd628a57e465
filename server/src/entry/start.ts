import type { AddressInfo } from 'node:net';
import { ConfigError, loadEnv } from '../platform/config/env.ts';
import { startRuntime, stopOnSignals } from './runtime.ts';

// Everything in one process: API, web, and workers (unless ATELIER_RUN_WORKERS=false).
try {
  const env = loadEnv();
  const runtime = await startRuntime(env, { http: true, workers: env.ATELIER_RUN_WORKERS });
  stopOnSignals(runtime);
  const { port } = runtime.app!.server.address() as AddressInfo;
  const where = `http://${env.HOST.includes(':') ? `[${env.HOST}]` : env.HOST}:${port}`;
  runtime.platform.log.info(
    { url: where, database: runtime.platform.db.kind, storage: runtime.platform.storage.kind, workers: env.ATELIER_RUN_WORKERS },
    `Atelier is up at ${where}`,
  );
  if (await runtime.platform.auth.needsSetup()) {
    runtime.platform.log.info(`First run: open ${where}/ to create the owner account, or run: npm run cli -- create-admin --org NAME --email E --password P`);
  }
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(2);
  }
  throw error;
}
