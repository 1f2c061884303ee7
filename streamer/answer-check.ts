// Whether a player's SDP answer can work against the offer we sent. werift's parser accepts almost any
// text (garbage yields a description with no media at all), so a bad answer would otherwise be taken,
// ICE would never start and the player would end much later as PEER_FAILED with a misleading hint.
// Pure: the offer and the answer in, the first problem (or undefined) out.
import { SessionDescription, type MediaDescription } from 'werift';

/** The first reason `answer` cannot complete `offer`, or undefined when it fits. */
export function answerProblem(offer: string, answer: string): string | undefined {
  if (!/^v=0\r?\n/.test(answer)) return 'not SDP (no v=0 line first)';
  // Checked before parsing: werift's parser throws a TypeError on an answer with none at all.
  if (!/^a=ice-ufrag:\S/m.test(answer) || !/^a=ice-pwd:\S/m.test(answer))
    return 'no ICE credentials (ice-ufrag/ice-pwd)';
  let ours: MediaDescription[];
  let theirs: MediaDescription[];
  try {
    ours = SessionDescription.parse(offer).media;
    theirs = SessionDescription.parse(answer).media;
  } catch (err) {
    return `unparsable SDP: ${(err as Error).message}`;
  }
  if (theirs.length !== ours.length) return `${theirs.length} media sections, the offer has ${ours.length}`;
  for (const [i, offered] of ours.entries()) {
    const m = theirs[i]!;
    const where = `media section ${i} (${offered.kind})`;
    if (m.kind !== offered.kind) return `${where} answered as ${m.kind}`;
    const mid = offered.rtp.muxId;
    if (mid !== undefined && m.rtp.muxId !== mid)
      return `${where} has mid ${String(m.rtp.muxId)}, the offer has ${mid}`;
    // Port 0 rejects a section; only the video may not be rejected (audio and data are optional).
    if (m.port === 0) {
      if (offered.kind === 'video') return `${where} rejected (port 0)`;
      continue;
    }
    if (offered.kind !== 'application') {
      const payloadTypes = new Set(offered.fmt.map(String));
      if (!m.fmt.some((f) => payloadTypes.has(String(f))))
        return `${where} accepts none of the offered codecs`;
    }
    if (!m.iceParams?.usernameFragment || !m.iceParams.password)
      return `${where} has no ICE credentials (ice-ufrag/ice-pwd)`;
    if (!m.dtlsParams?.fingerprints.length) return `${where} has no DTLS fingerprint or setup role`;
  }
  return undefined;
}

/** How many audio/video sections of an answer send media to us (sendrecv or sendonly). */
export function sendingSections(answer: string): number {
  return answer
    .split(/^m=/m)
    .slice(1)
    .filter((m) => /^(audio|video) /.test(m) && /^a=(sendrecv|sendonly)\s*$/m.test(m)).length;
}
