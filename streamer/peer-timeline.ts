// The streamer's side of one player's session set-up, for the log line that lets `bench:stream` (or an
// operator) see where the time to first frame goes: when the offer went out, the answer came back, ICE and
// DTLS connected, the data channel opened and the first keyframe was handed to the player's sender. Pure:
// the caller passes the clock.

export const PEER_STAGES = [
  'offerSent',
  'answerReceived',
  'iceConnected',
  'dtlsConnected',
  'dataChannelOpen',
  'firstKeyframeSent',
] as const;
export type PeerStage = (typeof PEER_STAGES)[number];

export class PeerTimeline {
  private readonly at: Partial<Record<PeerStage, number>> = {};
  private reported = false;

  constructor(readonly joinedAt: number) {}

  /** Records `stage` at `now` (first time only); true when this completes the timeline. */
  mark(stage: PeerStage, now: number): boolean {
    if (this.at[stage] !== undefined) return false;
    this.at[stage] = now;
    if (this.reported || !PEER_STAGES.every((s) => this.at[s] !== undefined)) return false;
    this.reported = true;
    return true;
  }

  /** Each recorded stage in ms after the player joined; `joinedAt` is wall-clock ms. */
  summary(): { joinedAt: number } & Partial<Record<PeerStage, number>> {
    const out: { joinedAt: number } & Partial<Record<PeerStage, number>> = { joinedAt: this.joinedAt };
    for (const s of PEER_STAGES) if (this.at[s] !== undefined) out[s] = this.at[s] - this.joinedAt;
    return out;
  }
}
