// Builds the player page into player/build/ with esbuild: one minified ES module (Epic's frontend bundled
// in), the HTML and the CSS. Skips the work when the output is newer than every input, so `prestart` and
// `pretest` cost nothing after the first run. `--force` rebuilds anyway.
import { build, stop } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const src = path.join(here, 'src');
const out = path.join(here, 'build');
const bundle = path.join(out, 'player.js');

function newestInput(): number {
  const files = readdirSync(src).map((f) => path.join(src, f));
  // The page also bundles the router's message contract from common/.
  files.push(
    fileURLToPath(import.meta.url),
    path.join(here, '..', 'package-lock.json'),
    path.join(here, '..', 'common', 'router-messages.ts'),
  );
  return Math.max(...files.filter((f) => existsSync(f)).map((f) => statSync(f).mtimeMs));
}

export async function buildPlayer(force = false): Promise<boolean> {
  const outputs = ['player.js', 'index.html', 'player.css'].map((f) => path.join(out, f));
  if (
    !force &&
    outputs.every((f) => existsSync(f)) &&
    Math.min(...outputs.map((f) => statSync(f).mtimeMs)) >= newestInput()
  )
    return false;
  mkdirSync(out, { recursive: true });
  await build({
    entryPoints: [path.join(src, 'player.ts')],
    outfile: bundle,
    bundle: true,
    format: 'esm',
    target: ['chrome110', 'firefox115', 'safari16'],
    minify: true,
    sourcemap: true,
    legalComments: 'linked',
    logLevel: 'warning',
  });
  // esbuild keeps a service child process alive after a build; a long-running caller (npm start) must not
  // carry it around.
  await stop();
  for (const f of ['index.html', 'player.css']) copyFileSync(path.join(src, f), path.join(out, f));
  return true;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  const built = await buildPlayer(process.argv.includes('--force'));
  process.stdout.write(
    built
      ? `player page built into ${path.relative(process.cwd(), out)}/ in ${Date.now() - started} ms\n`
      : 'player page up to date\n',
  );
}
