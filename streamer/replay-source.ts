// The shared source without ffmpeg: werift replays a WebM clip (VP8, with its Opus track if any) in a loop.
import path from 'node:path';
import { RTCRtpCodecParameters, type MediaStreamTrack } from 'werift';
import type { Logger } from '../common/index.js';
import { never, noAudio, type FanOut } from './fan-out.js';
import type { MediaSource } from './media-source.js';

/** Feeds a replayed track into `fan`; each loop of the clip restarts its numbering, which the senders smooth over. */
function replayInto(track: MediaStreamTrack, fan: FanOut): void {
  let loopStart = false;
  track.onSourceChanged.subscribe(() => (loopStart = true));
  track.onReceiveRtp.subscribe((rtp) => {
    const packet = rtp.serialize();
    if (loopStart) {
      loopStart = false;
      fan.sourceChanged(packet);
    }
    fan.feed(packet);
  });
}

export async function startReplay(
  fan: FanOut,
  audioFan: FanOut | undefined,
  clip: string,
  log: Logger,
): Promise<MediaSource> {
  const stats = fan.stats;
  const { getUserMedia } = await import('werift/nonstandard');
  const player = await getUserMedia({ path: clip, loop: true });
  const video = player.video;
  if (!video) throw new Error(`${clip} has no video track`);
  // The replayer packetises for the negotiated codec of the track; our fan-out track is the one attached to
  // senders, so declare VP8 here ourselves (payload type is rewritten per sender anyway).
  video.codec = new RTCRtpCodecParameters({ mimeType: 'video/VP8', clockRate: 90_000, payloadType: 96 });
  replayInto(video, fan);
  // A clip with an Opus track is replayed with its sound (unless STREAM_AUDIO=off).
  const sound = audioFan ? player.audio : undefined;
  if (sound && audioFan) {
    // No channel count: werift then accepts mono and stereo clips alike (Opus RTP is declared 2-channel
    // in SDP either way, and decoders handle a mono stream under it).
    sound.codec = new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48_000, payloadType: 111 });
    replayInto(sound, audioFan);
  }
  player.onError.subscribe((err) =>
    log.error({ code: 'REPLAY_FAILED', err: err.message }, 'clip replay failed'),
  );
  await player.start();
  stats.encoderStarts++;
  log.info(
    { source: 'replay', clip: path.basename(clip), codec: 'vp8', audio: sound !== undefined },
    'source ready',
  );
  return {
    attach: (t, g) => fan.attach(t, g),
    audio: sound !== undefined,
    attachAudio: sound && audioFan ? (t) => audioFan.attach(t, false) : noAudio,
    codec: 'vp8',
    description: `replaying ${path.basename(clip)}`,
    requestKeyframe: () => void stats.keyframeRequests++,
    stats: () => ({ ...stats }),
    failed: never,
    close: () => Promise.resolve(player.stop()),
  };
}
