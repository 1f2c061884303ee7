// The one wire contract of Pixel Streaming signalling (protocol 1.3.0, see docs/PROTOCOL notes in the
// sidecar README): the message types we understand, a lenient parser for what arrives, and exact builders
// for what we send. Every component that speaks signalling imports this file; nothing else defines types.

/** Protocol version the server announces in `config`. */
export const PROTOCOL_VERSION = '1.3.0';
/** Protocol version our reference streamer announces in `endpointId`. */
export const STREAMER_PROTOCOL_VERSION = '1.1.0';
/** Streamer id used when a streamer never names itself (UE 4.27) or names itself with an empty id. */
export const DEFAULT_STREAMER_ID = 'DefaultStreamer';
/** Player ids are numeric strings from here up: UE 5.0/5.1 streamers parse them as integers. */
export const FIRST_PLAYER_ID = 101;

export interface IceCandidateInit {
  candidate: string;
  sdpMid?: string | null;
  sdpMLineIndex?: number | null;
  usernameFragment?: string | null;
}

export interface IceServer {
  urls: string | string[];
  username?: string;
  credential?: string;
}

export interface PeerConnectionOptions {
  iceServers?: IceServer[];
  iceTransportPolicy?: 'all' | 'relay';
  [key: string]: unknown;
}

/** Every message type we read or write. Unknown types are still parsed (as `UnknownMessage`). */
export type Message =
  | { type: 'identify' }
  | { type: 'config'; peerConnectionOptions: PeerConnectionOptions; protocolVersion?: string }
  | { type: 'endpointId'; id: string; protocolVersion?: string }
  | { type: 'endpointIdConfirm'; committedId: string }
  | { type: 'listStreamers' }
  | { type: 'streamerList'; ids: string[] }
  | { type: 'subscribe'; streamerId: string }
  | { type: 'subscribeFailed'; message: string }
  | { type: 'unsubscribe' }
  | { type: 'playerConnected'; playerId: string; dataChannel: boolean; sfu: boolean }
  | { type: 'playerDisconnected'; playerId: string }
  | { type: 'offer'; sdp: string; playerId?: string; [extra: string]: unknown }
  | { type: 'answer'; sdp: string; playerId?: string; [extra: string]: unknown }
  | { type: 'iceCandidate'; candidate: IceCandidateInit; playerId?: string }
  | { type: 'ping'; time: number }
  | { type: 'pong'; time: number }
  | { type: 'disconnectPlayer'; playerId: string; reason?: string }
  | { type: 'layerPreference'; spatialLayer: number; temporalLayer: number; playerId?: string }
  | { type: 'dataChannelRequest' }
  | { type: 'peerDataChannelsReady' }
  | { type: 'peerDataChannels'; playerId?: string; sendStreamId: number; recvStreamId: number }
  | {
      type: 'streamerDataChannels';
      sfuId?: string;
      sendStreamId: number;
      recvStreamId: number;
      playerId?: string;
    }
  | { type: 'startStreaming' }
  | { type: 'stopStreaming' }
  | { type: 'streamerDisconnected' }
  | { type: 'streamerIdChanged'; newID: string }
  /**
   * Ours, streamer → sidecar only: a processing session's result (`kind: 'result'`) or the code it ended
   * with (`kind: 'ended'`); the sidecar sends it on as a CloudEvent carrying the session id.
   */
  | { type: 'processingEvent'; playerId: string; kind: ProcessingEventKind; data: Record<string, unknown> };

export const PROCESSING_EVENT_KINDS = ['result', 'ended'] as const;
export type ProcessingEventKind = (typeof PROCESSING_EVENT_KINDS)[number];

export type MessageType = Message['type'];
export type MessageOf<T extends MessageType> = Extract<Message, { type: T }>;
export interface UnknownMessage {
  type: string;
  unknown: true;
  raw: Record<string, unknown>;
}

export type ParseResult =
  | { ok: true; message: Message }
  | { ok: true; message: UnknownMessage }
  | { ok: false; code: ParseErrorCode; reason: string };

export type ParseErrorCode = 'not_json' | 'not_object' | 'no_type' | 'bad_field' | 'too_large';

