import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { WEB_DIST } from '../../src/entry/runtime.ts';

/**
 * The built dashboard for browser tests. Each version of the web sources is built once, into a folder
 * of the OS temp dir named by the sources' hash, and reused while they do not change. Test files that
 * run in parallel share it safely: a lock directory (mkdir is atomic) lets one process build while the
 * others wait, and the build lands under a temporary name renamed into place when complete. web/dist,
 * which `npm start` and developers use, is never touched.
 */
const WEB_ROOT = dirname(WEB_DIST);
const INPUTS = ['src', 'index.html', 'vite.config.ts', 'package.json', 'public', 'tsconfig.json'];
const LOCK_STALE_MS = 3 * 60_000;
const WAIT_MS = 4 * 60_000;

function files(path: string): string[] {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .sort()
    .flatMap((name) => files(join(path, name)));
}

function sourcesHash(): string {
  const hash = createHash('sha256');
  const lock = join(WEB_ROOT, '..', 'package-lock.json');
  for (const file of [...INPUTS.flatMap((p) => files(join(WEB_ROOT, p))), ...(existsSync(lock) ? [lock] : [])]) {
    hash.update(relative(WEB_ROOT, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

function build(outDir: string) {
  const vite = join(dirname(createRequire(import.meta.url).resolve('vite/package.json')), 'bin/vite.js');
  const result = spawnSync(process.execPath, [vite, 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'], { cwd: WEB_ROOT, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`web build failed:\n${result.stdout}\n${result.stderr}`);
}

/** Older builds of other source versions, left by earlier runs. */
function pruneOld(keep: string) {
  const base = tmpdir();
  for (const name of readdirSync(base)) {
    if (!/^atelier-web-[0-9a-f]{16}$/.test(name) || join(base, name) === keep) continue;
    const path = join(base, name);
    if (Date.now() - statSync(path).mtimeMs > 60 * 60_000) rmSync(path, { recursive: true, force: true });
  }
}

export async function builtWeb(): Promise<string> {
  const out = join(tmpdir(), `atelier-web-${sourcesHash()}`);
  const ready = () => existsSync(join(out, 'index.html'));
  if (ready()) return out;
  const lock = `${out}.lock`;
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (ready()) return out;
      // A process that died while building leaves its lock behind.
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > LOCK_STALE_MS) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`timed out waiting for another web build (${lock})`);
      await sleep(200);
    }
  }
  try {
    if (ready()) return out;
    const staging = `${out}.tmp-${process.pid}`;
    build(staging);
    rmSync(out, { recursive: true, force: true });
    renameSync(staging, out);
    pruneOld(out);
    return out;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
