// The part of the signalling server's `config` the streamer acts on — ICE servers and the transport policy —
// taken apart defensively: the wire contract only promises an object, and one malformed entry must cost that
// entry, never the stream. Pure, so every accepted and dropped shape is tabled.
import type { IceServer, PeerConnectionOptions } from '../common/index.js';

export interface IceConfig {
  /** What the peer connections use: well-formed servers only, the policy 'relay' or 'all'. */
  options: PeerConnectionOptions;
  /** One line per dropped or ignored part; empty for a well-formed config. */
  problems: string[];
}

const isString = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

/** One server entry, or the reason it is dropped. */
function server(entry: unknown, i: number): { ok?: IceServer; problem?: string } {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry))
    return { problem: `iceServers[${i}] is not an object` };
  const { urls, username, credential } = entry as Record<string, unknown>;
  const list = Array.isArray(urls) ? urls : [urls];
  const good = list.filter(isString);
  if (good.length === 0) return { problem: `iceServers[${i}].urls has no URL string` };
  if (username !== undefined && typeof username !== 'string')
    return { problem: `iceServers[${i}].username is not a string` };
  if (credential !== undefined && typeof credential !== 'string')
    return { problem: `iceServers[${i}].credential is not a string` };
  const ok: IceServer = { urls: Array.isArray(urls) ? good : good[0]! };
  if (username !== undefined) ok.username = username;
  if (credential !== undefined) ok.credential = credential;
  return good.length < list.length
    ? { ok, problem: `iceServers[${i}].urls: ${list.length - good.length} non-string URL(s) dropped` }
    : { ok };
}

/** Reads `peerConnectionOptions` from a `config` message; never throws. */
export function readIceConfig(raw: unknown): IceConfig {
  const problems: string[] = [];
  const o = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  const iceServers: IceServer[] = [];
  if (o.iceServers !== undefined && !Array.isArray(o.iceServers)) problems.push('iceServers is not an array');
  if (Array.isArray(o.iceServers)) {
    o.iceServers.forEach((entry, i) => {
      const r = server(entry, i);
      if (r.ok) iceServers.push(r.ok);
      if (r.problem) problems.push(r.problem);
    });
  }
  const policy = o.iceTransportPolicy;
  if (policy !== undefined && policy !== 'all' && policy !== 'relay')
    problems.push(`iceTransportPolicy ${JSON.stringify(policy)} is neither "all" nor "relay": using "all"`);
  return {
    options: { iceServers, iceTransportPolicy: policy === 'relay' ? 'relay' : 'all' },
    problems,
  };
}
