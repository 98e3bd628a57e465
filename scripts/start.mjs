// `npm start`: the whole product on the embedded defaults. The API starts at once; when the dashboard
// has not been built yet (fresh clone) or its sources changed, `vite build` runs beside it and the
// server serves the new files as soon as they exist.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'web', 'dist', 'index.html');

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

const webSources = [join(root, 'web', 'src'), join(root, 'web', 'index.html')];
const stale =
  !existsSync(dist) ||
  webSources.some((p) => existsSync(p) && (statSync(p).isDirectory() ? newestMtime(p) : statSync(p).mtimeMs) > statSync(dist).mtimeMs);

// ATELIER_WEB_BUILD=off serves whatever web/dist holds (tests, or an image built beforehand).
if (process.env.ATELIER_WEB_BUILD !== 'off' && stale && existsSync(join(root, 'web', 'index.html'))) {
  const build = spawn(process.execPath, [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'warn'], {
    cwd: join(root, 'web'),
    stdio: 'inherit',
  });
  build.on('exit', (code) => {
    if (code === 0) console.log('Dashboard built.');
    else console.error(`Dashboard build failed (exit ${code}); the API keeps running.`);
  });
}

await import('../server/src/entry/start.ts');
