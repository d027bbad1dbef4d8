import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Structured logs (pino) on standard error, so standard output stays clean for `ask --json`.
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
    pino.destination({ dest: 2, sync: true }),
  );
}
