// The page's own timeline of a session, from navigation start to the first decoded frame: when signalling
// opened, the streamer's offer arrived, our answer went out, ICE and DTLS connected, the data channel
// opened and the first frame was presented. Each stage is recorded once, in ms since navigation start
// (`performance.now()`), so the benchmark can line it up with the streamer's log (`performance.timeOrigin`
// converts to wall-clock time).

export const PAGE_STAGES = [
  'scriptStart',
  'signallingOpen',
  'offer',
  'answer',
  'iceConnected',
  'dtlsConnected',
  'dataChannelOpen',
  'firstFrame',
] as const;
export type PageStage = (typeof PAGE_STAGES)[number];
export type StageMarks = Partial<Record<PageStage, number>>;

/** Records `stage` at the current time unless it was recorded already. */
export function markStage(marks: StageMarks, stage: PageStage): void {
  marks[stage] ??= Math.round(performance.now());
}

/**
 * Makes every RTCPeerConnection the page creates from now on report its ICE and DTLS stages. Epic's
 * frontend creates its own connection and does not expose DTLS; the connection state is 'connected'
 * only once DTLS is done on every transport.
 */
export function watchPeerConnections(marks: StageMarks): void {
  const Native = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Native {
    constructor(config?: RTCConfiguration) {
      super(config);
      this.addEventListener('iceconnectionstatechange', () => {
        if (this.iceConnectionState === 'connected' || this.iceConnectionState === 'completed')
          markStage(marks, 'iceConnected');
      });
      this.addEventListener('connectionstatechange', () => {
        if (this.connectionState === 'connected') markStage(marks, 'dtlsConnected');
      });
    }
  };
}
