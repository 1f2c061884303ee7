// Turns decoded player input into xdotool commands for an X display (XTEST under the hood), so any app
// running under Xvfb/Xorg is controllable from the browser. The mapping is pure; the injector runs one
// xdotool at a time and folds bursts of mouse moves into the latest position.
import { spawn } from 'node:child_process';
import type { Logger } from '../common/index.js';
import type { InputEvent } from './input-protocol.js';

/** Browser keyCode → X keysym name for the keys that are not plain letters or digits. */
const KEYSYMS: Record<number, string> = {
  8: 'BackSpace',
  9: 'Tab',
  13: 'Return',
  16: 'Shift_L',
  17: 'Control_L',
  18: 'Alt_L',
  19: 'Pause',
  20: 'Caps_Lock',
  27: 'Escape',
  32: 'space',
  33: 'Prior',
  34: 'Next',
  35: 'End',
  36: 'Home',
  37: 'Left',
  38: 'Up',
  39: 'Right',
  40: 'Down',
  45: 'Insert',
  46: 'Delete',
  91: 'Super_L',
  93: 'Menu',
  186: 'semicolon',
  187: 'equal',
  188: 'comma',
  189: 'minus',
  190: 'period',
  191: 'slash',
  192: 'grave',
  219: 'bracketleft',
  220: 'backslash',
  221: 'bracketright',
  222: 'apostrophe',
};

/** X keysym for a browser keyCode, or undefined when we have no safe mapping. */
export function keysymFor(keyCode: number): string | undefined {
  if (keyCode >= 65 && keyCode <= 90) return String.fromCharCode(keyCode + 32);
  if (keyCode >= 48 && keyCode <= 57) return String.fromCharCode(keyCode);
  if (keyCode >= 112 && keyCode <= 123) return `F${keyCode - 111}`;
  if (keyCode >= 96 && keyCode <= 105) return `KP_${keyCode - 96}`;
  return KEYSYMS[keyCode];
}

/** Epic's button numbers (0 left, 1 middle, 2 right, 3 back, 4 forward) → X buttons. */
const X_BUTTON = [1, 2, 3, 8, 9];

/** Normalised 0–65535 coordinate → pixel. */
export function toPixel(normalised: number, size: number): number {
  return Math.min(size - 1, Math.max(0, Math.round((normalised / 65535) * (size - 1))));
}

/** xdotool arguments for one event on a `width`×`height` display; undefined for events X has no use for. */
export function xdotoolArgs(e: InputEvent, width: number, height: number): string[] | undefined {
  const at = () => ['mousemove', String(toPixel(Number(e.x), width)), String(toPixel(Number(e.y), height))];
  const button = () => X_BUTTON[Number(e.button)];
  switch (e.type) {
    case 'MouseMove':
      return at();
    case 'MouseDown':
    case 'MouseUp': {
      const b = button();
      return b === undefined
        ? undefined
        : [...at(), e.type === 'MouseDown' ? 'mousedown' : 'mouseup', String(b)];
    }
    case 'MouseDouble': {
      const b = button();
      return b === undefined ? undefined : [...at(), 'click', '--repeat', '2', String(b)];
    }
    case 'MouseWheel':
      if (Number(e.delta) === 0) return undefined;
      return [...at(), 'click', Number(e.delta) > 0 ? '4' : '5'];
    case 'KeyDown':
    case 'KeyUp': {
      const sym = keysymFor(Number(e.keyCode));
      return sym === undefined ? undefined : [e.type === 'KeyDown' ? 'keydown' : 'keyup', sym];
    }
    default:
      return undefined;
  }
}

export interface X11Injector {
  inject(e: InputEvent): void;
  close(): void;
}

/** Serial injector for `display`: at most one xdotool runs; queued moves collapse to the last one. */
export function createX11Injector(display: string, width: number, height: number, log: Logger): X11Injector {
  const queue: string[][] = [];
  let running = false;
  let closed = false;
  let failures = 0;
  const next = () => {
    if (running || closed) return;
    const args = queue.shift();
    if (!args) return;
    running = true;
    const child = spawn('xdotool', args, { stdio: 'ignore', env: { ...process.env, DISPLAY: display } });
    const done = (ok: boolean) => {
      running = false;
      if (!ok && failures++ % 100 === 0)
        log.warn({ code: 'INPUT_INJECT_FAILED', args }, 'input injection failed');
      next();
    };
    child.once('error', () => done(false));
    child.once('exit', (code) => done(code === 0));
  };
  return {
    inject(e) {
      const args = xdotoolArgs(e, width, height);
      if (!args) return;
      const last = queue.at(-1);
      if (e.type === 'MouseMove' && last?.[0] === 'mousemove' && last.length === 3)
        queue[queue.length - 1] = args;
      else if (queue.length < 256) queue.push(args);
      next();
    },
    close() {
      closed = true;
      queue.length = 0;
    },
  };
}
