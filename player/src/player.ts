// The player page: Epic's Pixel Streaming frontend, full window, signalling to the origin that served the
// page (a sidecar or the session router), input on, a small stats line, and the router's queue position.
// `?StreamerId=<id>` picks a streamer on a multi-streamer server (without it, or for an id that is not
// connected, the page lists the connected streamers as links); `?stats=0` hides the stats line.
import {
  Config,
  Logger,
  PixelStreaming,
  type AggregatedStats,
} from '@epicgames-ps/lib-pixelstreamingfrontend-ue5.7';
import {
  SESSION_PATH,
  type NoCapacityMessage,
  type QueuePositionMessage,
  type SessionTicketMessage,
} from '../../common/router-messages.js';
import { adoptEarlySocket, signallingUrl } from './early-socket.js';
import { markStage, watchPeerConnections, type StageMarks } from './stages.js';
import { streamerChoice, streamerHref } from './streamer-choice.js';

const overlay = document.getElementById('overlay') as HTMLDivElement;
const statsBox = document.getElementById('stats') as HTMLPreElement;
const playButton = document.getElementById('play') as HTMLButtonElement;
const params = new URLSearchParams(location.search);

// Once the router said why there is no stream, later "disconnected" notices must not hide the reason.
let finalNotice = false;

function show(text: string | null, final = false): void {
  if (finalNotice) return;
  finalNotice = final;
  overlay.hidden = text === null;
  if (text !== null) overlay.textContent = text;
}

// Epic's library logs every message at info level; warnings are enough in a player's console.
Logger.InitLogging(1, false);

const config = new Config({
  useUrlParams: true,
  initialSettings: {
    ss: signallingUrl(location),
    AutoConnect: true,
    AutoPlayVideo: true,
    StartVideoMuted: true,
    HoveringMouse: true,
    KeyboardInput: true,
    MouseInput: true,
    TouchInput: true,
    GamepadInput: false,
    SuppressBrowserKeys: true,
    TimeoutIfIdle: false,
  },
});
// Timing of the first decoded frame and the stages before it, relative to navigation start: shown in the
// stats line and read by the end-to-end tests and the benchmark.
const timing: { firstFrameMs?: number; frames: number; stages: StageMarks } = { frames: 0, stages: {} };
markStage(timing.stages, 'scriptStart');
watchPeerConnections(timing.stages);
const earlySocket = adoptEarlySocket();
const stream = new PixelStreaming(config, {
  videoElementParent: document.getElementById('player') as HTMLDivElement,
});
(window as unknown as { pixelstream: unknown }).pixelstream = { stream, timing, earlySocket };
stream.signallingProtocol.transport.addListener('open', () => markStage(timing.stages, 'signallingOpen'));
stream.signallingProtocol.addListener('offer', () => markStage(timing.stages, 'offer'));
stream.addEventListener('webRtcSdpAnswer', () => markStage(timing.stages, 'answer'));
stream.addEventListener('dataChannelOpen', () => markStage(timing.stages, 'dataChannelOpen'));

function watchFrames(video: HTMLVideoElement): void {
  const onFrame = () => {
    timing.frames++;
    if (timing.firstFrameMs === undefined) {
      markStage(timing.stages, 'firstFrame');
      timing.firstFrameMs = timing.stages.firstFrame;
      document.body.dataset.firstFrameMs = String(timing.firstFrameMs);
    }
    video.requestVideoFrameCallback(onFrame);
  };
  video.requestVideoFrameCallback(onFrame);
}

function watchVideo(): void {
  const video = document.querySelector<HTMLVideoElement>('#player video');
  if (video && !video.dataset.watched) {
    video.dataset.watched = '1';
    watchFrames(video);
  }
}
// Epic's constructor has already added its <video> (so look now); the observer catches a replaced one.
watchVideo();
new MutationObserver(watchVideo).observe(document.getElementById('player') as HTMLDivElement, {
  childList: true,
  subtree: true,
});

