// Compiles each deployable into one self-contained ESM file with esbuild, for the images, and beside it the
// files it reads only when a path needs them (split chunks; PACKAGES_ON_FIRST_USE):
//   npm run build:bundles [-- --outdir DIR] [-- component...]   (default: all into dist/bundles/<component>/)
// An image then needs node and the bundle's folder, no node_modules and no TypeScript loader. The tests run
// the sources; test/bundles.e2e.test.ts starts every bundle, so a bundle cannot drift from them unnoticed.
import { build, type BuildOptions, type Plugin } from 'esbuild';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
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
  // CloudEvents are imported only with EVENTS_SINK_URL.
  signalserver: { entries: { main: 'signalserver/main.ts' }, splitting: true },
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
 * How the file of a package loaded on first use is named. It lies beside main.mjs, in the one folder of all
 * the bundle's files (split chunks too), so that a stand-in finds it at `./lazy-…` whichever file holds it.
 */
const LAZY = 'lazy-';

/** The lines every stand-in starts with: `real()` requires `specifier` on its first call. */
function realOnFirstCall(specifier: string): string {
  return `let mod;
const real = () => (mod ??= require(${JSON.stringify(specifier)}));`;
}

/**
 * A stand-in for module `specifier` (a built-in, or a lazy file of the bundle) that requires it when a
 * property is first read. `__esModule` is what esbuild's interop helpers read at start; answering it must
 * not load the module.
 */
