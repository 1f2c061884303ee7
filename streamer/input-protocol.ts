// The data-channel protocol between a player and the streamer (peer to peer; the server never sees it):
// ids, a decoder for every message a player sends, and encoders for what a streamer sends back. Pure: a
// hostile or truncated message yields a coded error, never an exception.

/** Ids of messages a player sends (Epic's defaults; our Protocol message announces exactly these). */
export const TO_STREAMER = {
  IFrameRequest: 0,
  RequestQualityControl: 1,
  FpsRequest: 2,
  AverageBitrateRequest: 3,
  StartStreaming: 4,
  StopStreaming: 5,
  LatencyTest: 6,
  RequestInitialSettings: 7,
  TestEcho: 8,
  DataChannelLatencyTest: 9,
  UIInteraction: 50,
  Command: 51,
  TextboxEntry: 52,
  KeyDown: 60,
  KeyUp: 61,
  KeyPress: 62,
  MouseEnter: 70,
  MouseLeave: 71,
  MouseDown: 72,
  MouseUp: 73,
  MouseMove: 74,
  MouseWheel: 75,
  MouseDouble: 76,
  TouchStart: 80,
  TouchEnd: 81,
  TouchMove: 82,
  GamepadButtonPressed: 90,
  GamepadButtonReleased: 91,
  GamepadAnalog: 92,
  GamepadConnected: 93,
  GamepadDisconnected: 94,
} as const;

/** Ids of messages the streamer sends. */
export const FROM_STREAMER = {
  QualityControlOwnership: 0,
  Response: 1,
  Command: 2,
  FreezeFrame: 3,
  UnfreezeFrame: 4,
  VideoEncoderAvgQP: 5,
  LatencyTest: 6,
  InitialSettings: 7,
  FileExtension: 8,
  FileMimeType: 9,
  FileContents: 10,
  TestEcho: 11,
  InputControlOwnership: 12,
  GamepadResponse: 13,
  DataChannelLatencyTest: 14,
  Protocol: 255,
} as const;

export type ToStreamerType = keyof typeof TO_STREAMER;

type Field = 'uint8' | 'uint16' | 'int16' | 'double' | 'string';
/** Byte size and little-endian reader and writer of each numeric field type. */
const NUMBERS: Record<
  Exclude<Field, 'string'>,
  {
    size: number;
    get: (v: DataView, at: number) => number;
    set: (v: DataView, at: number, n: number) => void;
  }
> = {
  uint8: { size: 1, get: (v, at) => v.getUint8(at), set: (v, at, n) => v.setUint8(at, n) },
  uint16: { size: 2, get: (v, at) => v.getUint16(at, true), set: (v, at, n) => v.setUint16(at, n, true) },
  int16: { size: 2, get: (v, at) => v.getInt16(at, true), set: (v, at, n) => v.setInt16(at, n, true) },
  double: { size: 8, get: (v, at) => v.getFloat64(at, true), set: (v, at, n) => v.setFloat64(at, n, true) },
};
/** Field layout per message, after the id byte; names in order. */
// Touch start, end and move share one layout: the finger count, then (for one finger) its position, id,
// pressure and whether it is inside the video.
const TOUCH_LAYOUT: [string, Field][] = [
  ['count', 'uint8'],
  ['x', 'uint16'],
  ['y', 'uint16'],
  ['finger', 'uint8'],
  ['force', 'uint8'],
  ['valid', 'uint8'],
];

const LAYOUT: Record<ToStreamerType, [string, Field][]> = {
  IFrameRequest: [],
  RequestQualityControl: [],
  FpsRequest: [],
  AverageBitrateRequest: [],
  StartStreaming: [],
  StopStreaming: [],
  LatencyTest: [['json', 'string']],
  RequestInitialSettings: [],
  TestEcho: [['text', 'string']],
  DataChannelLatencyTest: [],
  UIInteraction: [['text', 'string']],
  Command: [['text', 'string']],
  TextboxEntry: [['text', 'string']],
  KeyDown: [
    ['keyCode', 'uint8'],
    ['isRepeat', 'uint8'],
  ],
  KeyUp: [['keyCode', 'uint8']],
  KeyPress: [['charCode', 'uint16']],
  MouseEnter: [],
  MouseLeave: [],
  MouseDown: [
    ['button', 'uint8'],
    ['x', 'uint16'],
    ['y', 'uint16'],
  ],
  MouseUp: [
    ['button', 'uint8'],
    ['x', 'uint16'],
    ['y', 'uint16'],
  ],
  MouseMove: [
    ['x', 'uint16'],
    ['y', 'uint16'],
    ['dx', 'int16'],
    ['dy', 'int16'],
  ],
  MouseWheel: [
    ['delta', 'int16'],
    ['x', 'uint16'],
    ['y', 'uint16'],
  ],
  MouseDouble: [
    ['button', 'uint8'],
    ['x', 'uint16'],
    ['y', 'uint16'],
  ],
  TouchStart: TOUCH_LAYOUT,
  TouchEnd: TOUCH_LAYOUT,
  TouchMove: TOUCH_LAYOUT,
  GamepadButtonPressed: [
    ['controller', 'uint8'],
    ['button', 'uint8'],
    ['isRepeat', 'uint8'],
  ],
  GamepadButtonReleased: [
    ['controller', 'uint8'],
    ['button', 'uint8'],
    ['isRepeat', 'uint8'],
  ],
  GamepadAnalog: [
    ['controller', 'uint8'],
    ['axis', 'uint8'],
    ['value', 'double'],
  ],
  GamepadConnected: [],
  GamepadDisconnected: [['controller', 'uint8']],
};