stream.addEventListener('webRtcConnecting', () => show('Starting stream…'));
stream.addEventListener('videoInitialized', () => {
  show(null);
  playButton.hidden = true;
});
stream.addEventListener('playStreamRejected', () => {
  playButton.hidden = false;
});
playButton.addEventListener('click', () => {
  playButton.hidden = true;
  stream.play();
});
stream.addEventListener('subscribeFailed', (e) => show(`No stream available: ${e.data.message}`));
stream.addEventListener('webRtcDisconnected', (e) => show(`Disconnected: ${e.data.eventString}`));
stream.addEventListener('webRtcFailed', () => show('Could not connect the stream (network or TURN problem)'));
stream.addEventListener('statsReceived', (e) => showStats(e.data.aggregatedStats));
// Several streamers and no (or an unknown) `?StreamerId=`: Epic's frontend waits for a choice; offer one.
stream.addEventListener('streamerListMessage', (e) => {
  const { messageStreamerList, autoSelectedStreamerId, wantedStreamerId } = e.data;
  const choice = streamerChoice(messageStreamerList.ids, autoSelectedStreamerId, wantedStreamerId);
  if (!choice) return;
  show(choice.text);
  if (finalNotice || choice.ids.length === 0) return;
  const list = document.createElement('ul');
  list.id = 'streamers';
  for (const id of choice.ids) {
    const link = document.createElement('a');
    link.href = streamerHref(location.search, id);
    link.textContent = id;
    const item = document.createElement('li');
    item.append(link);
    list.append(item);
  }
  overlay.append(list);
});

// The session router speaks on the same socket before a stream is assigned; Epic's library ignores types it
// does not know, so listen for ours on its protocol emitter.
stream.signallingProtocol.addListener('queuePosition', (msg: QueuePositionMessage) => {
  show(`You are number ${msg.position} of ${msg.queueLength} in the queue…`);
});
stream.signallingProtocol.addListener('noCapacity', (msg: NoCapacityMessage) => {
  // A restarting router closes with 1012 and Epic's frontend reconnects to another replica: not final.
  if (msg.code === 'shutting_down') show(msg.message);
  else show(`No stream available: ${msg.message}`, true);
});
// A player placed after waiting gets its resume ticket in-band (the WebSocket handshake was long over); the
// router trades it for an HttpOnly cookie, so a reload or network blip brings this page back to its pod.
const sessionUrl = `${location.pathname.replace(/[^/]*$/, '')}${SESSION_PATH.replace(/^\//, '')}`;
stream.signallingProtocol.addListener('sessionTicket', (msg: SessionTicketMessage) => {
  fetch(sessionUrl, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ticket: msg.ticket }),
  }).then(
    (res) => {
      if (!res.ok) console.warn(`session ticket refused (${res.status}): this session cannot be resumed`);
    },
    (err: unknown) => console.warn('session ticket not delivered: this session cannot be resumed', err),
  );
});

function showStats(s: AggregatedStats): void {
  if (params.get('stats') === '0') return;
  const v = s.inboundVideoStats;
  const pair = s.getActiveCandidatePair();
  const codec = v.codecId ? s.codecs.get(v.codecId) : undefined;
  const lines = [
    `${v.frameWidth ?? '?'}×${v.frameHeight ?? '?'} ${codec?.mimeType.replace('video/', '') ?? ''}`.trim(),
    // Epic computes the bitrate as bits per millisecond, i.e. already in kbit/s.
    `${Math.round(v.framesPerSecond ?? 0)} fps · ${Math.round(v.bitrate ?? 0)} kbit/s`,
    `rtt ${pair ? Math.round(pair.currentRoundTripTime * 1000) : '?'} ms · lost ${v.packetsLost ?? 0}`,
    timing.firstFrameMs !== undefined ? `first frame ${timing.firstFrameMs} ms` : '',
  ];
  statsBox.hidden = false;
  statsBox.textContent = lines.filter(Boolean).join('\n');
}
