// Structured JSON logs (pino): one line per event, with the component name, and child loggers that carry
// session, player and streamer ids so every line of a session can be found with one query.
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
    destination ?? pino.destination({ dest: 1, sync: false }),
  );
}
