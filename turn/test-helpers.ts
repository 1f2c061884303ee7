// Shared by the TURN tests: a real coturn started with command-line flags (for the STUN tests that need a
// responder, not our config), the real entrypoint as a child process, and extra addresses inside the
// test network namespace that stand in for a node's cluster networks, and self-signed certificates.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startNode, track, type RunningProcess } from '../test/support/processes.js';
import { waitUntilAnswering } from './probe.js';

/** Runs coturn directly on 127.0.0.1:`port` as a plain STUN/TURN responder; stop() kills it by PID. */
export async function startBareCoturn(
  port: number,
  secret: string,
  relayPorts: [number, number],
): Promise<RunningProcess & { dir: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'turn-bare-'));
  const child = spawn(
    'turnserver',
    [
      '-n',
      '--listening-ip=127.0.0.1',
      '--relay-ip=127.0.0.1',
      `--listening-port=${port}`,
      `--min-port=${relayPorts[0]}`,
      `--max-port=${relayPorts[1]}`,
      '--use-auth-secret',
      `--static-auth-secret=${secret}`,
      '--realm=test',
      '--fingerprint',
      '--no-tls',
      '--no-dtls',
      '--no-cli',
      '--log-file=stdout',
      '--simple-log',
      `--pidfile=${dir}/turn.pid`,
      `--userdb=${dir}/turndb`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const proc = track(child);
  await waitUntilAnswering(port, 10_000);
  const stop = proc.stop.bind(proc);
  return {
    ...proc,
    dir,
    async stop(signal, graceMs) {
      const code = await stop(signal, graceMs);
      rmSync(dir, { recursive: true, force: true });
      return code;
    },
  };
}

/**
 * The entrypoint (`turn/main.ts`) with `env`; its run dir is a fresh temporary directory. stop() also
 * kills coturn by the PID the entrypoint logged, in case the entrypoint itself died without forwarding.
 */
export function startTurnMain(env: Record<string, string>): RunningProcess & { runDir: string } {
  const runDir = mkdtempSync(path.join(tmpdir(), 'turn-run-'));
  const proc = startNode('turn/main.ts', {
    TURN_RUN_DIR: runDir,
    // Keep the parent's in-cluster variables (if any) out of the child: each test sets what it needs.
    KUBERNETES_SERVICE_HOST: '',
    NODE_NAME: '',
    // Tests run many instances side by side: no fixed metrics port unless a test asks for one.
    TURN_EXPORTER_PORT: '0',
    ...env,
  });
  const killCoturn = () => {
    const pid = Number(proc.lines.find((l) => l.msg === 'coturn started')?.pid);
    if (pid > 0) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone: the normal case.
      }
    }
  };
  void proc.exited.then(() => {
    killCoturn();
    rmSync(runDir, { recursive: true, force: true });
  });
  const stop = proc.stop.bind(proc);
  return Object.assign(proc, {
    runDir,
    async stop(signal?: NodeJS.Signals, graceMs?: number) {
      const code = await stop(signal, graceMs);
      killCoturn();
      return code;
    },
  });
}

function ip(args: string[]): void {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr.trim()}`);
}

/**
 * Adds a veth pair carrying `addresses` (each a /32) inside the test namespace; returns a remover.
 * A veth is used because the dummy driver is not available on every kernel.
 */
export function addLocalAddresses(name: string, addresses: string[]): () => void {
  ip(['link', 'add', name, 'type', 'veth', 'peer', 'name', `${name}p`]);
  for (const a of addresses) ip(['addr', 'add', `${a}/32`, 'dev', name]);
  ip(['link', 'set', name, 'up']);
  ip(['link', 'set', `${name}p`, 'up']);
  return () => ip(['link', 'del', name]);
}

/**
 * A self-signed P-256 certificate for `cn` (valid one day, with `ip` as its subject alternative name when
 * given), written by openssl to `keyFile` and `certFile`; throws with openssl's output when it fails.
 */
export function selfSignedCertificate(cn: string, keyFile: string, certFile: string, ip?: string): void {
  const san = ip === undefined ? [] : ['-addext', `subjectAltName=IP:${ip}`];
  const gen = spawnSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
    ].concat(['-subj', `/CN=${cn}`, ...san, '-keyout', keyFile, '-out', certFile]),
    { encoding: 'utf8' },
  );
  if (gen.status !== 0) throw new Error(`openssl could not make a certificate: ${gen.stderr}`);
}
