// Abuse suite, TURN: a value with a line break in it must never reach turnserver.conf. Replays the
// injection through TURN_RUN_DIR and the TLS paths against the real entrypoint: it refuses to start (exit
// 2, naming the variable) before anything is written or coturn runs.
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startTurnMain } from '../../turn/test-helpers.js';
import { refusesToStart } from '../support/config-refusal.js';

const SECRET = 'abuse-suite-secret-0123456789';
const INJECTED = '\nallow-loopback-peers\nallowed-peer-ip=127.0.0.1';
const scratch = mkdtempSync(path.join(tmpdir(), 'turn-inject-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
/** A good configuration, for each test to break one way. */
const GOOD = { TURN_SECRET: SECRET, TURN_EXTERNAL_IP: '192.0.2.1' };
const CONTROL_CHAR =
  'contains a line break or another control character (every value is written into turnserver.conf, one directive per line)';
/** The entrypoint with `env`: it must exit 2 listing exactly the `expected` problems. */
const refuses = (env: Record<string, string>, expected: string) =>
  refusesToStart('turn', { ...GOOD, ...env }, expected, startTurnMain);

describe('coturn config injection', () => {
  it('refuses a TURN_RUN_DIR with injected directives, writing nothing', async () => {
    const runDir = path.join(scratch, `x${INJECTED}`);
    await refuses({ TURN_RUN_DIR: runDir }, `TURN_RUN_DIR=${JSON.stringify(runDir)}: ${CONTROL_CHAR}`);
    expect(existsSync(runDir)).toBe(false);
    expect(readdirSync(scratch)).toEqual([]);
  });

  it('refuses TLS certificate and key paths with injected directives, even when such files exist', async () => {
    const cert = path.join(scratch, `cert${INJECTED}`);
    const key = path.join(scratch, `key${INJECTED}`);
    writeFileSync(cert, 'not used');
    writeFileSync(key, 'not used');
    await refuses(
      { TURN_TLS_CERT_FILE: cert, TURN_TLS_KEY_FILE: key },
      `
        TURN_TLS_CERT_FILE=${JSON.stringify(cert)}: ${CONTROL_CHAR}
        TURN_TLS_KEY_FILE=${JSON.stringify(key)}: ${CONTROL_CHAR}
      `,
    );
    rmSync(cert);
    rmSync(key);
  });

  it('refuses a certificate path that is a directory', async () => {
    await refuses(
      { TURN_TLS_CERT_FILE: scratch, TURN_TLS_KEY_FILE: scratch },
      `
        TURN_TLS_CERT_FILE=${JSON.stringify(scratch)}: not a readable file (mount the TLS Secret)
        TURN_TLS_KEY_FILE=${JSON.stringify(scratch)}: not a readable file (mount the TLS Secret)
      `,
    );
  });
});
