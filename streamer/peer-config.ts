// werift's configuration for a player's peer connection, built only from what the signalling server
// configured. werift fills gaps with a public STUN server twice: its default configuration lists
// stun:stun.l.google.com:19302, and its ICE agent falls back to that server whenever the configuration
// names none. In a pod with a default route and no egress, every offer then waited for the host name and
// the binding to time out (~5 s); with egress, every stream contacted a third party nobody configured.
// Here the ICE servers are always given (an empty list when none is configured), and `onlyConfiguredStun`
// takes the fallback away from each ICE agent before it gathers.
import type { RTCPeerConnection, RTCPeerConnectionConfig, RTCRtpCodecParameters } from 'werift';
import type { PeerConnectionOptions } from '../common/index.js';

export interface PeerConfigInput {
  options: PeerConnectionOptions;
  extraHosts: string[];
  portRange: [number, number] | undefined;
  codecs: { video: RTCRtpCodecParameters[]; audio: RTCRtpCodecParameters[] };
}

/** The ICE servers as werift takes them: one URL per entry. */
export function weriftIceServers(options: PeerConnectionOptions): RTCPeerConnectionConfig['iceServers'] {
  return (options.iceServers ?? []).flatMap((s) =>
    (Array.isArray(s.urls) ? s.urls : [s.urls]).map((urls) => ({
      urls,
      username: s.username,
      credential: s.credential,
    })),
  );
}

export function peerConfig(input: PeerConfigInput): RTCPeerConnectionConfig {
  return {
    iceServers: weriftIceServers(input.options),
    iceTransportPolicy: input.options.iceTransportPolicy === 'relay' ? 'relay' : 'all',
    iceAdditionalHostAddresses: input.extraHosts,
    icePortRange: input.portRange,
    // One transport for video, audio and data (browsers all bundle): one set of candidates to gather and
    // check, and one DTLS handshake instead of one per m-line.
    bundlePolicy: 'max-bundle',
    codecs: input.codecs,
  };
}

/**
 * Makes each ICE agent of `pc` use the STUN server its configuration names, or none, instead of werift's
 * public fallback. Call after the transceivers and the data channel exist (they create the agents) and
 * before `setLocalDescription` (which gathers).
 */
export function onlyConfiguredStun(pc: RTCPeerConnection): void {
  for (const transport of pc.iceTransports)
    transport.connection.stunServer = transport.connection.options.stunServer;
}
