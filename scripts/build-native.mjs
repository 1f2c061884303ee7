#!/usr/bin/env node
// Builds the streamer's native send path (streamer/native/srtp-send.c) into
// streamer/native/build/srtp-send.node with the C compiler (CC, default cc) and the Node-API headers of the
// node-api-headers package. It is a Node-API addon: one build serves every Node version from 18 on, and it
// links nothing (OpenSSL's functions come from the node binary itself).
//
//   node scripts/build-native.mjs [--required] [--out FILE] [--force]
//
// Without --required a machine with no compiler or headers gets a note and exit 0: the streamer then sends
// through its JavaScript path (FANOUT_SEND=auto). With it (npm test, image builds) that is an error.
// An addon newer than its source is kept unless --force.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const required = args.includes('--required');
const outAt = args.indexOf('--out');
const source = path.join(root, 'streamer/native/srtp-send.c');
if (outAt >= 0 && !args[outAt + 1]) {
  process.stderr.write('build-native: --out needs a file name\n');
  process.exit(2);
}
const out =
  outAt >= 0 ? path.resolve(args[outAt + 1]) : path.join(root, 'streamer/native/build/srtp-send.node');

function fail(why) {
  const how =
    'It needs a C compiler (cc; Debian: apt-get install gcc libc6-dev) and the dev dependencies (npm ci).';
  if (required) {
    process.stderr.write(`build-native: ${why}\n${how}\n`);
    process.exit(1);
  }
  process.stderr.write(
    `note: the streamer's native send path was not built (${why}); it will use its JavaScript path.\n${how}\n`,
  );
  process.exit(0);
}

let include;
try {
  include = path.join(
    path.dirname(createRequire(import.meta.url).resolve('node-api-headers/package.json')),
    'include',
  );
} catch {
  fail('the node-api-headers package is not installed (npm ci installs it)');
}

if (existsSync(out) && statSync(out).mtimeMs >= statSync(source).mtimeMs && !args.includes('--force'))
  process.exit(0);
mkdirSync(path.dirname(out), { recursive: true });
const cc = process.env.CC ?? 'cc';
const r = spawnSync(
  cc,
  [
    '-O2',
    '-fPIC',
    '-shared',
    '-Wall',
    '-Wextra',
    '-Werror',
    '-fvisibility=hidden',
    `-I${include}`,
    '-o',
    out,
    source,
  ],
  { stdio: ['ignore', 'inherit', 'inherit'] },
);
if (r.error) fail(`${cc}: ${r.error.message}`);
if (r.status !== 0) fail(`${cc} exited ${r.status}`);
