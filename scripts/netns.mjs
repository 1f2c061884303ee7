// The private network the tests and the stream benchmark run in (as root): it looks like a Kubernetes
// pod's. Loopback, one veth interface on a documentation range (browsers gather no host candidates on
// loopback alone), a default route (every pod has one) to a gateway that swallows every packet, and a
// resolver that never answers (an air-gapped cluster, or egress DNS that is firewalled). Whatever the
// code under test sends off-host leaves through `pxtest0` and arrives on `pxtest1`, where a test can
// capture it, and nothing ever leaves the machine.
//
// `plain` drops the default route and keeps the machine's resolv.conf: the network the suite used to run
// in, for the test that checks streams need no route at all.

/** The interface outbound packets leave through, and its peer that receives (and drops) them. */
export const EGRESS = { device: 'pxtest0', capture: 'pxtest1', address: '192.0.2.1', gateway: '192.0.2.254' };
/** The capture side's MAC (locally administered), so the gateway's neighbour entry can name it. */
const CAPTURE_MAC = '02:00:c0:00:02:fe';
/** The resolver in resolv.conf inside the namespace: routed to the gateway, so queries leave and die. */
const DEAD_RESOLVER = '198.51.100.53';

/**
 * Shell commands that set the network up; run inside `unshare -n -m` (the mount namespace lets
 * /etc/resolv.conf be replaced for this namespace only).
 * @param {'pod' | 'plain'} kind
 * @returns {string}
 */
function netnsSetup(kind) {
  const { device, capture, address, gateway } = EGRESS;
  const base = [
    'ip link set lo up',
    `ip link add ${device} type veth peer name ${capture}`,
    `ip addr add ${address}/24 dev ${device}`,
    `ip link set ${device} up`,
    `ip link set ${capture} address ${CAPTURE_MAC}`,
    `ip link set ${capture} up`,
  ];
  if (kind === 'plain') return base.join(' && ');
  return [
    ...base,
    `ip route add default via ${gateway} dev ${device}`,
    // A permanent neighbour entry: packets for the gateway really go out (no ARP wait) and are dropped by
    // the peer, which forwards nothing.
    `ip neigh replace ${gateway} lladdr ${CAPTURE_MAC} dev ${device} nud permanent`,
    // The file is unlinked once mounted: the mount keeps it alive for exactly as long as the namespace. A
    // namespace made inside one of ours inherits the mount (and could not mount over a deleted file).
    `{ grep -qs 'nameserver ${DEAD_RESOLVER}' /etc/resolv.conf || { r="$(mktemp)" && printf 'nameserver ${DEAD_RESOLVER}\\n' > "$r" && mount --bind "$r" /etc/resolv.conf && rm -f "$r"; }; }`,
  ].join(' && ');
}

/**
 * The argv (for spawnSync) that runs `command` with `args` inside a fresh namespace of `kind`.
 * @param {'pod' | 'plain'} kind
 * @param {string} command
 * @param {string[]} args
 * @returns {string[]}
 */
export function netnsArgv(kind, command, args) {
  return ['-n', '-m', '--', 'sh', '-c', `${netnsSetup(kind)} && exec "$0" "$@"`, command, ...args];
}