type FieldRule = 'string' | 'number' | 'boolean' | 'object' | 'id';
type Fields = Record<string, FieldRule>;
// Field sets several message types carry.
const SDP: Fields = { sdp: 'string' };
const TIME: Fields = { time: 'number' };
const PLAYER_ID: Fields = { playerId: 'id' };
const STREAM_IDS: Fields = { sendStreamId: 'number', recvStreamId: 'number' };
/** Required fields per type; anything undeclared is allowed (browsers add fields the schema never had). */
const REQUIRED: Partial<Record<MessageType, Fields>> = {
  endpointId: { id: 'string' },
  subscribe: { streamerId: 'string' },
  offer: SDP,
  answer: SDP,
  iceCandidate: { candidate: 'object' },
  ping: TIME,
  disconnectPlayer: PLAYER_ID,
  playerDisconnected: PLAYER_ID,
  playerConnected: PLAYER_ID,
  layerPreference: { spatialLayer: 'number', temporalLayer: 'number' },
  config: { peerConnectionOptions: 'object' },
  endpointIdConfirm: { committedId: 'string' },
  streamerList: { ids: 'object' },
  subscribeFailed: { message: 'string' },
  pong: TIME,
  streamerIdChanged: { newID: 'string' },
  peerDataChannels: STREAM_IDS,
  streamerDataChannels: STREAM_IDS,
  processingEvent: { ...PLAYER_ID, kind: 'string', data: 'object' },
};

const KNOWN = new Set<string>([
  'identify',
  'config',
  'endpointId',
  'endpointIdConfirm',
  'listStreamers',
  'streamerList',
  'subscribe',
  'subscribeFailed',
  'unsubscribe',
  'playerConnected',
  'playerDisconnected',
  'offer',
  'answer',
  'iceCandidate',
  'ping',
  'pong',
  'disconnectPlayer',
  'layerPreference',
  'dataChannelRequest',
  'peerDataChannelsReady',
  'peerDataChannels',
  'streamerDataChannels',
  'startStreaming',
  'stopStreaming',
  'streamerDisconnected',
  'streamerIdChanged',
  'processingEvent',
]);

function fits(value: unknown, rule: FieldRule): boolean {
  switch (rule) {
    case 'id':
      return (
        (typeof value === 'string' && value.length > 0) ||
        (typeof value === 'number' && Number.isFinite(value))
      );
    case 'object':
      return typeof value === 'object' && value !== null;
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    default:
      return typeof value === rule;
  }
}

/** Normalises a player id from a streamer (UE 4.27/5.0 send integers) to the string form we use. */
export function normalisePlayerId(id: unknown): string | undefined {
  if (typeof id === 'number' && Number.isFinite(id)) return String(id);
  if (typeof id === 'string' && id.length > 0) return id;
  return undefined;
}

/**
 * Parses one WebSocket frame. Binary frames are decoded as UTF-8 (browsers may send JSON as binary).
 * Lenient: extra fields are kept, unknown types come back as `UnknownMessage`; only the fields the server
 * relies on are checked.
 */
export function parseMessage(
  data: string | Buffer | ArrayBuffer | Buffer[],
  maxBytes = Infinity,
): ParseResult {
  let text: string;
  if (typeof data === 'string') text = data;
  else if (Array.isArray(data)) text = Buffer.concat(data).toString('utf8');
  else if (data instanceof ArrayBuffer) text = Buffer.from(data).toString('utf8');
  else text = data.toString('utf8');
  if (Buffer.byteLength(text) > maxBytes)
    return { ok: false, code: 'too_large', reason: `frame over ${maxBytes} bytes` };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, code: 'not_json', reason: 'frame is not JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, code: 'not_object', reason: 'message is not a JSON object' };
  }
  const obj = value as Record<string, unknown>;
  if (typeof obj.type !== 'string' || obj.type.length === 0) {
    return { ok: false, code: 'no_type', reason: 'message has no string "type"' };
  }
  if (!KNOWN.has(obj.type)) return { ok: true, message: { type: obj.type, unknown: true, raw: obj } };
  const rules = REQUIRED[obj.type as MessageType];
  if (rules) {
    for (const [field, rule] of Object.entries(rules)) {
      if (!fits(obj[field], rule)) {
        return {
          ok: false,
          code: 'bad_field',
          reason: `${obj.type}.${field} must be ${rule === 'id' ? 'a string or number' : `a ${rule}`}`,
        };
      }
    }
  }
  if (
    obj.type === 'streamerList' &&
    !(Array.isArray(obj.ids) && obj.ids.every((i) => typeof i === 'string'))
  ) {
    return { ok: false, code: 'bad_field', reason: 'streamerList.ids must be an array of strings' };
  }
  if (
    obj.type === 'processingEvent' &&
    (!(PROCESSING_EVENT_KINDS as readonly unknown[]).includes(obj.kind) || Array.isArray(obj.data))
  ) {
    return {
      ok: false,
      code: 'bad_field',
      reason: `processingEvent needs kind ${PROCESSING_EVENT_KINDS.join(' or ')} and an object data`,
    };
  }
  return { ok: true, message: obj as unknown as Message };
}

