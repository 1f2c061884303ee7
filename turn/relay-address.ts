// Which addresses can never be the one players are told to reach (TURN_EXTERNAL_IP, or what Kubernetes or
// STUN reported): advertising one only shows up later as every player stuck at connecting. Loopback stays
// usable on purpose: a single-machine setup (docker-compose) advertises 127.0.0.1.
import { cidr, contains } from '../common/cidr.js';

const UNUSABLE = [
  { range: cidr('0.0.0.0/8'), reason: 'the unspecified/"this network" range' },
  { range: cidr('169.254.0.0/16'), reason: 'link-local' },
  { range: cidr('224.0.0.0/4'), reason: 'multicast' },
  { range: cidr('240.0.0.0/4'), reason: 'reserved (or broadcast)' },
  { range: cidr('::/128'), reason: 'the unspecified address' },
  { range: cidr('fe80::/10'), reason: 'link-local' },
  { range: cidr('ff00::/8'), reason: 'multicast' },
];

/** Why `ip` cannot be advertised or bound as the relay address, or undefined when it can. */
export function unusableRelayAddress(ip: string): string | undefined {
  return UNUSABLE.find((u) => contains(u.range, ip))?.reason;
}
