// What STREAM_SOURCE means, decided without touching the system: a test pattern, a looped file, an X
// display to capture, RTP from an external encoder, or each player's own camera through a processing
// function. Pure, so every accepted and refused form is tabled.
import { formatFunctionSpec, parseFunctionSpec, type ProcessFunction } from './processing/function-spec.js';

export type SourceSpec =
  | { kind: 'testsrc' }
  | { kind: 'file'; path: string }
  | { kind: 'x11'; display: string }
  | { kind: 'rtp'; port: number }
  | { kind: 'process'; fn: ProcessFunction };

export type SourceSpecResult = { ok: true; spec: SourceSpec } | { ok: false; reason: string };

const USAGE = 'must be testsrc, file:<path>, x11:<display> (e.g. x11::99), rtp:<port> or process:<function>';

/** Parses a STREAM_SOURCE value. */
export function parseSourceSpec(value: string): SourceSpecResult {
  const v = value.trim();
  if (v === 'testsrc') return { ok: true, spec: { kind: 'testsrc' } };
  const colon = v.indexOf(':');
  if (colon < 0) return { ok: false, reason: USAGE };
  const kind = v.slice(0, colon);
  const rest = v.slice(colon + 1);
  switch (kind) {
    case 'file':
      if (rest.length === 0) return { ok: false, reason: 'file: needs a path' };
      return { ok: true, spec: { kind: 'file', path: rest } };
    case 'x11':
      // An X display name is [host]:display[.screen]; only local displays make sense for capture.
      if (!/^:\d+(\.\d+)?$/.test(rest))
        return { ok: false, reason: 'x11: needs a local display such as x11::99' };
      return { ok: true, spec: { kind: 'x11', display: rest } };
    case 'rtp': {
      if (!/^\d+$/.test(rest)) return { ok: false, reason: 'rtp: needs a UDP port number' };
      const port = Number(rest);
      if (port < 1 || port > 65535) return { ok: false, reason: 'rtp: port must be 1–65535' };
      return { ok: true, spec: { kind: 'rtp', port } };
    }
    case 'process': {
      const fn = parseFunctionSpec(rest);
      return fn.ok ? { ok: true, spec: { kind: 'process', fn: fn.fn } } : fn;
    }
    default:
      return { ok: false, reason: USAGE };
  }
}

/** The STREAM_SOURCE value that names `spec` (for log lines). */
export function formatSourceSpec(spec: SourceSpec): string {
  switch (spec.kind) {
    case 'testsrc':
      return 'testsrc';
    case 'file':
      return `file:${spec.path}`;
    case 'x11':
      return `x11:${spec.display}`;
    case 'rtp':
      return `rtp:${spec.port}`;
    case 'process':
      return `process:${formatFunctionSpec(spec.fn)}`;
  }
}
