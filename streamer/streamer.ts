// The reference streamer: probes ffmpeg, starts the stream's single encode, registers with the sidecar and
// gives every player its own peer connection on the shared track. Decoded input is logged, counted,
// answered like Unreal does, and injected into X for x11: sources.
import { access, constants, stat } from 'node:fs/promises';
import { build, type Logger } from '../common/index.js';
import type { StreamerConfig } from './config.js';
import { chooseSendPath, type SendPath } from './srtp-send.js';
import { planAudio } from './audio-plan.js';
import { planMedia, type MediaPlan } from './encoder-select.js';
import { probeFfmpeg } from './ffmpeg-probe.js';
import { decodeInput, protocolMessage } from './input-protocol.js';
import { actionFor, qualityOwnership } from './input-replies.js';
import { startMediaSource, type MediaSource } from './media-source.js';
import { PlayerPeer, warmUpPeerConnections } from './player-peer.js';
import { endedMessage, resultMessage } from './processing/player-messages.js';
import { ProcessingError, startProcessing, type Processing } from './processing/processing.js';
import { SignallingClient } from './signalling-client.js';
import { createX11Injector, type X11Injector } from './x11-input.js';
import { CodedError } from '../common/index.js';

export class StreamerError extends CodedError {}

export interface Streamer {
  readonly plan: MediaPlan;
  readonly source: MediaSource;
  /** Live players by id. */
  players(): string[];
  /** Decoded input messages per type since start. */
  inputCounts(): Record<string, number>;
  close(): Promise<void>;
}

/**
 * A file source that cannot be read would otherwise make ffmpeg exit and restart forever behind a black
 * page; refuse it at start with the reason instead.
 */
async function checkFileSource(config: StreamerConfig): Promise<void> {
  if (config.source.kind !== 'file') return;
  const file = config.source.path;
  const refuse = (why: string) =>
    new StreamerError('SOURCE_UNREADABLE', `STREAM_SOURCE=file:${file}: ${why}`);
  await access(file, constants.R_OK).catch((err: NodeJS.ErrnoException) => {
    throw refuse(err.code === 'ENOENT' ? 'no such file' : (err.code ?? err.message));
  });
  if (!(await stat(file)).isFile()) throw refuse('not a regular file');
}

