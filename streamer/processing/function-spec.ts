// What a processing function is, decided from the text after `process:` in STREAM_SOURCE without touching
// the system: an ffmpeg filter graph, any command that reads raw frames on stdin and writes frames on
// stdout, or the built-in recorder. Pure, so every accepted and refused form is tabled.

export type ProcessFunction =
  /** An ffmpeg video filter graph (one input, one output), e.g. `negate` or `hflip,edgedetect`. */
  | { kind: 'filter'; graph: string }
  /** A command run by `sh -c`: raw frames in on stdin, raw frames out on stdout, JSON lines on fd 3. */
  | { kind: 'exec'; command: string }
  /** The session's incoming media written to a WebM file; the camera is sent back unchanged. */
  | { kind: 'record' };

export type FunctionSpecResult = { ok: true; fn: ProcessFunction } | { ok: false; reason: string };

const USAGE = 'process: needs filter:<ffmpeg filter graph>, exec:<command> or record';

/** Parses what follows `process:`. */
export function parseFunctionSpec(value: string): FunctionSpecResult {
  if (value === 'record') return { ok: true, fn: { kind: 'record' } };
  const colon = value.indexOf(':');
  if (colon < 0) return { ok: false, reason: USAGE };
  const kind = value.slice(0, colon);
  const rest = value.slice(colon + 1).trim();
  switch (kind) {
    case 'filter':
      if (rest.length === 0) return { ok: false, reason: 'process:filter: needs a filter graph' };
      // A simple graph only: labelled pads and several chains (`;`) would need a -filter_complex mapping.
      if (/[;[\]]/.test(rest))
        return { ok: false, reason: 'process:filter: takes a simple graph (filters joined by commas)' };
      return { ok: true, fn: { kind: 'filter', graph: rest } };
    case 'exec':
      if (rest.length === 0) return { ok: false, reason: 'process:exec: needs a command' };
      return { ok: true, fn: { kind: 'exec', command: rest } };
    default:
      return { ok: false, reason: USAGE };
  }
}

/** The text after `process:` that names `fn` (for log lines). */
export function formatFunctionSpec(fn: ProcessFunction): string {
  switch (fn.kind) {
    case 'filter':
      return `filter:${fn.graph}`;
    case 'exec':
      return `exec:${fn.command}`;
    case 'record':
      return 'record';
  }
}
