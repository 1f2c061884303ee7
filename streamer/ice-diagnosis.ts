// Why a player's connection failed, in words an operator can act on, from what the streamer itself saw of
// ICE: which candidate types it gathered, how many the browser sent, and whether TURN was configured. Pure.

export type CandidateType = 'host' | 'srflx' | 'prflx' | 'relay';

export interface IceSeen {
  /** The sidecar's config carried a turn:/turns: server. */
  turnConfigured: boolean;
  /** iceTransportPolicy 'relay': only relay candidates may be used. */
  relayOnly: boolean;
  /** Our gathered candidates by type. */
  local: Partial<Record<CandidateType, number>>;
  /** Candidates the browser trickled to us. */
  remote: number;
}

/** The `typ` of an SDP candidate line (`candidate:… typ relay …`), or undefined when it has none we know. */
export function candidateType(candidate: string): CandidateType | undefined {
  const m = / typ (host|srflx|prflx|relay)\b/.exec(candidate);
  return m ? (m[1] as CandidateType) : undefined;
}

/** The most likely reason, first match wins; the log line carries the raw counts as well. */
export function iceFailureHint(seen: IceSeen): string {
  const relays = seen.local.relay ?? 0;
  if (seen.turnConfigured && relays === 0) {
    return 'no TURN relay candidate was allocated: the TURN server refused our credentials (is TURN_SECRET the same on the sidecar and coturn?) or is unreachable from the pod';
  }
  if (seen.relayOnly && !seen.turnConfigured)
    return 'relay-only ICE policy but no TURN server in the config: nothing can connect';
  if (seen.remote === 0)
    return 'the browser sent no ICE candidates: its network blocks UDP or the signalling path drops iceCandidate messages';
  if (seen.turnConfigured) {
    return "candidates were exchanged but no pair worked: the browser's side of TURN failed (coturn logs a refused peer or a 401), or UDP to the relay is blocked";
  }
  return 'candidates were exchanged but no pair worked and no TURN server is configured: players behind NAT or firewalls need TURN';
}
