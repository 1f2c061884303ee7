// Which messages each generation of Unreal streamer tolerates (docs/protocol.md §3). Old streamers close
// their socket on a type they do not know, so every message to a streamer passes this filter.
import type { MessageType } from '../common/index.js';

/**
 * - `legacy`: never sent endpointId (UE 4.26/4.27): browser offers, no playerConnected.
 * - `unversioned`: sent endpointId without protocolVersion (UE 5.0–5.4).
 * - `versioned`: announced a protocolVersion (UE 5.5+, Epic's JS streamer, our reference streamer).
 */
export type StreamerGeneration = 'legacy' | 'unversioned' | 'versioned';

const LEGACY = new Set<MessageType>([
  'config',
  'identify',
  'playerDisconnected',
  'offer',
  'answer',
  'iceCandidate',
  'pong',
]);
const UNVERSIONED = new Set<MessageType>([...LEGACY, 'playerConnected', 'ping', 'streamerDataChannels']);

export function streamerAccepts(generation: StreamerGeneration, type: MessageType): boolean {
  if (generation === 'versioned') return true;
  return (generation === 'legacy' ? LEGACY : UNVERSIONED).has(type);
}

export function generationOf(sentEndpointId: boolean, announcedVersion: boolean): StreamerGeneration {
  if (!sentEndpointId) return 'legacy';
  return announcedVersion ? 'versioned' : 'unversioned';
}
