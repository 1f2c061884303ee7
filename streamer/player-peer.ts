// One player's WebRTC session: a werift peer connection sending the shared video track, the `datachannel`
// data channel, the offer and trickle ICE. It knows nothing about sockets or encoders: signalling goes out
// through `send`, decoded input and keyframe needs come back through callbacks.
import { MediaStreamTrack, RTCPeerConnection, RTCRtpCodecParameters, type RTCDataChannel } from 'werift';
import {
  build,
  type IceCandidateInit,
  type Logger,
  type Message,
  type PeerConnectionOptions,
} from '../common/index.js';
import { answerProblem, sendingSections } from './answer-check.js';
import type { Codec } from './config.js';
import { candidateType, iceFailureHint, type IceSeen } from './ice-diagnosis.js';
import { keepEarlyDtls } from './early-dtls.js';
import { isKeyframePayload } from './keyframe.js';
import { installLeanSender, observeSent, type LeanSenderCounts } from './lean-rtp-sender.js';
import { installRtcpIntake } from './rtcp-intake.js';
import type { SrtpSendAddon } from './srtp-send.js';
import { onlyConfiguredStun, peerConfig, weriftIceServers } from './peer-config.js';
import { PeerTimeline, type PeerStage } from './peer-timeline.js';

export interface PlayerPeerOptions {
  playerId: string;
  /** Connects this player's track to the stream once the connection is up; returns the detach function. */
  attach(track: MediaStreamTrack): () => void;
  /** Present when the stream has audio: connects this player's Opus track, returns the detach function. */
  attachAudio: ((track: MediaStreamTrack) => () => void) | undefined;
  codec: Codec;
  peerConnectionOptions: PeerConnectionOptions;
  iceExtraHosts: string[];
  icePortRange: [number, number] | undefined;
  /** The native send path (srtp-send.ts), when it loaded; it also opens what the player sends over SRTCP. */
  srtpSend?: SrtpSendAddon;
  log: Logger;
  send(message: Message): void;
  onData(peer: PlayerPeer, data: Buffer): void;
  onDataChannelOpen(peer: PlayerPeer): void;
  onKeyframeNeeded(reason: string): void;
  /** ICE failed, or the connection was not up within `connectTimeoutMs`; `hint` says the likely cause. */
  onFailed(peer: PlayerPeer, hint: string): void;
  onClosed(peer: PlayerPeer, reason: string): void;
  /** werift never reports 'failed' when no candidate pair exists at all, so a deadline stands in for it. */
  connectTimeoutMs: number;
  /** Processing mode: also receive the player's camera (and microphone) on this connection. */
  receive?: PeerReceiver;
}

/** Where the media a player sends goes (see processing/). */
export interface PeerReceiver {
  /** The answer says how many tracks the player sends; called before any of them is handed over. */
  expectTracks(count: number): void;
  /** The camera track; `pli` asks the player's browser for a keyframe. */
  video(track: MediaStreamTrack, pli: () => void): void;
  audio(track: MediaStreamTrack): void;
}

/** The audio codec we offer when the stream has sound: Opus, 48 kHz stereo, with in-band FEC. */
export function opusParameters(): RTCRtpCodecParameters {
  return new RTCRtpCodecParameters({
    mimeType: 'audio/opus',
    clockRate: 48_000,
    channels: 2,
    parameters: 'minptime=10;useinbandfec=1',
  });
}

/** How long a peer may stay 'disconnected' (ICE consent lost) before we give up on it. */
const DISCONNECTED_GRACE_MS = 10_000;

/** The one codec we offer: exactly what the shared encoder produces. */
export function codecParameters(codec: Codec): RTCRtpCodecParameters {
  // No `ccm fir`: werift reports PLI only, and browsers fall back to PLI when FIR is not offered.
  const rtcpFeedback = [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'goog-remb' }];
  return codec === 'vp8'
    ? new RTCRtpCodecParameters({ mimeType: 'video/VP8', clockRate: 90_000, rtcpFeedback })
    : new RTCRtpCodecParameters({
        mimeType: 'video/H264',
        clockRate: 90_000,
        rtcpFeedback,
        parameters: 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f',
      });
}

export class PlayerPeer {
  readonly playerId: string;
  private readonly pc: RTCPeerConnection;
  private channel: RTCDataChannel | undefined;
  private closed = false;
  private disconnectTimer: NodeJS.Timeout | undefined;
  private connectTimer: NodeJS.Timeout | undefined;
  private detach: (() => void) | undefined;
  /** The connection was 'disconnected' last: its return needs a keyframe. */
  private wasDisconnected = false;
  private detachAudio: (() => void) | undefined;
  private readonly track = new MediaStreamTrack({ kind: 'video' });
  private readonly audioTrack = new MediaStreamTrack({ kind: 'audio' });
  /** What ICE did, for the log line that explains a failed connection. */
  private readonly ice: IceSeen;
  readonly startedAt = Date.now();
  /** The video packets this player was sent, and by which path (lean-rtp-sender.ts). */
  videoSent: LeanSenderCounts = { lean: 0, native: 0, fallback: 0 };
  /** The set-up stages, logged as one `player timeline` line once the first keyframe and the channel are through. */
  private readonly timeline = new PeerTimeline(this.startedAt);

