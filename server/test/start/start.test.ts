import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));

describe('npm start', () => {
  it('is healthy within 20 s with no configuration, and stops cleanly', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'atelier-start-'));
    // Only what a shell gives any program and no Atelier setting, except: a private data dir, PORT=0 to
    // avoid clashes, and no dashboard rebuild (other tests read web/dist at the same time).
    const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? dataDir, ATELIER_DATA_DIR: dataDir, PORT: '0', ATELIER_WEB_BUILD: 'off' };
    const started = Date.now();
    const child = spawn(process.execPath, [join(root, 'scripts/start.mjs')], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no start within 20 s:\n${output}`)), 20_000);
        const check = () => {
          const match = /Atelier is up at (http:\/\/[^"\s]+)/.exec(output);
          if (match) {
            clearTimeout(timer);
            resolve(match[1]!);
          }
        };
        child.stdout.on('data', check);
        child.on('exit', (code) => reject(new Error(`exited with ${code}:\n${output}`)));
      });
      let healthy = false;
      while (!healthy && Date.now() - started < 20_000) {
        const res = await fetch(`${url}/healthz`).catch(() => null);
        healthy = res?.status === 200 && ((await res.json()) as { status?: string }).status === 'ok';
        if (!healthy) await new Promise((r) => setTimeout(r, 200));
      }
      expect(healthy).toBe(true);
      expect(Date.now() - started).toBeLessThan(20_000);
      // The embedded default generated its master key, readable by the owner only.
      expect((await stat(join(dataDir, 'master.key'))).mode & 0o777).toBe(0o600);
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 40_000);
});
