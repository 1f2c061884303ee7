// The input protocol decoder: every message type byte by byte, round trips, string caps, and fast-check
// fuzzing that it never throws on arbitrary bytes.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  decodeInput,
  encodeInput,
  FROM_STREAMER,
  MAX_STRING_UNITS,
  protocolMessage,
  TO_STREAMER,
  type ToStreamerType,
} from './input-protocol.js';

const bytes = (...b: number[]) => Uint8Array.from(b);

describe('decodeInput', () => {
  // Byte layouts written out by hand from the protocol description, not produced by our encoder.
  const table: [string, Uint8Array, Record<string, string | number>][] = [
    ['IFrameRequest', bytes(0), { type: 'IFrameRequest' }],
    ['RequestQualityControl', bytes(1), { type: 'RequestQualityControl' }],
    ['FpsRequest', bytes(2), { type: 'FpsRequest' }],
    ['AverageBitrateRequest', bytes(3), { type: 'AverageBitrateRequest' }],
    ['StartStreaming', bytes(4), { type: 'StartStreaming' }],
    ['StopStreaming', bytes(5), { type: 'StopStreaming' }],
    ['LatencyTest', bytes(6, 2, 0, 0x7b, 0, 0x7d, 0), { type: 'LatencyTest', json: '{}' }],
    ['RequestInitialSettings', bytes(7), { type: 'RequestInitialSettings' }],
    ['TestEcho with text', bytes(8, 2, 0, 0x68, 0, 0x69, 0), { type: 'TestEcho', text: 'hi' }],
    ['TestEcho bare (Epic frontend)', bytes(8), { type: 'TestEcho', text: '' }],
    ['DataChannelLatencyTest', bytes(9), { type: 'DataChannelLatencyTest' }],
    ['UIInteraction', bytes(50, 1, 0, 0x41, 0), { type: 'UIInteraction', text: 'A' }],
    ['Command', bytes(51, 1, 0, 0xac, 0x20), { type: 'Command', text: '€' }],
    ['TextboxEntry', bytes(52, 0, 0), { type: 'TextboxEntry', text: '' }],
    ['KeyDown', bytes(60, 65, 1), { type: 'KeyDown', keyCode: 65, isRepeat: 1 }],
    ['KeyUp', bytes(61, 13), { type: 'KeyUp', keyCode: 13 }],
    ['KeyPress', bytes(62, 0x61, 0), { type: 'KeyPress', charCode: 97 }],
    ['MouseEnter', bytes(70), { type: 'MouseEnter' }],
    ['MouseLeave', bytes(71), { type: 'MouseLeave' }],
    ['MouseDown', bytes(72, 2, 0xff, 0xff, 0x00, 0x80), { type: 'MouseDown', button: 2, x: 65535, y: 32768 }],
    ['MouseUp', bytes(73, 0, 1, 0, 2, 0), { type: 'MouseUp', button: 0, x: 1, y: 2 }],
    [
      'MouseMove',
      bytes(74, 0x10, 0x27, 0x20, 0x4e, 0xff, 0xff, 0x01, 0x80),
      { type: 'MouseMove', x: 10000, y: 20000, dx: -1, dy: -32767 },
    ],
    ['MouseWheel', bytes(75, 0x88, 0xff, 5, 0, 6, 0), { type: 'MouseWheel', delta: -120, x: 5, y: 6 }],
    ['MouseDouble', bytes(76, 0, 7, 0, 8, 0), { type: 'MouseDouble', button: 0, x: 7, y: 8 }],
    [
      'TouchStart',
      bytes(80, 1, 1, 0, 2, 0, 3, 128, 1),
      { type: 'TouchStart', count: 1, x: 1, y: 2, finger: 3, force: 128, valid: 1 },
    ],
    [
      'TouchEnd',
      bytes(81, 1, 0, 0, 0, 0, 0, 0, 0),
      { type: 'TouchEnd', count: 1, x: 0, y: 0, finger: 0, force: 0, valid: 0 },
    ],
    [
      'TouchMove',
      bytes(82, 1, 9, 0, 9, 0, 1, 255, 1),
      { type: 'TouchMove', count: 1, x: 9, y: 9, finger: 1, force: 255, valid: 1 },
    ],
    [
      'GamepadButtonPressed',
      bytes(90, 1, 5, 0),
      { type: 'GamepadButtonPressed', controller: 1, button: 5, isRepeat: 0 },
    ],
    [
      'GamepadButtonReleased',
      bytes(91, 1, 5, 0),
      { type: 'GamepadButtonReleased', controller: 1, button: 5, isRepeat: 0 },
    ],
    [
      'GamepadAnalog',
      bytes(92, 0, 2, 0, 0, 0, 0, 0, 0, 0xe0, 0xbf),
      { type: 'GamepadAnalog', controller: 0, axis: 2, value: -0.5 },
    ],
    ['GamepadConnected', bytes(93), { type: 'GamepadConnected' }],
    ['GamepadDisconnected', bytes(94, 3), { type: 'GamepadDisconnected', controller: 3 }],
  ];
  it.each(table)('%s', (_name, data, expected) => {
    expect(decodeInput(data)).toEqual({ ok: true, event: expected });
  });

  it('covers every message type of the protocol', () => {
    const covered = new Set(table.map(([, , e]) => e.type));
    expect([...covered].sort()).toEqual(Object.keys(TO_STREAMER).sort());
  });

  it.each([
    ['empty', bytes(), 'INPUT_EMPTY'],
    ['unknown id', bytes(200), 'INPUT_UNKNOWN_TYPE'],
    ['truncated mouse move', bytes(74, 1, 0, 2), 'INPUT_TRUNCATED'],
    ['truncated string header', bytes(50, 5), 'INPUT_TRUNCATED'],
    ['string longer than its bytes', bytes(50, 3, 0, 0x41, 0), 'INPUT_TRUNCATED'],
    ['string over the cap', bytes(50, 0xff, 0xff), 'INPUT_STRING_TOO_LONG'],
    ['trailing bytes', bytes(61, 13, 0), 'INPUT_TRAILING_BYTES'],
  ])('refuses %s with a code', (_name, data, code) => {
    const r = decodeInput(data);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.code).toBe(code);
  });

  it('never throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (data) => {
        const r = decodeInput(data);
        expect(typeof r.ok).toBe('boolean');
      }),
    );
  });

  it('round-trips what encodeInput writes', () => {
    const types = Object.keys(TO_STREAMER) as ToStreamerType[];
    fc.assert(
      fc.property(
        fc.constantFrom(...types),
        fc.integer({ min: 0, max: 255 }),
        fc.integer({ min: 0, max: 65535 }),
        (type, small, big) => {
          const fields = {
            keyCode: small,
            isRepeat: small & 1,
            charCode: big,
            button: small % 5,
            x: big,
            y: 65535 - big,
            controller: small & 3,
            axis: small & 7,
          };
          const r = decodeInput(encodeInput(type, fields));
          expect(r.ok).toBe(true);
          if (r.ok)
            for (const [k, v] of Object.entries(r.event))
              if (k in fields && k !== 'type') expect(v).toBe(fields[k as keyof typeof fields]);
        },
      ),
    );
  });

  it('caps strings at MAX_STRING_UNITS', () => {
    expect(decodeInput(encodeInput('Command', { text: 'x'.repeat(MAX_STRING_UNITS) })).ok).toBe(true);
  });
});

describe('protocolMessage', () => {
  it('is id 255 followed by UTF-16 JSON announcing every to-streamer id and layout', () => {
    const m = protocolMessage();
    expect(m[0]).toBe(FROM_STREAMER.Protocol);
    const json = JSON.parse(m.subarray(1).toString('utf16le')) as Record<
      string,
      { id: number; structure: string[] }
    > & { Direction: number };
    expect(json.Direction).toBe(0);
    expect(json.MouseMove).toEqual({ id: 74, structure: ['uint16', 'uint16', 'int16', 'int16'] });
    expect(json.KeyDown).toEqual({ id: 60, structure: ['uint8', 'uint8'] });
    expect(Object.keys(json).length).toBe(Object.keys(TO_STREAMER).length + 1);
  });
});
