// A minimal STUN message codec (RFC 5389 header and attributes, the TURN attributes of RFC 5766, long-term
// MESSAGE-INTEGRITY and FINGERPRINT). Enough to ask "what is my public address?" at start-up and, in the
// tests and the health probe, to speak TURN to coturn without a WebRTC stack. Pure: bytes in, bytes out.
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { isIPv4 } from 'node:net';
import { crc32 } from 'node:zlib';
import { ipv6FromBytes, ipv6ToBytes } from '../common/cidr.js';
import { CodedError } from '../common/coded-error.js';

export const MAGIC_COOKIE = 0x2112a442;
const HEADER_BYTES = 20;
/** A STUN message larger than one unfragmented datagram is never legitimate here. */
export const MAX_MESSAGE_BYTES = 65_535;

export const Method = {
  Binding: 0x001,
  Allocate: 0x003,
  Refresh: 0x004,
  Send: 0x006,
  Data: 0x007,
  CreatePermission: 0x008,
  ChannelBind: 0x009,
} as const;

export const Class = { Request: 0, Indication: 1, Success: 2, Error: 3 } as const;
export type StunClass = (typeof Class)[keyof typeof Class];

export const Attr = {
  MappedAddress: 0x0001,
  Username: 0x0006,
  MessageIntegrity: 0x0008,
  ErrorCode: 0x0009,
  Lifetime: 0x000d,
  RequestedAddressFamily: 0x0017,
  XorPeerAddress: 0x0012,
  Data: 0x0013,
  Realm: 0x0014,
  Nonce: 0x0015,
  XorRelayedAddress: 0x0016,
  RequestedTransport: 0x0019,
  XorMappedAddress: 0x0020,
  Software: 0x8022,
  Fingerprint: 0x8028,
} as const;

export interface StunAttribute {
  type: number;
  value: Buffer;
}

export interface StunMessage {
  method: number;
  cls: StunClass;
  transactionId: Buffer;
  attributes: StunAttribute[];
}

export interface TransportAddress {
  address: string;
  port: number;
  family: 4 | 6;
}

/** Thrown for bytes that are not a well-formed STUN message; `code` is stable for logs and tests. */
export class StunParseError extends CodedError<
  'STUN_TOO_SHORT' | 'STUN_NOT_STUN' | 'STUN_BAD_LENGTH' | 'STUN_BAD_ATTRIBUTE' | 'STUN_BAD_ADDRESS'
> {}

export function newTransactionId(): Buffer {
  return randomBytes(12);
}

function messageType(method: number, cls: StunClass): number {
  // The class bits (C1 C0) sit at bits 8 and 4, interleaved with the 12 method bits (RFC 5389 §6).
  return (
    ((method & 0xf80) << 2) | ((method & 0x070) << 1) | (method & 0x00f) | ((cls & 2) << 7) | ((cls & 1) << 4)
  );
}

function splitType(type: number): { method: number; cls: StunClass } {
  const method = ((type & 0x3e00) >> 2) | ((type & 0x00e0) >> 1) | (type & 0x000f);
  const cls = (((type & 0x0100) >> 7) | ((type & 0x0010) >> 4)) as StunClass;
  return { method, cls };
}

function header(type: number, length: number, transactionId: Buffer): Buffer {
  const h = Buffer.alloc(HEADER_BYTES);
  h.writeUInt16BE(type, 0);
  h.writeUInt16BE(length, 2);
  h.writeUInt32BE(MAGIC_COOKIE, 4);
  transactionId.copy(h, 8);
  return h;
}

function encodeAttribute(a: StunAttribute): Buffer {
  const pad = (4 - (a.value.length % 4)) % 4;
  const out = Buffer.alloc(4 + a.value.length + pad);
  out.writeUInt16BE(a.type, 0);
  out.writeUInt16BE(a.value.length, 2);
  a.value.copy(out, 4);
  return out;
}

/** Long-term credential key (RFC 5389 §15.4): MD5(username ":" realm ":" password). */
export function longTermKey(username: string, realm: string, password: string): Buffer {
  return createHash('md5').update(`${username}:${realm}:${password}`).digest();
}

/**
 * Encodes `msg`. With `integrityKey` a MESSAGE-INTEGRITY attribute is appended; with `fingerprint` a
 * FINGERPRINT attribute last (coturn is configured with `fingerprint`, browsers send it too).
 */
export function encodeStun(
  msg: StunMessage,
  opts: { integrityKey?: Buffer; fingerprint?: boolean } = {},
): Buffer {
  const type = messageType(msg.method, msg.cls);
  let body = Buffer.concat(msg.attributes.map(encodeAttribute));
  if (opts.integrityKey) {
    // The HMAC covers the header with a length that already counts the integrity attribute itself.
    const mac = createHmac('sha1', opts.integrityKey)
      .update(Buffer.concat([header(type, body.length + 24, msg.transactionId), body]))
      .digest();
    body = Buffer.concat([body, encodeAttribute({ type: Attr.MessageIntegrity, value: mac })]);
  }
  if (opts.fingerprint) {
    const crc =
      (crc32(Buffer.concat([header(type, body.length + 8, msg.transactionId), body])) ^ 0x5354554e) >>> 0;
    const value = Buffer.alloc(4);
    value.writeUInt32BE(crc, 0);
    body = Buffer.concat([body, encodeAttribute({ type: Attr.Fingerprint, value })]);
  }
  return Buffer.concat([header(type, body.length, msg.transactionId), body]);
}

