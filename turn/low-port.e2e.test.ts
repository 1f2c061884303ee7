// TURN below port 1024 as a non-root user: the image gives turnserver the file capability
// cap_net_bind_service (turn/Dockerfile), and the DaemonSet's securityContext must let it work
// (k8s/turn.ts turnContainerSecurity). Real coturn, run the way a container runs it: uid 65532, a parent
// process with no capabilities of its own (node in the image, `sh` here), and the bounding set and
// no_new_privs flag that `capabilities` and `allowPrivilegeEscalation` set.
// With NET_BIND_SERVICE bounded and no no_new_privs it answers STUN on 443; with no_new_privs it serves 3478
// but cannot bind 443; without the capability in the bounding set the kernel refuses to start it; a binary
// without the file capability cannot bind 443.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { track } from '../test/support/processes.js';
import { requirements } from '../test/support/tools.js';
import { waitUntilAnswering } from './probe.js';

const ok = requirements(['turnserver', 'setcap', 'setpriv'], { netns: true, root: true });
/** The image's user (turn/Dockerfile). */
const UID = '65532';

describe.skipIf(!ok)('TURN on a privileged port as a non-root user (real coturn)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'turn-low-port-'));
  chmodSync(dir, 0o755);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const withCapability = path.join(dir, 'turnserver');
  const plain = ok
    ? spawnSync('sh', ['-c', 'command -v turnserver'], { encoding: 'utf8' }).stdout.trim()
    : '';

  /** setpriv arguments: turnserver on 127.0.0.1:`port` under container-like privileges; never as root. */
  function args(bin: 'image' | 'plain', port: number, privileges: readonly string[]): string[] {
    const state = `${dir}/${port}-${privileges.join('').replace(/\W/g, '')}`;
    return [
      `--reuid=${UID}`,
      `--regid=${UID}`,
      '--clear-groups',
      '--inh-caps=-all',
      ...privileges,
      '/bin/sh',
      '-c',
      'exec "$0" "$@"',
      bin === 'image' ? withCapability : plain,
      '-n',
      '--listening-ip=127.0.0.1',
      `--listening-port=${port}`,
      '--no-tls',
      '--no-dtls',
      '--no-cli',
      '--use-auth-secret',
      '--static-auth-secret=low-port-secret-0123456789',
      '--realm=test',
      '--log-file=stdout',
      '--simple-log',
      `--pidfile=${state}.pid`,
      `--userdb=${state}.db`,
    ];
  }

  it('gives a copy of turnserver cap_net_bind_service, as the Dockerfile does', () => {
    copyFileSync(plain, withCapability);
    chmodSync(withCapability, 0o755);
    expect(
      spawnSync('setcap', ['cap_net_bind_service=+ep', withCapability], { encoding: 'utf8' }).status,
    ).toBe(0);
  });

  it.each([
    // [what k8s/turn.ts renders, binary, port, setpriv flags, answers]
    [
      'NET_BIND_SERVICE added, allowPrivilegeEscalation: true (TURN_LISTEN_PORT < 1024)',
      'image',
      443,
      ['--bounding-set=-all,+net_bind_service'],
      true,
    ],
    [
      'NET_BIND_SERVICE added, allowPrivilegeEscalation: false (default ports)',
      'image',
      3478,
      ['--bounding-set=-all,+net_bind_service', '--no-new-privs'],
      true,
    ],
    [
      'NET_BIND_SERVICE added, allowPrivilegeEscalation: false, port 443: no_new_privs voids the file capability',
      'image',
      443,
      ['--bounding-set=-all,+net_bind_service', '--no-new-privs'],
      false,
    ],
    [
      'a turnserver without the file capability, port 443',
      'plain',
      443,
      ['--bounding-set=-all,+net_bind_service'],
      false,
    ],
  ] as const)('%s', async (_shape, bin, port, privileges, answers) => {
    const turn = track(spawn('setpriv', args(bin, port, privileges), { stdio: ['ignore', 'pipe', 'pipe'] }));
    try {
      if (answers) await waitUntilAnswering(port, 5_000);
      else {
        await expect(waitUntilAnswering(port, 2_000)).rejects.toThrow(/no STUN answer/);
        expect(turn.lines.map((l) => l.msg).join('\n')).toMatch(/Permission denied/);
      }
    } finally {
      await turn.stop('SIGTERM', 2_000);
    }
  });

  it('capabilities drop ALL without NET_BIND_SERVICE: the kernel refuses to start the image binary at all', () => {
    const r = spawnSync('setpriv', args('image', 3478, ['--bounding-set=-all', '--no-new-privs']), {
      encoding: 'utf8',
      timeout: 5_000,
    });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/Operation not permitted/);
  });
});
