// Builds the player page into player/build/ with esbuild, shaped for the first frame: one minified ES module
// (Epic's frontend bundled in) and a tiny classic script that opens the signalling socket while that module
// downloads and compiles, both with content-hashed names (cacheable for good), the CSS inlined in the HTML
// (nothing render-blocking), and every text file also precompressed with brotli and gzip for
// common/player-page.ts to serve. Skips the work when the output is newer than every input, so `prestart`
// and `pretest` cost nothing after the first run. `--force` rebuilds anyway.
import { build, stop, transform, type BuildOptions } from 'esbuild';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const here = path.dirname(fileURLToPath(import.meta.url));
const src = path.join(here, 'src');
const out = path.join(here, 'build');
/** Written last: its time stamp says the whole build is complete. */
const stamp = path.join(out, 'index.html');
/** Files served precompressed (source maps are only fetched by developer tools). */
const COMPRESSED = /\.(html|js|css|txt)$/;

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

/** Bundles `entry` into `out` with a content-hashed name and returns that name. */
async function bundle(entry: string, options: BuildOptions): Promise<string> {
  const result = await build({
    entryPoints: [path.join(src, entry)],
    outdir: out,
    entryNames: '[name]-[hash]',
    bundle: true,
    target: ['chrome110', 'firefox115', 'safari16'],
    minify: true,
    metafile: true,
    logLevel: 'warning',
    ...options,
  });
  const file = Object.keys(result.metafile?.outputs ?? {}).find((f) => f.endsWith('.js'));
  if (!file) throw new Error(`esbuild wrote no script for ${entry}`);
  return path.basename(file);
}

/** The page shell with the CSS inlined and the hashed script names in place of the source names. */
export function pageHtml(shell: string, css: string, scripts: Record<string, string>): string {
  let html = shell.replace(
    /<link rel="stylesheet" href="player\.css" \/>/,
    () => `<style>${css.trimEnd()}</style>`,
  );
  for (const [name, hashed] of Object.entries(scripts)) {
    if (!html.includes(`src="${name}"`)) throw new Error(`index.html does not load ${name}`);
    html = html.replace(`src="${name}"`, `src="${hashed}"`);
  }
  return html;
}

export async function buildPlayer(force = false): Promise<boolean> {
  if (!force && existsSync(stamp) && statSync(stamp).mtimeMs >= newestInput()) return false;
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const player = await bundle('player.ts', { format: 'esm', sourcemap: true, legalComments: 'linked' });
  const connect = await bundle('connect.ts', { format: 'iife' });
  const css = await transform(readFileSync(path.join(src, 'player.css'), 'utf8'), {
    loader: 'css',
    minify: true,
  });
  // esbuild keeps a service child process alive after a build; a long-running caller (npm start) must not
  // carry it around.
  await stop();
  const html = pageHtml(readFileSync(path.join(src, 'index.html'), 'utf8'), css.code, {
    'player.js': player,
    'connect.js': connect,
  });
  writeFileSync(path.join(out, 'index.tmp'), html);
  for (const f of [...readdirSync(out), 'index.html'].filter((f) => COMPRESSED.test(f))) {
    const body = readFileSync(path.join(out, f === 'index.html' ? 'index.tmp' : f));
    writeFileSync(
      path.join(out, `${f}.br`),
      brotliCompressSync(body, {
        params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: body.length },
      }),
    );
    writeFileSync(path.join(out, `${f}.gz`), gzipSync(body, { level: 9 }));
  }
  writeFileSync(stamp, html);
  rmSync(path.join(out, 'index.tmp'));
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
