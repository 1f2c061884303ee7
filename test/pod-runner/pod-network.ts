// Pod networking the way a bridge CNI plugin does it, inside the test's own network namespace (never the
// machine's): the test namespace plays the node, with a bridge holding the node address; each pod's
// sandbox container starts with no network, and gets one end of a veth pair as eth0, an address on the
// bridge's subnet and a default route via the node. Nothing routes beyond the test namespace, so the
// pod's default route and its resolver (an address nobody holds) look like a real pod's and lead nowhere.
import { execFile } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readlinkSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** TEST-NET-2 (RFC 5737): a documentation range, so no real network can be confused with it. */
export const POD_SUBNET = { prefix: '198.51.100', bits: 24 } as const;
export const BRIDGE = 'pxpods0';
/** The node's address on the pod bridge: the pods' default gateway, and where test servers listen. */
export const NODE_IP = `${POD_SUBNET.prefix}.1`;
/** The cluster resolver pods are given: on the subnet, held by nobody, so lookups time out as with a broken cluster DNS. */
export const CLUSTER_DNS_IP = `${POD_SUBNET.prefix}.2`;
/** Addresses below the leased range, for pods a test must know in advance (a TURN node's). */
export const RESERVED_IPS = [3, 4, 5, 6, 7, 8, 9].map((h) => `${POD_SUBNET.prefix}.${h}`);
const FIRST_POD_HOST = 10;
const LAST_POD_HOST = 250;

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: 20_000 }, (err, _out, stderr) =>
      err ? reject(new Error(`${cmd} ${args.join(' ')}: ${stderr.trim() || err.message}`)) : resolve(),
    );
  });
}

async function tolerateExists(p: Promise<void>): Promise<void> {
  await p.catch((err: Error) => {
    if (!/exists|already assigned/i.test(err.message)) throw err;
  });
}

/** Refuses to touch a namespace that is not the test's own (scripts/test.mjs sets PIXEL_TEST_NETNS). */
function assertTestNetns(): void {
  if (process.env.PIXEL_TEST_NETNS !== '1')
    throw new Error(
      'pod runner: pod networking only runs inside the test network namespace (npm test as root)',
    );
}

/** Creates the node bridge once per test namespace (several test workers may race: "exists" is fine). */
export async function ensureNodeBridge(): Promise<void> {
  assertTestNetns();
  await tolerateExists(run('ip', ['link', 'add', BRIDGE, 'type', 'bridge']));
  await tolerateExists(run('ip', ['addr', 'add', `${NODE_IP}/${POD_SUBNET.bits}`, 'dev', BRIDGE]));
  await run('ip', ['link', 'set', BRIDGE, 'up']);
}

/** Leases are files in a folder named after this network namespace, shared by the test's processes. */
function leaseDir(): string {
  const ns = readlinkSync('/proc/self/ns/net').replace(/\D/g, '');
  const dir = path.join(os.tmpdir(), `pod-runner-ips-${ns}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** A free pod address, leased until `releaseIp`. */
export function leaseIp(): string {
  const dir = leaseDir();
  for (let host = FIRST_POD_HOST; host <= LAST_POD_HOST; host++) {
    try {
      closeSync(openSync(path.join(dir, String(host)), 'wx'));
      return `${POD_SUBNET.prefix}.${host}`;
    } catch {
      // taken: try the next one
    }
  }
  throw new Error('pod runner: no free pod address left');
}

export function releaseIp(ip: string): void {
  rmSync(path.join(leaseDir(), ip.split('.').pop() ?? ''), { force: true });
}

/**
 * Plugs the network namespace of process `pid` (the pod's sandbox) into the node bridge with address
 * `ip`. The veth pair disappears with that namespace when the sandbox is removed.
 */
export async function attachPod(pid: number, ip: string): Promise<void> {
  const host = ip.split('.').pop() ?? '0';
  const outer = `pxv${host}`;
  const inner = `pxp${host}`;
  await tolerateExists(run('ip', ['link', 'del', outer]).catch(() => undefined));
  await run('ip', ['link', 'add', outer, 'type', 'veth', 'peer', 'name', inner]);
  await run('ip', ['link', 'set', inner, 'netns', String(pid)]);
  await run('ip', ['link', 'set', outer, 'master', BRIDGE, 'up']);
  const inside = [
    `ip link set ${inner} name eth0`,
    `ip addr add ${ip}/${POD_SUBNET.bits} dev eth0`,
    'ip link set eth0 up',
    'ip link set lo up',
    `ip route add default via ${NODE_IP}`,
  ].join(' && ');
  await run('nsenter', ['-t', String(pid), '-n', 'sh', '-c', inside]);
}
