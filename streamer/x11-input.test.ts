// Mapping page input to xdotool: keys to keysyms, coordinates clamped to the display, unusable events
// ignored.
import { describe, expect, it } from 'vitest';
import { keysymFor, toPixel, xdotoolArgs } from './x11-input.js';

describe('xdotoolArgs', () => {
  const W = 1920;
  const H = 1080;
  it.each([
    [{ type: 'MouseMove', x: 0, y: 65535, dx: 0, dy: 0 }, ['mousemove', '0', '1079']],
    [{ type: 'MouseDown', button: 0, x: 32768, y: 32768 }, ['mousemove', '960', '540', 'mousedown', '1']],
    [{ type: 'MouseUp', button: 2, x: 65535, y: 0 }, ['mousemove', '1919', '0', 'mouseup', '3']],
    [{ type: 'MouseDouble', button: 1, x: 0, y: 0 }, ['mousemove', '0', '0', 'click', '--repeat', '2', '2']],
    [{ type: 'MouseWheel', delta: 120, x: 0, y: 0 }, ['mousemove', '0', '0', 'click', '4']],
    [{ type: 'MouseWheel', delta: -120, x: 0, y: 0 }, ['mousemove', '0', '0', 'click', '5']],
    [{ type: 'KeyDown', keyCode: 65, isRepeat: 0 }, ['keydown', 'a']],
    [{ type: 'KeyUp', keyCode: 13 }, ['keyup', 'Return']],
    [{ type: 'KeyDown', keyCode: 112, isRepeat: 0 }, ['keydown', 'F1']],
  ] as const)('%j', (e, args) => {
    expect(xdotoolArgs({ ...e }, W, H)).toEqual(args);
  });

  it('ignores what X cannot use or we cannot map safely', () => {
    expect(xdotoolArgs({ type: 'MouseWheel', delta: 0, x: 0, y: 0 }, W, H)).toBeUndefined();
    expect(xdotoolArgs({ type: 'MouseDown', button: 9, x: 0, y: 0 }, W, H)).toBeUndefined();
    expect(xdotoolArgs({ type: 'KeyDown', keyCode: 255, isRepeat: 0 }, W, H)).toBeUndefined();
    expect(xdotoolArgs({ type: 'GamepadConnected' }, W, H)).toBeUndefined();
  });

  it('maps keys and clamps coordinates', () => {
    expect(keysymFor(48)).toBe('0');
    expect(keysymFor(37)).toBe('Left');
    expect(keysymFor(90)).toBe('z');
    expect(toPixel(65535, 640)).toBe(639);
    expect(toPixel(0, 640)).toBe(0);
  });
});
