import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Env } from '../platform/config/env.ts';
import { createPlatform, type Platform } from '../platform/platform.ts';
import { buildApp, type App } from '../platform/http/app.ts';
import { capabilities } from '../capabilities.ts';

export const WEB_DIST = resolve(dirname(fileURLToPath(import.meta.url)), '../../../web/dist');

export interface Runtime {
  platform: Platform;
  app: App | null;
  stop(): Promise<void>;
}

/**
 * Builds the process: platform, jobs, and (unless workers-only) the HTTP app. `start` runs both,
 * `cli worker` runs jobs only, tests run whichever they need.
 */
export async function startRuntime(env: Env, opts: { http: boolean; workers: boolean; webDist?: string | null; listen?: boolean }): Promise<Runtime> {
  const platform = await createPlatform(env);
  for (const capability of capabilities) capability.jobs?.(platform);
  await platform.jobs.start();
  if (opts.workers) await platform.jobs.work();
  let app: App | null = null;
  if (opts.http) {
    app = await buildApp(platform, capabilities, { webDist: opts.webDist === undefined ? WEB_DIST : opts.webDist });
    if (opts.listen !== false) await app.listen({ host: env.HOST, port: env.PORT });
    else await app.ready();
  }
  let stopping: Promise<void> | null = null;
  return {
    platform,
    app,
    stop() {
      stopping ??= (async () => {
        await app?.close();
        await platform.close();
      })();
      return stopping;
    },
  };
}

/** Ends the process cleanly on SIGINT/SIGTERM: in-flight requests and jobs finish first. */
export function stopOnSignals(runtime: Runtime) {
  const stop = (signal: string) => {
    runtime.platform.log.info({ signal }, 'shutting down');
    runtime
      .stop()
      .then(() => process.exit(0))
      .catch((err) => {
        runtime.platform.log.error({ err }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}