export function isUnknown(m: Message | UnknownMessage): m is UnknownMessage {
  return 'unknown' in m && m.unknown === true;
}

/**
 * Exact builders: each returns precisely the fields Epic's protocol checker expects, nothing more.
 * Forwarded messages (offer, answer, iceCandidate) are rebuilt from their known fields, see `forward`.
 */
export const build = {
  identify: (): MessageOf<'identify'> => ({ type: 'identify' }),
  config: (peerConnectionOptions: PeerConnectionOptions): MessageOf<'config'> => ({
    type: 'config',
    peerConnectionOptions,
    protocolVersion: PROTOCOL_VERSION,
  }),
  endpointId: (id: string, protocolVersion = STREAMER_PROTOCOL_VERSION): MessageOf<'endpointId'> => ({
    type: 'endpointId',
    id,
    protocolVersion,
  }),
  endpointIdConfirm: (committedId: string): MessageOf<'endpointIdConfirm'> => ({
    type: 'endpointIdConfirm',
    committedId,
  }),
  listStreamers: (): MessageOf<'listStreamers'> => ({ type: 'listStreamers' }),
  streamerList: (ids: string[]): MessageOf<'streamerList'> => ({ type: 'streamerList', ids }),
  subscribe: (streamerId: string): MessageOf<'subscribe'> => ({ type: 'subscribe', streamerId }),
  subscribeFailed: (message: string): MessageOf<'subscribeFailed'> => ({ type: 'subscribeFailed', message }),
  unsubscribe: (): MessageOf<'unsubscribe'> => ({ type: 'unsubscribe' }),
  playerConnected: (playerId: string, sfu = false): MessageOf<'playerConnected'> => ({
    type: 'playerConnected',
    playerId,
    dataChannel: true,
    sfu,
  }),
  playerDisconnected: (playerId: string): MessageOf<'playerDisconnected'> => ({
    type: 'playerDisconnected',
    playerId,
  }),
  offer: (sdp: string, playerId?: string): MessageOf<'offer'> =>
    playerId === undefined ? { type: 'offer', sdp } : { type: 'offer', sdp, playerId },
  answer: (sdp: string, playerId?: string): MessageOf<'answer'> =>
    playerId === undefined ? { type: 'answer', sdp } : { type: 'answer', sdp, playerId },
  iceCandidate: (candidate: IceCandidateInit, playerId?: string): MessageOf<'iceCandidate'> =>
    playerId === undefined
      ? { type: 'iceCandidate', candidate }
      : { type: 'iceCandidate', candidate, playerId },
  ping: (time: number): MessageOf<'ping'> => ({ type: 'ping', time }),
  pong: (time: number): MessageOf<'pong'> => ({ type: 'pong', time }),
  disconnectPlayer: (playerId: string, reason?: string): MessageOf<'disconnectPlayer'> =>
    reason === undefined
      ? { type: 'disconnectPlayer', playerId }
      : { type: 'disconnectPlayer', playerId, reason },
  layerPreference: (
    spatialLayer: number,
    temporalLayer: number,
    playerId?: string,
  ): MessageOf<'layerPreference'> =>
    playerId === undefined
      ? { type: 'layerPreference', spatialLayer, temporalLayer }
      : { type: 'layerPreference', spatialLayer, temporalLayer, playerId },
  peerDataChannels: (
    playerId: string,
    sendStreamId: number,
    recvStreamId: number,
  ): MessageOf<'peerDataChannels'> => ({ type: 'peerDataChannels', playerId, sendStreamId, recvStreamId }),
  /** To the streamer, for the SFU's own player id; `sfuId` as the SFU sent it, when it did. */
  streamerDataChannels: (
    sfuId: string | undefined,
    sendStreamId: number,
    recvStreamId: number,
    playerId: string,
  ): MessageOf<'streamerDataChannels'> =>
    sfuId === undefined
      ? { type: 'streamerDataChannels', sendStreamId, recvStreamId, playerId }
      : { type: 'streamerDataChannels', sfuId, sendStreamId, recvStreamId, playerId },
  streamerDisconnected: (): MessageOf<'streamerDisconnected'> => ({ type: 'streamerDisconnected' }),
  processingEvent: (
    playerId: string,
    kind: ProcessingEventKind,
    data: Record<string, unknown>,
  ): MessageOf<'processingEvent'> => ({ type: 'processingEvent', playerId, kind, data }),
  streamerIdChanged: (newID: string): MessageOf<'streamerIdChanged'> => ({
    type: 'streamerIdChanged',
    newID,
  }),
};

/** Serialises a message for the wire. */
export function encode(message: Message): string {
  return JSON.stringify(message);
}