/** True when the first bytes look like STUN (RFC 5389 demultiplexing: top bits 00 and the magic cookie). */
export function isStun(buf: Buffer): boolean {
  return buf.length >= HEADER_BYTES && (buf[0]! & 0xc0) === 0 && buf.readUInt32BE(4) === MAGIC_COOKIE;
}

/** Decodes one STUN message; throws StunParseError on anything malformed. */
export function decodeStun(buf: Buffer): StunMessage {
  if (buf.length < HEADER_BYTES)
    throw new StunParseError('STUN_TOO_SHORT', `${buf.length} bytes is shorter than a STUN header`);
  if (!isStun(buf))
    throw new StunParseError('STUN_NOT_STUN', 'not a STUN message (bad leading bits or magic cookie)');
  const length = buf.readUInt16BE(2);
  if (length % 4 !== 0 || HEADER_BYTES + length !== buf.length) {
    throw new StunParseError(
      'STUN_BAD_LENGTH',
      `declared length ${length} does not match ${buf.length - HEADER_BYTES} body bytes`,
    );
  }
  const { method, cls } = splitType(buf.readUInt16BE(0));
  const attributes: StunAttribute[] = [];
  let off = HEADER_BYTES;
  while (off < buf.length) {
    if (off + 4 > buf.length) throw new StunParseError('STUN_BAD_ATTRIBUTE', 'truncated attribute header');
    const type = buf.readUInt16BE(off);
    const len = buf.readUInt16BE(off + 2);
    const end = off + 4 + len;
    if (end > buf.length)
      throw new StunParseError('STUN_BAD_ATTRIBUTE', `attribute 0x${type.toString(16)} overruns the message`);
    attributes.push({ type, value: buf.subarray(off + 4, end) });
    off = end + ((4 - (len % 4)) % 4);
  }
  return { method, cls, transactionId: Buffer.from(buf.subarray(8, 20)), attributes };
}

export function getAttr(msg: StunMessage, type: number): Buffer | undefined {
  return msg.attributes.find((a) => a.type === type)?.value;
}

/** Encodes an XOR-*-ADDRESS value (XOR-MAPPED, XOR-PEER, XOR-RELAYED share the layout). */
export function encodeXorAddress(addr: { address: string; port: number }, transactionId: Buffer): Buffer {
  const v4 = isIPv4(addr.address);
  const value = Buffer.alloc(v4 ? 8 : 20);
  value[1] = v4 ? 0x01 : 0x02;
  value.writeUInt16BE(addr.port ^ (MAGIC_COOKIE >>> 16), 2);
  const raw = v4 ? Buffer.from(addr.address.split('.').map(Number)) : ipv6ToBytes(addr.address);
  const pad = Buffer.alloc(16);
  pad.writeUInt32BE(MAGIC_COOKIE, 0);
  transactionId.copy(pad, 4);
  for (let i = 0; i < raw.length; i++) value[4 + i] = raw[i]! ^ pad[i]!;
  return value;
}

/** Decodes an XOR-*-ADDRESS value; throws StunParseError for a bad family or length. */
export function decodeXorAddress(value: Buffer, transactionId: Buffer): TransportAddress {
  const family = value[1];
  const want = family === 0x01 ? 8 : family === 0x02 ? 20 : -1;
  if (value.length !== want)
    throw new StunParseError(
      'STUN_BAD_ADDRESS',
      `address attribute of ${value.length} bytes, family ${family}`,
    );
  const port = value.readUInt16BE(2) ^ (MAGIC_COOKIE >>> 16);
  const pad = Buffer.alloc(16);
  pad.writeUInt32BE(MAGIC_COOKIE, 0);
  transactionId.copy(pad, 4);
  const raw = Buffer.alloc(want - 4);
  for (let i = 0; i < raw.length; i++) raw[i] = value[4 + i]! ^ pad[i]!;
  if (family === 0x01) return { address: [...raw].join('.'), port, family: 4 };
  return { address: ipv6FromBytes(raw), port, family: 6 };
}

export interface StunErrorCode {
  code: number;
  reason: string;
}

export function decodeErrorCode(value: Buffer): StunErrorCode {
  if (value.length < 4) throw new StunParseError('STUN_BAD_ATTRIBUTE', 'ERROR-CODE shorter than 4 bytes');
  return { code: (value[2]! & 0x7) * 100 + value[3]!, reason: value.subarray(4).toString('utf8') };
}

/** A Binding request with a fresh transaction id (and FINGERPRINT, which coturn checks when present). */
export function bindingRequest(transactionId = newTransactionId()): Buffer {
  return encodeStun(
    { method: Method.Binding, cls: Class.Request, transactionId, attributes: [] },
    { fingerprint: true },
  );
}

/** The mapped address of a Binding success response (XOR-MAPPED-ADDRESS, or legacy MAPPED-ADDRESS). */
export function mappedAddress(msg: StunMessage): TransportAddress | undefined {
  const xor = getAttr(msg, Attr.XorMappedAddress);
  if (xor) return decodeXorAddress(xor, msg.transactionId);
  const plain = getAttr(msg, Attr.MappedAddress);
  if (plain && plain.length === 8 && plain[1] === 0x01) {
    return { address: [...plain.subarray(4)].join('.'), port: plain.readUInt16BE(2), family: 4 };
  }
  return undefined;
}