export async function startStreamer(config: StreamerConfig, log: Logger): Promise<Streamer> {
  await checkFileSource(config);
  let send: SendPath;
  try {
    send = chooseSendPath(config.fanoutSend);
  } catch (err) {
    throw new StreamerError('FANOUT_SEND_UNAVAILABLE', (err as Error).message);
  }
  log.info(
    send.path === 'native' ? { send: 'native', file: send.file } : { send: 'js', why: send.why },
    'fan-out send path',
  );
  const facts = await probeFfmpeg(
    config.ffmpegPath,
    config.source,
    config.codec,
    config.hwEncoder,
    config.audio,
  );
  const planned = planMedia(config.source, config.codec, config.hwEncoder, facts);
  if (!planned.ok) throw new StreamerError(planned.code, planned.reason);
  const plan = planned.plan;
  const audio = planAudio(config.source, config.audio, config.rtpAudioPort, {
    ffmpeg: facts.ffmpeg,
    opus: facts.encoders.has('libopus'),
    fileHasAudio: facts.fileHasAudio,
  });
  log.info(
    { ...plan, audio: audio.kind, nvenc: facts.nvenc, ffmpeg: facts.ffmpeg, clock: facts.drawtext },
    'media plan',
  );
  if ('note' in plan && plan.note)
    log.warn({ code: plan.kind === 'replay' ? 'FFMPEG_MISSING' : 'NVENC_UNUSED' }, plan.note);
  if (audio.kind === 'none' && audio.note) log.warn({ code: 'AUDIO_UNAVAILABLE' }, audio.note);
  // Processing mode has no shared stream: each player's session makes its own video (processing/).
  const processing: Processing | undefined =
    plan.kind === 'process'
      ? await startProcessing(config, plan, facts, log).catch((err: Error) => {
          throw err instanceof ProcessingError ? new StreamerError(err.code, err.message) : err;
        })
      : undefined;
  const source =
    processing?.source ??
    (await startMediaSource(plan, audio, config, facts.drawtext, log).catch((err: Error) => {
      if (plan.kind !== 'replay') throw err;
      throw new StreamerError('REPLAY_FAILED', `the VP8 WebM clip could not be replayed: ${err.message}`);
    }));
  const warmStart = Date.now();
  await warmUpPeerConnections(source.codec, source.audio).catch((err: Error) =>
    log.warn({ err: err.message }, 'peer warm-up failed'),
  );
  log.debug({ ms: Date.now() - warmStart }, 'peer connections warmed up');

  const peers = new Map<string, PlayerPeer>();
  const counts: Record<string, number> = {};
  let qualityOwner: string | undefined;
  const injector: X11Injector | undefined =
    config.source.kind === 'x11' && config.inputInject
      ? createX11Injector(config.source.display, config.width, config.height, log)
      : undefined;
  const signalling = new SignallingClient(config, log);

  const giveQualityControl = (owner: PlayerPeer) => {
    qualityOwner = owner.playerId;
    for (const p of peers.values()) p.sendData(qualityOwnership(p === owner));
  };

  const onData = (peer: PlayerPeer, data: Buffer) => {
    const receivedAtMs = Date.now();
    const decoded = decodeInput(data);
    if (!decoded.ok) {
      counts[decoded.code] = (counts[decoded.code] ?? 0) + 1;
      log.warn({ code: decoded.code, reason: decoded.reason, playerId: peer.playerId }, 'bad input ignored');
      return;
    }
    const e = decoded.event;
    counts[e.type] = (counts[e.type] ?? 0) + 1;
    if (config.logInput) log.info({ ...e, playerId: peer.playerId, inputType: e.type }, 'input');
    injector?.inject(e);
    const action = actionFor(e, { receivedAtMs, fps: config.fps, bitrateKbps: config.bitrateKbps });
    if (action.kind === 'reply') peer.sendData(action.data);
    else if (action.kind === 'keyframe') source.requestKeyframe('IFrameRequest');
    else if (action.kind === 'quality-control') giveQualityControl(peer);
  };

  signalling.on('playerConnected', (playerId) => {
    peers
      .get(playerId)
      ?.close('replaced by a new session with the same id')
      .catch(() => undefined);
    if (peers.size >= config.maxPeers) {
      log.warn({ code: 'TOO_MANY_PEERS', playerId, max: config.maxPeers }, 'player refused: too many peers');
      signalling.send({ type: 'disconnectPlayer', playerId, reason: 'streamer full' });
      return;
    }
    // Ends this player's session with the processing error's code; the other players are untouched.
    const session = processing?.open(playerId, {
      // Results go to the player and, through the sidecar (which knows the session id), to the event sink.
      onResult: (result) => {
        peer.sendData(resultMessage(result));
        signalling.send(build.processingEvent(playerId, 'result', result));
      },
      onEnd: (code, reason) => {
        peer.sendData(endedMessage(code, reason));
        signalling.send(build.processingEvent(playerId, 'ended', { code, reason }));
        signalling.send({ type: 'disconnectPlayer', playerId, reason: `${code}: ${reason}` });
        void peer.close(`processing ended: ${code}`);
      },
    });
    const peer: PlayerPeer = new PlayerPeer({
      playerId,
      attach: session
        ? (track) => session.attachOutput(track)
        : (track) => source.attach(track, config.keyframeStrategy === 'gop-cache'),
      receive: session && {
        expectTracks: (n) => session.expectTracks(n),
        video: (track, pli) => session.receiveVideo(track, pli),
        audio: (track) => session.receiveAudio(track),
      },
      attachAudio: source.audio ? (track) => source.attachAudio(track) : undefined,
      codec: source.codec,
      peerConnectionOptions: signalling.peerConnectionOptions,
      iceExtraHosts: config.iceExtraHosts,
      icePortRange: config.icePortRange,
      srtpSend: send.addon,
      log,
      send: (m) => void signalling.send(m),
      onData,
      onDataChannelOpen: (p) => {
        p.sendData(protocolMessage());
        p.sendData(qualityOwnership(qualityOwner === undefined || qualityOwner === p.playerId));
      },
      onKeyframeNeeded: session ? () => session.keyframeNeeded() : (reason) => source.requestKeyframe(reason),
      connectTimeoutMs: config.peerConnectTimeoutSeconds * 1000,
      // The player would otherwise sit on a black page holding the stream: end its session with the reason.
      onFailed: (p, hint) =>
        signalling.send({
          type: 'disconnectPlayer',
          playerId: p.playerId,
          reason: `connection failed: ${hint}`,
        }),
      onClosed: (p, reason) => {
        void session?.close();
        if (peers.get(p.playerId) === p) peers.delete(p.playerId);
        if (qualityOwner === p.playerId) qualityOwner = undefined;
        log.info(
          {
            playerId: p.playerId,
            reason,
            players: peers.size,
            seconds: Math.round((Date.now() - p.startedAt) / 1000),
            videoPackets: p.videoSent,
          },
          'player left',
        );
      },
    });
    peers.set(playerId, peer);
    log.info({ playerId, players: peers.size }, 'player joined');
    peer.start().catch((err: Error) => {
      log.error({ code: 'OFFER_FAILED', playerId, err: err.message }, 'offer failed');
      void peer.close('offer failed');
    });
  });
  signalling.on('playerDisconnected', (playerId) => void peers.get(playerId)?.close('playerDisconnected'));
  signalling.on('answer', (playerId, sdp) => {
    const peer = peers.get(playerId);
    peer?.setAnswer(sdp).catch((err: Error) => {
      // Only this player is affected: it is told why and dropped, the stream goes on for the others.
      log.warn({ code: 'ANSWER_REJECTED', playerId, reason: err.message }, 'answer rejected');
      signalling.send({ type: 'disconnectPlayer', playerId, reason: `answer rejected: ${err.message}` });
      void peer.close('answer rejected');
    });
  });
  signalling.on('iceCandidate', (playerId, candidate) => {
    peers
      .get(playerId)
      ?.addCandidate(candidate)
      .catch((err: Error) => log.debug({ playerId, err: err.message }, 'candidate ignored'));
  });
  signalling.start();

  // A periodic health line: source frame rate, throughput, players and the decoded input messages per type
  // since start (bad ones under their INPUT_* code), so a stalled encoder or a deaf input path shows in logs.
  let last = source.stats();
  let lastAt = Date.now();
  const statsTimer = setInterval(() => {
    const now = source.stats();
    const secs = (Date.now() - lastAt) / 1000;
    log.info(
      {
        fps: Math.round(((now.frames - last.frames) / secs) * 10) / 10,
        kbps: Math.round(((now.bytes - last.bytes) * 8) / secs / 1000),
        players: peers.size,
        encoderStarts: now.encoderStarts,
        keyframeRequests: now.keyframeRequests,
        signalling: signalling.connected,
        input: { ...counts },
      },
      'stats',
    );
    last = now;
    lastAt = Date.now();
  }, config.statsIntervalSeconds * 1000);
  statsTimer.unref();

  return {
    plan,
    source,
    players: () => [...peers.keys()],
    inputCounts: () => ({ ...counts }),
    async close() {
      clearInterval(statsTimer);
      injector?.close();
      await signalling.close();
      await Promise.all([...peers.values()].map((p) => p.close('streamer stopping')));
      await source.close();
    },
  };
}
