// Structured JSON logs (pino): one line per event, with the component name, and child loggers that carry
// session, player and streamer ids so every line of a session can be found with one query.
//
// Lines are written synchronously. Our processes log per session event, not per message, and often exit
// right after a line (a fatal error, the end of a drain), so nothing may wait in a buffer. It also keeps
// a dead reader harmless: sonic-boom's exit-time flush of an asynchronous stdout retries a broken pipe
// (EPIPE) forever, which hung a sidecar whose supervisor had been killed; a synchronous write fails at
// once and pino then stops logging to that pipe.
import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export function createLogger(
  component: string,
  level: LevelWithSilent = 'info',
  destination?: NodeJS.WritableStream,
): Logger {
  return pino(
    {
      level,
      base: { component },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination ?? pino.destination({ dest: 1, sync: true }),
  );
}