const BY_ID = new Map<number, ToStreamerType>(
  Object.entries(TO_STREAMER).map(([name, id]) => [id, name as ToStreamerType]),
);

/** Longest string field we accept (UTF-16 code units); UE's own limit is the data channel's message size. */
export const MAX_STRING_UNITS = 16_384;

export interface InputEvent {
  type: ToStreamerType;
  [field: string]: string | number;
}

export type DecodeResult =
  { ok: true; event: InputEvent } | { ok: false; code: InputErrorCode; reason: string };
export type InputErrorCode =
  | 'INPUT_EMPTY'
  | 'INPUT_UNKNOWN_TYPE'
  | 'INPUT_TRUNCATED'
  | 'INPUT_STRING_TOO_LONG'
  | 'INPUT_TRAILING_BYTES'
  | 'INPUT_NOT_BINARY';

/** Decodes one binary data-channel message from a player. */
export function decodeInput(data: Uint8Array): DecodeResult {
  if (data.length === 0) return { ok: false, code: 'INPUT_EMPTY', reason: 'empty message' };
  const type = BY_ID.get(data[0]!);
  if (type === undefined)
    return { ok: false, code: 'INPUT_UNKNOWN_TYPE', reason: `unknown message id ${data[0]}` };
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const event: InputEvent = { type };
  let at = 1;
  const need = (n: number) => at + n <= data.length;
  for (const [name, field] of LAYOUT[type]) {
    if (field !== 'string') {
      const { size, get } = NUMBERS[field];
      if (!need(size)) return truncated(type);
      event[name] = get(view, at);
      at += size;
      continue;
    }
    // Epic's frontend sends TestEcho with no payload at all (its default structure is empty).
    if (at === data.length) {
      event[name] = '';
      continue;
    }
    if (!need(2)) return truncated(type);
    const units = view.getUint16(at, true);
    at += 2;
    if (units > MAX_STRING_UNITS)
      return { ok: false, code: 'INPUT_STRING_TOO_LONG', reason: `${type} string of ${units} units` };
    if (!need(units * 2)) return truncated(type);
    let s = '';
    for (let i = 0; i < units; i++) s += String.fromCharCode(view.getUint16(at + i * 2, true));
    at += units * 2;
    event[name] = s;
  }
  if (at !== data.length)
    return {
      ok: false,
      code: 'INPUT_TRAILING_BYTES',
      reason: `${type}: ${data.length - at} unexpected trailing bytes`,
    };
  return { ok: true, event };
}

function truncated(type: ToStreamerType): DecodeResult {
  return { ok: false, code: 'INPUT_TRUNCATED', reason: `${type} message is too short` };
}

/** Encodes a player→streamer message (used by tests and tools that act as a player). */
export function encodeInput(type: ToStreamerType, fields: Record<string, string | number> = {}): Uint8Array {
  const parts: number[] = [TO_STREAMER[type]];
  const buf = new DataView(new ArrayBuffer(8));
  for (const [name, field] of LAYOUT[type]) {
    const v = fields[name] ?? (field === 'string' ? '' : 0);
    if (field === 'string') {
      const s = String(v);
      parts.push(s.length & 0xff, s.length >> 8);
      for (let i = 0; i < s.length; i++) parts.push(s.charCodeAt(i) & 0xff, s.charCodeAt(i) >> 8);
      continue;
    }
    const { size, set } = NUMBERS[field];
    set(buf, 0, Number(v));
    for (let i = 0; i < size; i++) parts.push(buf.getUint8(i));
  }
  return Uint8Array.from(parts);
}

/** A streamer→player message carrying a UTF-16 string (JSON or text) after the id byte. */
export function encodeStringMessage(id: number, text: string): Buffer {
  const out = Buffer.alloc(1 + text.length * 2);
  out[0] = id;
  for (let i = 0; i < text.length; i++) out.writeUInt16LE(text.charCodeAt(i), 1 + i * 2);
  return out;
}

/** A streamer→player message with one uint8 (ownership flags). */
export function encodeFlagMessage(id: number, flag: boolean): Buffer {
  return Buffer.from([id, flag ? 1 : 0]);
}

/** The Protocol (255) message: announces the ids and layouts this streamer understands. */
export function protocolMessage(): Buffer {
  const def: Record<string, unknown> = { Direction: 0 };
  for (const [name, id] of Object.entries(TO_STREAMER)) {
    def[name] = { id, structure: LAYOUT[name as ToStreamerType].map(([, f]) => f) };
  }
  return encodeStringMessage(FROM_STREAMER.Protocol, JSON.stringify(def));
}
