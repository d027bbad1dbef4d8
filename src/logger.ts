import { createRequire } from 'node:module';
import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * Structured logs (pino) on standard error, so standard output stays clean for `ask --json`. On a
 * terminal they are pretty-printed when pino-pretty is installed; otherwise (servers, CI) JSON lines.
 * Secrets never reach a log line: the redact list covers every key-like field.
 */
export function createLogger(level: string = 'info'): Logger {
  return pino(
    {
      level,
      base: undefined,
      redact: {
        paths: ['token', 'apiKey', 'secret', 'key', '*.token', '*.apiKey', '*.secret', '*.key', 'config.*'],
        censor: '[redacted]',
      },
    },
    destination(),
  );
}

function destination(): DestinationStream {
  if (process.stderr.isTTY && process.env['NO_COLOR'] === undefined) {
    try {
      const pretty = createRequire(import.meta.url)('pino-pretty') as (o: object) => DestinationStream;
      return pretty({ destination: 2, sync: true, translateTime: 'HH:MM:ss', ignore: 'pid,hostname' });
    } catch {
      // pino-pretty is a development dependency: without it, JSON lines.
    }
  }
  return pino.destination({ dest: 2, sync: true });
}