function loadOnFirstUse(specifier: string): string {
  return `${realOnFirstCall(specifier)}
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

const requireHere = createRequire(import.meta.url);

/**
 * The module an `import` of built-in `name` gets: one export per export of the built-in, each read once
 * when the bundle starts and dropped by esbuild when nothing imports it, and the module itself as default.
 * (esbuild's own interop for a CommonJS module would copy every export of it into a new object of getters
 * at each importing file: about 1,000 closures for the sidecar's imports of crypto, fs, http, events.) The
 * names are those of the building node; an import of a name it lacks fails the build.
 */
function builtinFacade(name: string): string {
  const names = Object.keys(requireHere(name) as object).filter((key) => key !== 'default');
  const lines = [`const m = require(${JSON.stringify(name)});`];
  names.forEach((key, i) => lines.push(`const e${i} = /* @__PURE__ */ (() => m[${JSON.stringify(key)}])();`));
  lines.push(`export { ${names.map((key, i) => `e${i} as ${JSON.stringify(key)}`).join(', ')} };`);
  lines.push('export default m;');
  return lines.join('\n');
}

/**
 * Node's built-in modules reached through `require` instead of `import`. An ESM import of a built-in builds
 * its ESM facade, which reads every export once: for node:http that loads Node's whole internal fetch
 * implementation (undici), about a third of the sidecar's start-up CPU, for nothing the kit uses. An
 * `import` gets builtinFacade's module, which reads only the exports the bundle imports. Built-ins in
 * LOADED_ON_FIRST_USE get the stand-in whichever way they are reached, so their default import loads
 * nothing at start (a named import of one would).
 */
const builtinsThroughRequire: Plugin = {
  name: 'builtins-through-require',
  setup(b) {
    b.onResolve({ filter: /^[a-z][a-z0-9_/:]*$/ }, (args) => {
      // The stand-in's own require of the module stays a plain require.
      if (!isBuiltin(args.path) || args.namespace === 'builtin-lazy') return undefined;
      if (args.kind === 'import-statement' || args.kind === 'dynamic-import')
        return { path: args.path, namespace: 'builtin' };
      // A require, the facade's included.
      return LOADED_ON_FIRST_USE.has(args.path.replace(/^node:/, ''))
        ? { path: args.path, namespace: 'builtin-lazy' }
        : undefined;
    });
    b.onLoad({ filter: /.*/, namespace: 'builtin' }, (args) => ({
      contents: builtinFacade(args.path),
      loader: 'js',
    }));
    b.onLoad({ filter: /.*/, namespace: 'builtin-lazy' }, (args) => ({
      contents: loadOnFirstUse(args.path),
      loader: 'js',
    }));
  },
};

/**
 * Packages the services load at start for paths an idle process never takes. Each is compiled into a file
 * of its own (LAZY), read on first use through the stand-in above, so an idle process neither runs
 * nor holds its code: iconv-lite decodes the first request body (body-parser and raw-body require it at
 * load; 0.5 MB of source), qs parses only "extended" query strings and urlencoded bodies (express and
 * body-parser require it at load), @opentelemetry/api only serves exemplars (prom-client requires it at
 * load). Together about 2 MB of the sidecar's idle memory.
 */
const PACKAGES_ON_FIRST_USE = /^(iconv-lite|qs|@opentelemetry\/api)$/;

/**
 * mime-types loads mime-db, 2,400 types (1.5 MB of the sidecar's idle memory), and express asks it for
 * every Content-Type it sets, health probes included. Its stand-in answers `contentType` and `lookup` for
 * the inputs below from a table the real module computed at build time, and loads the real module (a lazy
 * file) for any other input or any other export.
 */
const MIME_EXTENSIONS = (
  'html htm js mjs css json map txt text bin xml svg png jpg jpeg gif webp avif ico wasm woff woff2 ttf otf ' +
  'webm mp4 mp3 ogg wav pdf zip gz br webmanifest'
).split(' ');
const MIME_TYPES = [
  'application/json',
  'text/html',
  'text/plain',
  'text/javascript',
  'text/css',
  'application/javascript',
  'application/octet-stream',
  'application/problem+json',
  'application/cloudevents+json',
  'application/x-www-form-urlencoded',
  'multipart/form-data',
  'image/svg+xml',
];

interface MimeTypes {
  contentType(input: string): string | false;
  lookup(input: string): string | false;
}

function mimeTypesStandIn(realPath: string, lazyFile: string): string {
  const real = requireHere(realPath) as MimeTypes & Record<string, unknown>;
  const lookup: Record<string, string | false> = {};
  const contentType: Record<string, string | false> = {};
  const inputs = ['', ...MIME_TYPES];
  for (const ext of MIME_EXTENSIONS)
    for (const input of [ext, `.${ext}`]) {
      lookup[input] = real.lookup(input);
      inputs.push(input);
    }
  // Each answer is asked again: res.type('html') sets 'text/html; charset=utf-8' through contentType.
  for (let input = inputs.shift(); input !== undefined; input = inputs.shift()) {
    if (Object.hasOwn(contentType, input)) continue;
    const answer = (contentType[input] = real.contentType(input));
    if (answer) inputs.push(answer);
  }
  const others = Object.keys(real).filter((key) => key !== 'contentType' && key !== 'lookup');
  return `${realOnFirstCall(lazyFile)}
const contentTypes = ${JSON.stringify(contentType)};
const lookups = ${JSON.stringify(lookup)};
const known = (table, s) => typeof s === 'string' && Object.hasOwn(table, s);
exports.contentType = (s) => (known(contentTypes, s) ? contentTypes[s] : real().contentType(s));
exports.lookup = (s) => (known(lookups, s) ? lookups[s] : real().lookup(s));
for (const key of ${JSON.stringify(others)})
  Object.defineProperty(exports, key, { enumerable: true, get: () => real()[key] });`;
}

/**
 * debug (express, its router, body-parser and send each make debuggers at load) logs only when DEBUG names
 * what to log. Its stand-in loads it (a lazy file) when DEBUG is set at start, as the real module
 * reads it at load; otherwise it makes debuggers that are off, without loading debug and the tty module
 * it checks for colours. Anything else read from it loads the real module.
 */
function debugStandIn(_realPath: string, lazyFile: string): string {
  return `${realOnFirstCall(lazyFile)}
const off = (namespace) =>
  Object.assign(() => {}, {
    namespace,
    enabled: false,
    extend: (sub, delimiter = ':') => off(namespace + delimiter + sub),
  });
module.exports = process.env.DEBUG
  ? real()
  : new Proxy(off, {
      get: (target, key) => (key === '__esModule' ? undefined : Reflect.get(real(), key)),
      apply: (target, self, args) => off(...args),
    });`;
}

/** Packages whose stand-in is more than loadOnFirstUse, by name: (resolved path, lazy file) → source. */
const STAND_INS: Readonly<Record<string, (realPath: string, lazyFile: string) => string>> = {
  'mime-types': mimeTypesStandIn,
  debug: debugStandIn,
};

/**
 * The stand-ins of PACKAGES_ON_FIRST_USE and STAND_INS. Each copy (version) of a package gets its own file,
 * `lazy-<name>-<hash of its path>.cjs`; `lazyFiles` collects them (file → entry point) for bundleComponent
 * to compile.
 */
function packagesOnFirstUse(lazyFiles: Map<string, string>): Plugin {
  const names = [PACKAGES_ON_FIRST_USE.source, ...Object.keys(STAND_INS).map((n) => `^${n}$`)];
  return {
    name: 'packages-on-first-use',
    setup(b) {
      b.onResolve({ filter: new RegExp(names.join('|')) }, async (args) => {
        // The resolution of the real package below comes through here too: leave it to esbuild.
        if ((args.pluginData as { real?: boolean } | undefined)?.real) return undefined;
        const real = await b.resolve(args.path, {
          resolveDir: args.resolveDir,
          kind: args.kind,
          pluginData: { real: true },
        });
        if (real.errors.length > 0) return undefined;
        const hash = createHash('sha256').update(path.relative(root, real.path)).digest('hex').slice(0, 8);
        const file = `./${LAZY}${args.path.replace(/^@/, '').replace(/\//g, '-')}-${hash}.cjs`;
        lazyFiles.set(file, real.path);
        // Named in the bundle by its path in the repository, like every other module.
        const pluginData = { name: args.path, file, realPath: real.path };
        return { path: path.relative(root, real.path), namespace: 'package-lazy', pluginData };
      });
      // The stand-ins' require of their file stays a require, resolved beside the output file at run time.
      b.onResolve({ filter: new RegExp(`^\\./${LAZY}`) }, (args) =>
        args.namespace === 'package-lazy' ? { path: args.path, external: true } : undefined,
      );
      b.onLoad({ filter: /.*/, namespace: 'package-lazy' }, (args) => {
        const { name, file, realPath } = args.pluginData as { name: string; file: string; realPath: string };
        const standIn = STAND_INS[name];
        return { contents: standIn ? standIn(realPath, file) : loadOnFirstUse(file), loader: 'js' };
      });
    },
  };
}

/** What every build of a bundle shares. */
const COMMON_OPTIONS = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node24',
  // Whitespace and syntax only: identifiers keep their names, so stack traces stay readable.
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'eof',
  logLevel: 'warning',
} as const satisfies BuildOptions;

/** Bundles one component into `outdir` (main.mjs, and its other entries, lazy files and assets beside it). */
export async function bundleComponent(name: ComponentName, outdir: string): Promise<void> {
  const component: Component = COMPONENTS[name];
  const lazyFiles = new Map<string, string>();
  await build({
    ...COMMON_OPTIONS,
    entryPoints: component.entries,
    format: 'esm',
    outdir,
    outExtension: { '.js': '.mjs' },
    splitting: component.splitting ?? false,
    chunkNames: '[name]-[hash]',
    // ws loads these optional native speed-ups when installed; it works without them.
    external: ['bufferutil', 'utf-8-validate'],
    // Some bundled dependencies are CommonJS and call require(); give the ESM bundle one.
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
    plugins: [builtinsThroughRequire, packagesOnFirstUse(lazyFiles)],
  });
  for (const [file, entry] of lazyFiles)
    await build({ ...COMMON_OPTIONS, entryPoints: [entry], format: 'cjs', outfile: path.join(outdir, file) });
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
