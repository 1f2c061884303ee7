// Compiles each deployable into one self-contained ESM file with esbuild, for the images:
//   npm run build:bundles [-- --outdir DIR] [-- component...]   (default: all into dist/bundles/<component>/)
// An image then needs node and the bundle, no node_modules and no TypeScript loader. The tests run the
// sources; test/bundles.e2e.test.ts starts every bundle, so a bundle cannot drift from them unnoticed.
import { build, type Plugin } from 'esbuild';
import { cpSync, mkdirSync, readFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

interface Component {
  /** Output file name (without .mjs) → source entry point. */
  readonly entries: Readonly<Record<string, string>>;
  /** Files the code finds next to itself at run time (repository path → path under the bundle folder). */
  readonly assets?: Readonly<Record<string, string>>;
  /**
   * Code reached only through `import()` goes to files of its own beside main.mjs, read when first imported
   * (esbuild's splitting) instead of being parsed and held in memory by every process.
   */
  readonly splitting?: boolean;
}

export const COMPONENTS = {
  signalserver: { entries: { main: 'signalserver/main.ts' } },
  // The Kubernetes client (about 5 MB with its HTTP stack) is imported only with DISCOVERY=kubernetes.
  router: { entries: { main: 'router/main.ts' }, splitting: true },
  streamer: {
    entries: { main: 'streamer/main.ts' },
    // media-source.ts looks for its fallback clip in assets/ beside the module.
    assets: { 'streamer/assets/fallback-vp8.webm': 'assets/fallback-vp8.webm' },
  },
  turn: { entries: { main: 'turn/main.ts', probe: 'turn/probe-main.ts' } },
} as const satisfies Record<string, Component>;

export type ComponentName = keyof typeof COMPONENTS;

/** The image of the node-only services (the sidecar and the router): one Dockerfile, the component a build arg. */
const NODE_SERVICE_DOCKERFILE = 'docker/node-service.Dockerfile';
/** The variables of that image's `ENV` that tune node itself (V8 flags, malloc). */
const NODE_TUNING = /^(NODE_OPTIONS|MALLOC_[A-Z_]+)$/;

/**
 * The node settings the sidecar's and the router's image runs with, read from its Dockerfile's `ENV` lines:
 * what the benchmarks and the bundle test start those bundles with, so they measure what ships.
 */
export function nodeServiceTuning(): Record<string, string> {
  const text = readFileSync(path.join(root, NODE_SERVICE_DOCKERFILE), 'utf8').replace(/\\\n/g, ' ');
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    if (!line.startsWith('ENV ')) continue;
    for (const [, key, value] of line.matchAll(/([A-Z_][A-Z0-9_]*)=(\S+)/g))
      if (NODE_TUNING.test(key!)) env[key!] = value!;
  }
  return env;
}

function isComponentName(name: string): name is ComponentName {
  return Object.hasOwn(COMPONENTS, name);
}

/**
 * Built-ins that only some paths use (TLS: a sidecar or router talking plain HTTP inside the cluster never
 * does), loaded when first used rather than at start: once loaded, node:https and node:tls hold about
 * 5 MB of resident memory for the life of the process. ws, cloudevents and prom-client require them at load.
 */
const LOADED_ON_FIRST_USE = new Set(['https', 'tls']);

/**
 * A stand-in for module `name` (a built-in, or a file's path) that requires it when a property is first read. `__esModule` is what
 * esbuild's interop helpers read at start; answering it must not load the module.
 */
function loadOnFirstUse(name: string): string {
  return `let mod;
const real = () => (mod ??= require(${JSON.stringify(name)}));
module.exports = new Proxy({}, {
  get: (_, key) => (key === '__esModule' && mod === undefined ? undefined : Reflect.get(real(), key)),
  set: (_, key, value) => Reflect.set(real(), key, value),
  has: (_, key) => Reflect.has(real(), key),
  ownKeys: () => Reflect.ownKeys(real()),
  getOwnPropertyDescriptor: (_, key) => {
    const d = Reflect.getOwnPropertyDescriptor(real(), key);
    return d && { ...d, configurable: true };
  },
  getPrototypeOf: () => Reflect.getPrototypeOf(real()),
});`;
}

/**
 * Node's built-in modules reached through `require` instead of `import`. An ESM import of a built-in builds
 * its ESM facade, which reads every export once: for node:http that loads Node's whole internal fetch
 * implementation (undici), about a third of the sidecar's start-up CPU, for nothing the kit uses.
 * Built-ins in LOADED_ON_FIRST_USE get the stand-in whichever way they are reached.
 */
const builtinsThroughRequire: Plugin = {
  name: 'builtins-through-require',
  setup(b) {
    b.onResolve({ filter: /^[a-z][a-z0-9_/:]*$/ }, (args) => {
      // The stand-in's own require of the module stays a plain require.
      if (!isBuiltin(args.path) || args.namespace === 'builtin-lazy') return undefined;
      if (LOADED_ON_FIRST_USE.has(args.path.replace(/^node:/, '')))
        return { path: args.path, namespace: 'builtin-lazy' };
      return args.kind === 'import-statement' || args.kind === 'dynamic-import'
        ? { path: args.path, namespace: 'builtin' }
        : undefined;
    });
    b.onLoad({ filter: /.*/, namespace: 'builtin' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(args.path)});`,
      loader: 'js',
    }));
    b.onLoad({ filter: /.*/, namespace: 'builtin-lazy' }, (args) => ({
      contents: loadOnFirstUse(args.path),
      loader: 'js',
    }));
  },
};

/**
 * Packages the services load at start for paths an idle process never takes, loaded on first use instead
 * (the same stand-in): iconv-lite (about 2 MB resident) decodes the first request body; body-parser and
 * raw-body require it at load. (mime-types would not gain: express sets every Content-Type through it, so
 * the first health probe loads it.)
 */
const PACKAGES_ON_FIRST_USE = /^iconv-lite$/;

const packagesOnFirstUse: Plugin = {
  name: 'packages-on-first-use',
  setup(b) {
    // Each copy (version) of the package gets its own stand-in, which requires it by its resolved path.
    b.onResolve({ filter: PACKAGES_ON_FIRST_USE }, async (args) => {
      if ((args.pluginData as { real?: boolean } | undefined)?.real) return undefined;
      const real = await b.resolve(args.path, {
        resolveDir: args.resolveDir,
        kind: args.kind,
        pluginData: { real: true },
      });
      return real.errors.length > 0 ? undefined : { path: real.path, namespace: 'package-lazy' };
    });
    b.onLoad({ filter: /.*/, namespace: 'package-lazy' }, (args) => ({
      contents: loadOnFirstUse(args.path),
      resolveDir: path.dirname(args.path),
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
    splitting: component.splitting ?? false,
    chunkNames: 'lazy/[name]-[hash]',
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
    plugins: [builtinsThroughRequire, packagesOnFirstUse],
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
