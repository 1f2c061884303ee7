// The Unreal template's launcher, run for real by sh against a stand-in for a packaged build that prints the
// arguments it was given: the flags per engine generation, the token in the URL, and refusals.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const LAUNCH = path.join(path.dirname(fileURLToPath(import.meta.url)), 'launch.sh');
let build: string;

beforeAll(() => {
  build = mkdtempSync(path.join(tmpdir(), 'unreal-build-'));
  const app = path.join(build, 'MyProject.sh');
  writeFileSync(app, '#!/bin/sh\nfor a in "$@"; do printf "%s\\n" "$a"; done\n');
  chmodSync(app, 0o755);
});
afterAll(() => rmSync(build, { recursive: true, force: true }));

function launch(env: Record<string, string>, ...args: string[]) {
  const r = spawnSync('sh', [LAUNCH, ...args], {
    cwd: build,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', PROJECT: 'MyProject', ...env },
    encoding: 'utf8',
  });
  return { code: r.status, args: r.stdout.split('\n').filter(Boolean), stderr: r.stderr };
}

const COMMON = [
  '-RenderOffscreen',
  '-Unattended',
  '-ForceRes',
  '-ResX=1920',
  '-ResY=1080',
  '-AllowPixelStreamingCommands=false',
  '-PixelStreamingID=DefaultStreamer',
];

describe('unreal launch.sh', () => {
  it('UE 5.5+: the connection URL with the token the pod provides', () => {
    const r = launch({
      UE_VERSION: '5.6',
      STREAMER_URL: 'ws://127.0.0.1:8888',
      STREAMER_TOKEN: 'Ab3-x_y.z~',
    });
    expect(r.code).toBe(0);
    expect(r.args).toEqual([...COMMON, '-PixelStreamingConnectionURL=ws://127.0.0.1:8888?token=Ab3-x_y.z~']);
  });
  it('UE 5.0–5.4: -PixelStreamingURL; no token, no query; extra flags and arguments passed on', () => {
    const r = launch(
      { UE_VERSION: '5.2', STREAMER_ID: 'alpha', RES_X: '1280', RES_Y: '720', UE_EXTRA_ARGS: '-log -stdout' },
      '-MyFlag',
    );
    expect(r.code).toBe(0);
    expect(r.args).toEqual([
      '-RenderOffscreen',
      '-Unattended',
      '-ForceRes',
      '-ResX=1280',
      '-ResY=720',
      '-AllowPixelStreamingCommands=false',
      '-PixelStreamingID=alpha',
      '-log',
      '-stdout',
      '-PixelStreamingURL=ws://127.0.0.1:8888',
      '-MyFlag',
    ]);
  });
  it('UE 4.27: host and port flags', () => {
    const r = launch({ UE_VERSION: '4.27', STREAMER_URL: 'ws://10.1.2.3:9999/' });
    expect(r.code).toBe(0);
    expect(r.args.slice(-2)).toEqual(['-PixelStreamingIP=10.1.2.3', '-PixelStreamingPort=9999']);
  });
  it('lists every problem at once and exits 2', () => {
    const r = launch({
      PROJECT: 'Missing',
      UE_VERSION: '4.27',
      STREAMER_URL: 'http://x?token=1',
      STREAMER_TOKEN: 'a b',
      RES_X: 'big',
    });
    expect(r.code).toBe(2);
    expect(r.args).toEqual([]);
    for (const needle of [
      './Missing.sh not found',
      'STREAMER_URL=http://x?token=1: must be ws://',
      'no query string',
      'STREAMER_TOKEN: only letters',
      'cannot present STREAMER_TOKEN',
      'RES_X/RES_Y',
    ])
      expect(r.stderr).toContain(needle);
    expect(launch({ UE_VERSION: '6' }).stderr).toContain('UE_VERSION=6: must be');
  });
});
