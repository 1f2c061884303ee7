// The encode settings the ffmpeg-argument tests start from (VP8 640x360@30, 1 Mbit/s, RTP to 5004).
export const TEST_ENCODE_SETTINGS = {
  codec: 'vp8',
  encoder: 'libvpx',
  width: 640,
  height: 360,
  fps: 30,
  bitrateKbps: 1000,
  keyframeIntervalSeconds: 1,
  drawtext: false,
  rtpHost: '127.0.0.1',
  rtpPort: 5004,
} as const;
