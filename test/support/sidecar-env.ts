// The environment of a sidecar started for a test or benchmark: every port ephemeral, every listener on
// loopback, so runs never collide and nothing listens beyond the machine.
export const EPHEMERAL_SIDECAR_ENV = {
  PLAYER_PORT: '0',
  PLAYER_HOST: '127.0.0.1',
  STREAMER_PORT: '0',
  SFU_PORT: '0',
  METRICS_PORT: '0',
  METRICS_HOST: '127.0.0.1',
} as const;
