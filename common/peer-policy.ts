// Which peers coturn may relay to. A TURN server relays to whatever address a client names, so without
// these lists anyone holding a credential could reach the node's loopback services, the cloud metadata
// endpoint, the cluster's Services and every private network the node can route to. We refuse all of
// those and re-open only the pod networks where streamers live (coturn treats allowed-peer-ip as an
// exception to denied-peer-ip). Shared by the TURN entrypoint (turn/) and the kit configuration, which
// both refuse an allowed range that would reopen one of these.
import { cidr, overlaps, type Cidr } from './cidr.js';

export interface DeniedRange {
  readonly range: Cidr;
  readonly reason: string;
}

const d = (text: string, reason: string): DeniedRange => ({ range: cidr(text), reason });

/**
 * Never relayable, whatever TURN_ALLOWED_PEER_CIDRS says (config validation rejects overlaps).
 * Not listed: the unspecified address "::" — coturn 4.6.1 reads `denied-peer-ip=::` as matching every
 * IPv4 peer (verified against the real server), and it refuses the unspecified address by itself.
 */
export const ALWAYS_DENIED: readonly DeniedRange[] = [
  d('0.0.0.0/8', '"this network"; 0.0.0.0 reaches the node itself'),
  d('127.0.0.0/8', "loopback: the node's own services (kubelet, node exporters)"),
  d('169.254.0.0/16', 'link-local, including the cloud metadata service 169.254.169.254'),
  d('100.100.100.200/32', 'cloud metadata service on the CGNAT range (Alibaba Cloud)'),
  d('192.0.0.0/24', 'IETF protocol assignments'),
  d('224.0.0.0/4', 'multicast'),
  d('240.0.0.0/4', 'reserved, including broadcast 255.255.255.255'),
  d('::1/128', 'IPv6 loopback'),
  d('::ffff:0:0/96', 'IPv4-mapped IPv6: would smuggle any IPv4 address past the IPv4 rules'),
  d('64:ff9b::/96', 'NAT64: would reach IPv4 addresses through the NAT64 gateway'),
  d('100::/64', 'IPv6 discard prefix'),
  d('fd00:ec2::254/128', 'cloud metadata service over IPv6 (AWS), inside fc00::/7'),
  d('fe80::/10', 'IPv6 link-local'),
  d('fec0::/10', 'deprecated IPv6 site-local'),
  d('ff00::/8', 'IPv6 multicast'),
];

/** Private ranges: refused unless a configured pod CIDR inside them is explicitly allowed. */
export const PRIVATE_DENIED: readonly DeniedRange[] = [
  d('10.0.0.0/8', 'RFC 1918 private network'),
  d('172.16.0.0/12', 'RFC 1918 private network'),
  d('192.168.0.0/16', 'RFC 1918 private network'),
  d('100.64.0.0/10', 'carrier-grade NAT shared space (RFC 6598), used by some cluster networks'),
  d('fc00::/7', 'IPv6 unique local addresses'),
];

export interface PeerPolicy {
  denied: DeniedRange[];
  allowed: Cidr[];
}

/** The full deny list (built-in, the Service CIDRs, the operator's extras) and the allowed pod CIDRs. */
export function peerPolicy(opts: {
  allowedPeers: Cidr[];
  deniedPeers: Cidr[];
  serviceCidrs: Cidr[];
}): PeerPolicy {
  return {
    denied: [
      ...ALWAYS_DENIED,
      ...PRIVATE_DENIED,
      ...opts.serviceCidrs.map((range) => ({
        range,
        reason: 'Kubernetes Service network (TURN_SERVICE_CIDR)',
      })),
      ...opts.deniedPeers.map((range) => ({ range, reason: 'operator denied (TURN_DENIED_PEER_CIDRS)' })),
    ],
    allowed: opts.allowedPeers,
  };
}

/**
 * Why each allowed range is unacceptable: it overlaps an always-refused range or the Service network.
 * coturn lets allowed-peer-ip win over denied-peer-ip, so such a range would silently reopen it.
 */
export function allowedPeerClashes(allowed: readonly Cidr[], serviceCidrs: readonly Cidr[]): string[] {
  const refused: DeniedRange[] = [
    ...ALWAYS_DENIED,
    ...serviceCidrs.map((range) => ({ range, reason: 'the Service network' })),
  ];
  return allowed.flatMap((a) => {
    const clash = refused.find((d) => overlaps(a, d.range));
    return clash === undefined
      ? []
      : [`${a.text} overlaps ${clash.range.text}, which must stay refused: ${clash.reason}`];
  });
}