  constructor(private readonly o: PlayerPeerOptions) {
    this.playerId = o.playerId;
    const iceServers = weriftIceServers(o.peerConnectionOptions) ?? [];
    this.ice = {
      turnConfigured: iceServers.some((s) => typeof s.urls === 'string' && /^turns?:/.test(s.urls)),
      relayOnly: o.peerConnectionOptions.iceTransportPolicy === 'relay',
      local: {},
      remote: 0,
    };
    this.pc = new RTCPeerConnection(
      peerConfig({
        options: o.peerConnectionOptions,
        extraHosts: o.iceExtraHosts,
        portRange: o.icePortRange,
        codecs: {
          video: [codecParameters(o.codec)],
          audio: o.attachAudio || o.receive ? [opusParameters()] : [],
        },
      }),
    );
  }

  /** Creates the offer and sends it; trickles our candidates as they are found. */
  async start(): Promise<void> {
    const { pc, o } = this;
    this.connectTimer = setTimeout(() => this.fail('not connected in time'), o.connectTimeoutMs);
    // Epic's frontend with UseCamera/UseMic puts its camera and microphone on the transceivers our offer
    // creates in the browser; it can only send on those we offer to receive on.
    const receive = o.receive;
    const transceiver = pc.addTransceiver(this.track, { direction: receive ? 'sendrecv' : 'sendonly' });
    this.videoSent = installLeanSender(transceiver.sender, o.srtpSend);
    transceiver.sender.onPictureLossIndication.subscribe(() => o.onKeyframeNeeded('pli'));
    if (o.attachAudio)
      installLeanSender(pc.addTransceiver(this.audioTrack, { direction: 'sendonly' }).sender, o.srtpSend);
    if (receive) {
      transceiver.onTrack.subscribe((track) =>
        receive.video(
          track,
          () => void transceiver.receiver.sendRtcpPLI(track.ssrc ?? 0).catch(() => undefined),
        ),
      );
      if (!o.attachAudio)
        pc.addTransceiver('audio', { direction: 'recvonly' }).onTrack.subscribe((t) => receive.audio(t));
    }
    const channel = pc.createDataChannel('datachannel', { ordered: true });
    this.channel = channel;
    channel.stateChanged.subscribe((state) => {
      if (state !== 'open') return;
      this.stage('dataChannelOpen');
      o.onDataChannelOpen(this);
    });
    // The parsed packet's payload: no re-serialising of every packet until the first keyframe. The fan-out
    // hands packets to the lean send directly, not through the track's event: observeSent sees both.
    const stopWatching = observeSent(this.track, (rtp) => {
      if (!isKeyframePayload(o.codec, rtp.payload)) return;
      stopWatching();
      this.stage('firstKeyframeSent');
    });
    // Only 'connected': werift also reports 'completed' when gathering ends, checks or not.
    pc.iceConnectionStateChange.subscribe((state) => {
      if (state === 'connected') this.stage('iceConnected');
    });
    channel.onMessage.subscribe((data) =>
      o.onData(this, typeof data === 'string' ? Buffer.from(data, 'utf8') : data),
    );
    // Trickle ICE: the offer goes out the moment it is our local description, before gathering (which
    // setLocalDescription runs and awaits) has found anything; every candidate follows as it is found.
    let offerSent = false;
    const held: IceCandidateInit[] = [];
    pc.onIceCandidate.subscribe((c) => {
      if (!c || this.closed) return;
      const j = c.toJSON();
      const candidate: IceCandidateInit = {
        candidate: j.candidate,
        sdpMid: j.sdpMid ?? null,
        sdpMLineIndex: j.sdpMLineIndex ?? null,
      };
      const type = candidateType(j.candidate);
      if (type) this.ice.local[type] = (this.ice.local[type] ?? 0) + 1;
      if (offerSent) o.send(build.iceCandidate(candidate, this.playerId));
      else held.push(candidate);
    });
    pc.connectionStateChange.subscribe((state) => {
      o.log.info({ playerId: this.playerId, state }, 'peer state');
      clearTimeout(this.disconnectTimer);
      if (state === 'connected' && this.detach && this.wasDisconnected)
        o.onKeyframeNeeded('player reconnected');
      if (state === 'connected') this.mediaReady();
      this.wasDisconnected = state === 'disconnected';
      if (state === 'failed') this.fail('ICE failed');
      if (state === 'closed') void this.close('peer closed');
      if (state === 'disconnected')
        this.disconnectTimer = setTimeout(() => void this.close('peer disconnected'), DISCONNECTED_GRACE_MS);
    });
    const offer = await pc.createOffer();
    onlyConfiguredStun(pc);
    keepEarlyDtls(pc);
    if (o.srtpSend) for (const t of pc.dtlsTransports) installRtcpIntake(t, o.srtpSend);
    // Media can flow once DTLS is done; werift reports the connection 'connected' only after the data
    // channel's SCTP association too, one more handshake that the first frame need not wait for.
    for (const t of pc.dtlsTransports)
      t.onStateChange.subscribe((state) => {
        if (state === 'connected') this.mediaReady();
      });
    const sendOffer = () => {
      if (offerSent || this.closed) return;
      offerSent = true;
      o.send(build.offer(offer.sdp, this.playerId));
      this.stage('offerSent');
      // A browser cannot add a candidate before it has the offer: anything found earlier follows it now.
      for (const c of held) o.send(build.iceCandidate(c, this.playerId));
    };
    const localSet = pc.signalingStateChange.subscribe((state) => {
      if (state !== 'have-local-offer') return;
      localSet.unSubscribe();
      sendOffer();
    });
    await pc.setLocalDescription(offer);
    localSet.unSubscribe();
    sendOffer();
  }

