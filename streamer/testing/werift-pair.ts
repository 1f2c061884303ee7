// Two real werift peers in one process, connected over loopback with no STUN servers: `prepare` adds the
// offerer's transceivers and channels before the offer, `beforeOffer` hooks run on the created offer.
import { RTCPeerConnection, type PeerConfig } from 'werift';
import { expect } from 'vitest';
import { onlyConfiguredStun } from '../peer-config.js';

export interface WeriftPair {
  offerer: RTCPeerConnection;
  answerer: RTCPeerConnection;
  close(): Promise<void>;
}

/** Connects an offerer and an answerer; resolves once the offerer reports 'connected'. */
export async function connectWeriftPair(
  prepare: (offerer: RTCPeerConnection) => void,
  beforeLocalOffer: (offerer: RTCPeerConnection) => void = () => undefined,
  extra: Partial<PeerConfig> = {},
): Promise<WeriftPair> {
  const config = { iceServers: [], iceAdditionalHostAddresses: ['127.0.0.1'], iceUseIpv6: false, ...extra };
  const offerer = new RTCPeerConnection(config);
  const answerer = new RTCPeerConnection(config);
  const pair = {
    offerer,
    answerer,
    close: async () => void (await Promise.all([offerer.close(), answerer.close()])),
  };
  try {
    prepare(offerer);
    const offer = await offerer.createOffer();
    onlyConfiguredStun(offerer);
    beforeLocalOffer(offerer);
    await offerer.setLocalDescription(offer);
    await answerer.setRemoteDescription(offerer.localDescription!);
    onlyConfiguredStun(answerer);
    await answerer.setLocalDescription(await answerer.createAnswer());
    await offerer.setRemoteDescription(answerer.localDescription!);
    await expect.poll(() => offerer.connectionState, { timeout: 10_000 }).toBe('connected');
    return pair;
  } catch (err) {
    await pair.close();
    throw err;
  }
}
