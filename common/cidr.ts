// IP address and CIDR arithmetic for the relay deny/allow lists. coturn's peer filters take single
// addresses or "first-last" ranges (the documented syntax of every coturn release), so CIDRs from the
// operator are turned into ranges here, and overlaps between what we allow and what must stay refused are
// found before coturn ever starts.
import { isIPv4, isIPv6 } from 'node:net';

export interface Cidr {
  /** The text as given (normalised), e.g. "10.244.0.0/16". */
  readonly text: string;
  readonly family: 4 | 6;
  readonly first: bigint;
  readonly last: bigint;
}

function v4ToBig(ip: string): bigint {
  return ip.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

function v6ToBig(ip: string): bigint {
  let text = ip;
  // An embedded IPv4 tail ("::ffff:1.2.3.4") becomes two hex groups.
  const v4Tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4Tail?.[1]) {
    const n = v4ToBig(v4Tail[1]);
    text = `${text.slice(0, -v4Tail[1].length)}${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const headParts = head ? head.split(':') : [];
  const tailParts = tail ? tail.split(':') : [];
  const missing = 8 - headParts.length - tailParts.length;
  const groups =
    tail === undefined ? headParts : [...headParts, ...Array<string>(missing).fill('0'), ...tailParts];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

function bigToV4(n: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => String((n >> s) & 0xffn)).join('.');
}

function bigToV6(n: bigint): string {
  const groups: string[] = [];
  for (let s = 112n; s >= 0n; s -= 16n) groups.push(((n >> s) & 0xffffn).toString(16));
  // Compress the longest run of zero groups, as RFC 5952 recommends.
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

/** Family of a literal IP address, or undefined when `ip` is not one. */
export function ipFamily(ip: string): 4 | 6 | undefined {
  if (isIPv4(ip)) return 4;
  if (isIPv6(ip) && !ip.includes('%')) return 6;
  return undefined;
}

/** Parses "a.b.c.d/n", "x::/n" or a bare address (a /32 or /128). Returns an error string when invalid. */
export function parseCidr(input: string): Cidr | string {
  const text = input.trim();
  const slash = text.indexOf('/');
  const addr = slash < 0 ? text : text.slice(0, slash);
  const family = ipFamily(addr);
  if (!family) return `"${input}" is not an IPv4/IPv6 address or CIDR`;
  const bits = family === 4 ? 32 : 128;
  const prefixText = slash < 0 ? String(bits) : text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > bits)
    return `"${input}" has an invalid prefix length`;
  const prefix = BigInt(prefixText);
  const value = family === 4 ? v4ToBig(addr) : v6ToBig(addr);
  const hostBits = BigInt(bits) - prefix;
  const mask = (1n << hostBits) - 1n;
  const first = value & ~mask;
  const last = first | mask;
  const base = family === 4 ? bigToV4(first) : bigToV6(first);
  return { text: `${base}/${prefixText}`, family, first, last };
}

/** Parses a CIDR that is known to be valid (the built-in tables); throws otherwise. */
export function cidr(text: string): Cidr {
  const parsed = parseCidr(text);
  if (typeof parsed === 'string') throw new Error(parsed);
  return parsed;
}

/** coturn's range syntax: "first-last", or one address for a single-host range. */
export function toCoturnRange(c: Cidr): string {
  const fmt = c.family === 4 ? bigToV4 : bigToV6;
  return c.first === c.last ? fmt(c.first) : `${fmt(c.first)}-${fmt(c.last)}`;
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.family === b.family && a.first <= b.last && b.first <= a.last;
}

/** 16 network-order bytes of an IPv6 literal. */
export function ipv6ToBytes(ip: string): Buffer {
  const out = Buffer.alloc(16);
  let n = v6ToBig(ip);
  for (let i = 15; i >= 0; i--) {
    out[i] = Number(n & 0xffn);
    n >>= 8n;
  }
  return out;
}

/** RFC 5952 text of 16 network-order IPv6 bytes. */
export function ipv6FromBytes(bytes: Buffer): string {
  return bigToV6(bytes.reduce((acc, b) => (acc << 8n) | BigInt(b), 0n));
}

/** True when `ip` (a literal address) lies inside `c`. */
export function contains(c: Cidr, ip: string): boolean {
  const family = ipFamily(ip);
  if (family !== c.family) return false;
  const n = family === 4 ? v4ToBig(ip) : v6ToBig(ip);
  return n >= c.first && n <= c.last;
}
