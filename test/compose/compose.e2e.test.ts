// docker-compose.yml runs the kit on one host, with the images scripts/build-images.sh built (the local
// bases here): the streamer registers with the sidecar across the compose network, coturn starts, and
// Epic's frontend in Chromium plays the stream. The only test input on top of the file is an override that
// makes the compose network internal, on a documentation range, so nothing leaves this machine (ports are
// not published from an internal network). Chromium runs in the sidecar container's network namespace,
// where the page is on its loopback origin, as a player on the compose host opens http://localhost:8080/.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { docker, dockerAvailable, dockerOk, missingImages } from '../pod-runner/docker.js';
import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM_ARGS, newPage, waitForFirstFrame } from '../support/browser.js';
import { repoRoot } from '../support/processes.js';
import { inCI, requirements } from '../support/tools.js';

const version = (JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string })
  .version;
const secrets = {
  STREAMER_TOKEN: 'compose-test-streamer-token-0123',
  TURN_SECRET: 'compose-test-turn-secret-0123456789',
};
const project = `pxcompose${process.pid}`;

function compose(args: string[], files: string[]) {
  const r = spawnSync('docker-compose', [...files.flatMap((f) => ['-f', f]), '-p', project, ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...secrets },
    encoding: 'utf8',
    timeout: 300_000,
  });
  if (r.status !== 0)
    throw new Error(`docker-compose ${args.join(' ')} failed (${String(r.status)}):\n${r.stderr}`);
  return r.stdout;
}

/** The services and their images as Compose reads the file (those of no profile). */
function services(): Record<string, { image?: string }> {
  const cfg = parse(compose(['config'], ['docker-compose.yml'])) as {
    services: Record<string, { image?: string; profiles?: string[] }>;
  };
  return Object.fromEntries(Object.entries(cfg.services).filter(([, svc]) => !svc.profiles?.length));
}

function runnable(): boolean {
  if (!requirements(['docker', 'docker-compose', 'nsenter', 'chromium'], { netns: true })) return false;
  const problem = !dockerAvailable()
    ? 'a Docker daemon (docker info fails)'
    : missingImages(Object.values(services()).map((s) => s.image ?? '')).join(', ');
  if (!problem) return true;
  if (inCI)
    throw new Error(`missing in CI: ${problem} — .ci/run starts dockerd and runs scripts/build-images.sh`);
  console.warn(`skipping: missing ${problem}`);
  return false;
}

const ok = runnable();

describe.skipIf(!ok)('docker-compose.yml', () => {
  let dir = '';
  let files: string[] = [];
  let browser: Browser | undefined;

  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'compose-'));
    const override = path.join(dir, 'internal-network.yml');
    // A /28 of TEST-NET-1 of its own, so concurrent runs on one Docker daemon do not overlap.
    const subnet = `192.0.2.${16 * (1 + (process.pid % 14))}/28`;
    writeFileSync(
      override,
      `networks:\n  default:\n    internal: true\n    ipam:\n      config: [{ subnet: '${subnet}' }]\n`,
    );
    files = ['docker-compose.yml', override];
    compose(['up', '--detach', '--no-build'], files);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    if (files.length) {
      try {
        compose(['down', '--volumes', '--timeout', '5'], files);
      } catch (err) {
        console.warn((err as Error).message);
      }
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('names the images scripts/build-images.sh tags, without Docker Hub-only parts in the default profile', () => {
    const s = services();
    expect(Object.keys(s).sort()).toEqual(['sidecar', 'streamer', 'turn']);
    for (const [name, svc] of Object.entries(s))
      expect(svc.image, name).toMatch(new RegExp(`^pixelstream-[a-z]+:${version}$`));
  });

  it('runs: the streamer registers across the compose network, coturn listens, Chromium plays', async () => {
    const container = (svc: string) => compose(['ps', '-q', svc], files).trim();
    const sidecar = container('sidecar');
    const status = async () => {
      const r = await docker([
        'exec', sidecar, 'node', '-e',
        "fetch('http://127.0.0.1:8080/status').then(r => r.text()).then(t => console.log(t))",
      ]); // prettier-ignore
      return r.stdout.trim() ? (JSON.parse(r.stdout) as Record<string, unknown>) : {};
    };
    await vi.waitFor(async () => expect(await status()).toMatchObject({ streamerConnected: true }), {
      timeout: 90_000,
      interval: 1000,
    });
    const turnLogs = () => compose(['logs', '--no-color', 'turn'], files);
    await vi.waitFor(() => expect(turnLogs()).toMatch(/"msg":"ready"/), {
      timeout: 30_000,
      interval: 1000,
    });
    expect((await dockerOk(['inspect', '--format', '{{.State.Running}}', container('turn')])).trim()).toBe(
      'true',
    );

    // Chromium joins the sidecar container's network namespace (a wrapper playwright starts instead).
    const pid = (await dockerOk(['inspect', '--format', '{{.State.Pid}}', sidecar])).trim();
    const wrapper = path.join(dir, 'chromium-in-sidecar');
    writeFileSync(wrapper, `#!/bin/sh\nexec nsenter --net=/proc/${pid}/ns/net /usr/bin/chromium "$@"\n`);
    chmodSync(wrapper, 0o755);
    browser = await chromium.launch({ executablePath: wrapper, args: CHROMIUM_ARGS, headless: true });
    const player = await newPage(browser);
    await player.page.goto('http://127.0.0.1:8080/');
    await waitForFirstFrame(player.page, 45_000).catch((err: Error) => {
      throw new Error(
        `${err.message}\n--- page\n${player.console.slice(-20).join('\n')}\n--- compose logs\n${compose(['logs', '--no-color', '--tail', '20'], files)}`,
      );
    });
    await vi.waitFor(async () => expect(await status()).toMatchObject({ players: 1 }), { timeout: 10_000 });
  }, 240_000);
});
