// Bundles the TURN entrypoint and its health probe into two self-contained ESM files for the image
// (dist/turn/main.mjs, dist/turn/probe.mjs): the runtime stage then needs node and coturn, no node_modules.
import { build } from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outdir = process.argv[2] ?? path.join(root, 'dist', 'turn');

await build({
  absWorkingDir: root,
  entryPoints: { main: 'turn/main.ts', probe: 'turn/probe-main.ts' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  outdir,
  outExtension: { '.js': '.mjs' },
  minify: false,
  legalComments: 'inline',
  // Some bundled dependencies are CommonJS and call require(); give the ESM bundle one.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
console.log(`bundled TURN entrypoint into ${path.relative(root, outdir) || '.'}`);
