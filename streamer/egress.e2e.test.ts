// Nothing leaves for a server nobody configured. Each case runs a whole session (sidecar, streamer,
// Epic's frontend in Chromium, no ICE server configured) inside a network namespace of its own
// (`testing/egress-session.ts`): in a pod-like one, with a default route into a veth whose other end is
// captured with tcpdump and a resolver that never answers, only the capture's own control datagram may
// leave — werift's public STUN fallback would show as a DNS query or a binding request; and in one without
// a default route, which is how the suite used to run, the stream still works.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { netnsArgv } from '../scripts/netns.mjs';
import { repoRoot } from '../test/support/processes.js';
import { requirements } from '../test/support/tools.js';

interface Session {
  firstFrameMs?: number;
  routed: boolean;
  /** The capture check's destination as tcpdump prints it. */
  control: string;
  packets: string[];
}

const ok = requirements(['chromium', 'ffmpeg', 'tcpdump', 'unshare'], { netns: true });

function session(kind: 'pod' | 'plain'): Session {
  const r = spawnSync(
    'unshare',
    netnsArgv(kind, process.execPath, ['--import', 'tsx', 'streamer/testing/egress-session.ts']),
    { cwd: repoRoot, encoding: 'utf8', timeout: 90_000, env: { ...process.env, LOG_LEVEL: 'info' } },
  );
  const last = r.stdout.trim().split('\n').at(-1) ?? '';
  if (r.status !== 0 || !last.startsWith('{'))
    throw new Error(`session in a ${kind} namespace failed (${String(r.status)}):\n${r.stderr.slice(-3000)}`);
  return JSON.parse(last) as Session;
}

describe.skipIf(!ok)('egress of a streaming session', () => {
  it('pod-like network: the stream plays and only the capture check leaves the namespace', () => {
    const r = session('pod');
    expect(r.firstFrameMs).toBeGreaterThan(0);
    expect(r.routed).toBe(true); // the capture sees what the default route carries
    expect(r.packets.filter((l) => !l.includes(r.control))).toEqual([]);
  }, 120_000);

  it('no default route: the stream plays, and nothing can leave', () => {
    const r = session('plain');
    expect(r.firstFrameMs).toBeGreaterThan(0);
    expect(r.routed).toBe(false);
    expect(r.packets).toEqual([]);
  }, 120_000);
});