  /** Takes the player's answer; throws with the reason when it cannot complete our offer. */
  async setAnswer(sdp: string): Promise<void> {
    if (this.closed) return;
    const offer = this.pc.localDescription?.sdp;
    const problem = offer === undefined ? 'an answer before our offer' : answerProblem(offer, sdp);
    if (problem !== undefined) throw new Error(problem);
    this.stage('answerReceived');
    this.o.receive?.expectTracks(sendingSections(sdp));
    await this.pc.setRemoteDescription({ type: 'answer', sdp });
  }

  async addCandidate(candidate: IceCandidateInit): Promise<void> {
    if (this.closed || !candidate.candidate) return;
    this.ice.remote++;
    await this.pc.addIceCandidate({
      candidate: candidate.candidate,
      sdpMid: candidate.sdpMid ?? undefined,
      sdpMLineIndex: candidate.sdpMLineIndex ?? undefined,
    });
  }

  /** Sends a binary data-channel message; false when the channel is not open. */
  sendData(data: Buffer): boolean {
    if (this.channel?.readyState !== 'open') return false;
    this.channel.send(data);
    return true;
  }

  /** DTLS is up (SRTP keys exist): start sending this player the stream, from a keyframe. */
  private mediaReady(): void {
    if (this.closed || this.detach) return;
    this.stage('dtlsConnected');
    clearTimeout(this.connectTimer);
    this.detach = this.o.attach(this.track);
    this.detachAudio = this.o.attachAudio?.(this.audioTrack);
    this.o.onKeyframeNeeded('player connected');
  }

  private stage(stage: PeerStage): void {
    if (this.timeline.mark(stage, Date.now()))
      this.o.log.info({ playerId: this.playerId, ...this.timeline.summary() }, 'player timeline');
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private fail(what: string): void {
    if (this.closed) return;
    const hint = iceFailureHint(this.ice);
    this.o.log.warn(
      { code: 'PEER_FAILED', playerId: this.playerId, what, hint, ...this.ice },
      'player connection failed',
    );
    this.o.onFailed(this, hint);
    void this.close(`peer failed: ${what}`);
  }

  async close(reason: string): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.disconnectTimer);
    clearTimeout(this.connectTimer);
    this.detach?.();
    this.detachAudio?.();
    this.o.onClosed(this, reason);
    await this.pc.close().catch(() => undefined);
  }
}

/**
 * Builds and discards one offer so the first real player does not pay werift's one-time costs (DTLS
 * certificate, code warm-up): measured ~500 ms for the first offer against 30–50 ms afterwards.
 */
export async function warmUpPeerConnections(codec: Codec, audio = false): Promise<void> {
  const pc = new RTCPeerConnection(
    peerConfig({
      options: { iceServers: [] },
      extraHosts: [],
      portRange: undefined,
      codecs: { video: [codecParameters(codec)], audio: audio ? [opusParameters()] : [] },
    }),
  );
  try {
    pc.addTransceiver(new MediaStreamTrack({ kind: 'video' }), { direction: 'sendonly' });
    if (audio) pc.addTransceiver(new MediaStreamTrack({ kind: 'audio' }), { direction: 'sendonly' });
    pc.createDataChannel('datachannel');
    onlyConfiguredStun(pc);
    await pc.setLocalDescription(await pc.createOffer());
  } finally {
    await pc.close().catch(() => undefined);
  }
}
