// `node probe.js`: exit 0 when the local coturn answers a STUN Binding request within 2 s, else 1.
import { configOrExit, parseEnv } from '../common/env-config.js';
import { envTurnListenPort } from '../common/turn-env.js';
import { stunBinding } from './stun-client.js';

const { TURN_LISTEN_PORT } = configOrExit(
  () => parseEnv({ TURN_LISTEN_PORT: envTurnListenPort() }, process.env),
  'turn probe',
);
try {
  const { mapped } = await stunBinding(
    { host: '127.0.0.1', port: TURN_LISTEN_PORT },
    { initialTimeoutMs: 250, attempts: 3 },
  );
  process.stdout.write(`ok ${mapped.address}:${mapped.port}\n`);
} catch (err) {
  process.stderr.write(`turn probe failed: ${(err as Error).message}\n`);
  process.exitCode = 1;
}
