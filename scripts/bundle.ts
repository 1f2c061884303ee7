// Compiles each deployable into one self-contained ESM file with esbuild, for the images:
//   npm run build:bundles [-- --outdir DIR] [-- component...]   (default: all into dist/bundles/<component>/)
// An image then needs node and the bundle, no node_modules and no TypeScript loader. The tests run the
// sources; test/bundles.e2e.test.ts starts every bundle, so a bundle cannot drift from them unnoticed.
import { build, type Plugin } from 'esbuild';
import { cpSync, mkdirSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

interface Component {
  /** Output file name (without .mjs) → source entry point. */
  readonly entries: Readonly<Record<string, string>>;
  /** Files the code finds next to itself at run time (repository path → path under the bundle folder). */
  readonly assets?: Readonly<Record<string, string>>;
}

export const COMPONENTS = {
  signalserver: { entries: { main: 'signalserver/main.ts' } },
  router: { entries: { main: 'router/main.ts' } },
  streamer: {
    entries: { main: 'streamer/main.ts' },
    // media-source.ts looks for its fallback clip in assets/ beside the module.
    assets: { 'streamer/assets/fallback-vp8.webm': 'assets/fallback-vp8.webm' },
  },
  turn: { entries: { main: 'turn/main.ts', probe: 'turn/probe-main.ts' } },
} as const satisfies Record<string, Component>;

export type ComponentName = keyof typeof COMPONENTS;

export function isComponentName(name: string): name is ComponentName {
  return Object.hasOwn(COMPONENTS, name);
}

/**
 * Node's built-in modules reached through `require` instead of `import`. An ESM import of a built-in builds
 * its ESM facade, which reads every export once: for node:http that loads Node's whole internal fetch
 * implementation (undici), about a third of the sidecar's start-up CPU, for nothing the kit uses.
 */
const builtinsThroughRequire: Plugin = {
  name: 'builtins-through-require',
  setup(b) {
    b.onResolve({ filter: /^[a-z][a-z0-9_/:]*$/ }, (args) =>
      isBuiltin(args.path) && (args.kind === 'import-statement' || args.kind === 'dynamic-import')
        ? { path: args.path, namespace: 'builtin' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'builtin' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(args.path)});`,
      loader: 'js',
    }));
  },
};

/** Bundles one component into `outdir` (main.mjs, and its other entries and assets beside it). */
export async function bundleComponent(name: ComponentName, outdir: string): Promise<void> {
  const component: Component = COMPONENTS[name];
  await build({
    absWorkingDir: root,
    entryPoints: component.entries,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    outdir,
    outExtension: { '.js': '.mjs' },
    // Whitespace and syntax only: identifiers keep their names, so stack traces stay readable.
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: 'eof',
    // ws loads these optional native speed-ups when installed; it works without them.
    external: ['bufferutil', 'utf-8-validate'],
    // Some bundled dependencies are CommonJS and call require(); give the ESM bundle one.
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
    plugins: [builtinsThroughRequire],
    logLevel: 'warning',
  });
  for (const [from, to] of Object.entries(component.assets ?? {})) {
    mkdirSync(path.dirname(path.join(outdir, to)), { recursive: true });
    cpSync(path.join(root, from), path.join(outdir, to));
  }
}

async function main(argv: string[]): Promise<void> {
  let outRoot = path.join(root, 'dist', 'bundles');
  const names: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--outdir') outRoot = path.resolve(argv[++i] ?? '');
    else names.push(arg);
  }
  const unknown = names.filter((n) => !isComponentName(n));
  if (unknown.length > 0) {
    process.stderr.write(
      `bundle: unknown component(s) ${unknown.join(', ')}; one of ${Object.keys(COMPONENTS).join(', ')}\n`,
    );
    process.exit(2);
  }
  const chosen =
    names.length > 0 ? names.filter(isComponentName) : (Object.keys(COMPONENTS) as ComponentName[]);
  for (const name of chosen) {
    const outdir = path.join(outRoot, name);
    await bundleComponent(name, outdir);
    process.stdout.write(`bundled ${name} into ${path.relative(process.cwd(), outdir) || '.'}\n`);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main(process.argv.slice(2));
}
