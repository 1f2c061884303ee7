// The per-connection `config` message: STUN servers plus TURN REST credentials minted for this peer, so a
// leaked credential names its peer and expires (Epic's server hands every client the same static one).
import { turnIceServers, type IceServer, type PeerConnectionOptions } from '../common/index.js';
import type { SidecarConfig } from './config.js';

export function peerConnectionOptions(
  config: Pick<SidecarConfig, 'turn' | 'stunUrls' | 'iceTransportPolicy'>,
  peerId: string,
  nowMs = Date.now(),
): PeerConnectionOptions {
  const iceServers: IceServer[] = [];
  if (config.stunUrls.length > 0) iceServers.push({ urls: config.stunUrls });
  if (config.turn)
    iceServers.push(
      ...turnIceServers(config.turn.urls, config.turn.secret, peerId, config.turn.ttlSeconds, nowMs),
    );
  const options: PeerConnectionOptions = {};
  if (iceServers.length > 0) options.iceServers = iceServers;
  if (config.iceTransportPolicy === 'relay') options.iceTransportPolicy = 'relay';
  return options;
}
