// The shared source fed by an external encoder's RTP (and Opus RTP for audio): no local encode at all.
import type { Logger } from '../common/index.js';
import type { AudioPlan } from './audio-plan.js';
import type { StreamerConfig } from './config.js';
import { never, noAudio, type FanOut } from './fan-out.js';
import type { MediaSource } from './media-source.js';
import { openRtpSocket, type RtpSocket } from './rtp-socket.js';

/** Feeds RTP arriving on `socket` into `fan`; a new SSRC (the external encoder restarted) keeps each player's numbering continuous. */
function feedExternal(socket: RtpSocket, fan: FanOut): void {
  let ssrc: number | undefined;
  socket.onPacket((p) => {
    const s = p.readUInt32BE(8);
    if (ssrc !== undefined && s !== ssrc) fan.sourceChanged(p);
    ssrc = s;
    fan.feed(p);
  });
}

export async function startRtpIn(
  fan: FanOut,
  audioFan: FanOut | undefined,
  audio: AudioPlan,
  config: StreamerConfig,
  log: Logger,
): Promise<MediaSource> {
  const stats = fan.stats;
  if (config.source.kind !== 'rtp') throw new Error('rtp-in plan without an rtp source');
  const socket = await openRtpSocket(config.rtpHost, config.source.port);
  feedExternal(socket, fan);
  const audioSocket =
    audioFan && audio.kind === 'rtp' ? await openRtpSocket(config.rtpHost, audio.port) : undefined;
  if (audioSocket && audioFan) feedExternal(audioSocket, audioFan);
  log.info(
    {
      source: 'rtp',
      host: config.rtpHost,
      port: socket.port,
      codec: config.codec,
      audioPort: audioSocket?.port,
    },
    'source ready',
  );
  return {
    attach: (t, g) => fan.attach(t, g),
    audio: audioSocket !== undefined,
    attachAudio: audioFan && audioSocket ? (t) => audioFan.attach(t, false) : noAudio,
    codec: config.codec,
    description: `RTP in on ${config.rtpHost}:${socket.port}`,
    requestKeyframe: (reason) => {
      stats.keyframeRequests++;
      log.debug({ reason }, 'keyframe request not forwardable to an external encoder');
    },
    stats: () => ({ ...stats }),
    failed: never,
    close: async () => {
      await Promise.all([socket.close(), audioSocket?.close()]);
    },
  };
}
