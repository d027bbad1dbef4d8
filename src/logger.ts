import { createRequire } from 'node:module';
import { pino, type DestinationStream, type Logger } from 'pino';
import { ConfigError } from './errors.ts';

export type { Logger };

/**
 * How log lines look on standard error (standard output stays clean for `ask --json`):
 *
 * - `text`: one short sentence a line, for a person at a terminal; a warning or an error says so and
 *   why: `no index yet, building it`, `warning: index unusable, rebuilding (new source china-2019.txt)`.
 * - `json`: one JSON object a line with every field, for log collectors.
 *
 * The commands write `text` unless LOG_FORMAT=json; `npm start` writes `text` on a terminal and
 * `json` otherwise (see {@link serverLogFormat}).
 */
export type LogFormat = 'json' | 'text';

const LOG_FORMATS: readonly LogFormat[] = ['json', 'text'];

/** LOG_FORMAT as set; undefined when unset or empty, so the command chooses. */
export function logFormatOf(value: string | undefined): LogFormat | undefined {
  const v = value?.trim().toLowerCase();
  if (!v) return undefined;
  if ((LOG_FORMATS as readonly string[]).includes(v)) return v as LogFormat;
  throw new ConfigError('LOG_FORMAT', `must be ${LOG_FORMATS.join(' or ')}, not "${value}"`);
}

/** A server's choice: sentences when its log is read on a terminal, JSON lines when it is collected. */
export function serverLogFormat(): LogFormat {
  return process.stderr.isTTY ? 'text' : 'json';
}

/**
 * Structured logs (pino) on standard error. Secrets never reach a log line: the redact list covers
 * every key-like field, in both formats.
 */
export function createLogger(level: string = 'info', format: LogFormat = serverLogFormat()): Logger {
  return pino(
    {
      level,
      base: undefined,
      redact: {
        paths: ['token', 'apiKey', 'secret', 'key', '*.token', '*.apiKey', '*.secret', '*.key', 'config.*'],
        censor: '[redacted]',
      },
    },
    format === 'json' ? pino.destination({ dest: 2, sync: true }) : textDestination(),
  );
}

type Prettify = (line: string) => string;

/**
 * Writes each line as a sentence (pino-pretty, without the fields). pino-pretty loads with the first
 * line: a one-shot answer from a ready index logs nothing and pays nothing for it.
 */
function textDestination(): DestinationStream {
  const out = pino.destination({ dest: 2, sync: true });
  let prettify: Prettify | undefined;
  return {
    write(line: string): void {
      prettify ??= sentenceFormatter(process.stderr.isTTY && process.env['NO_COLOR'] === undefined);
      out.write(prettify(line));
    },
  };
}

function sentenceFormatter(colorize: boolean): Prettify {
  const { prettyFactory } = createRequire(import.meta.url)('pino-pretty') as typeof import('pino-pretty');
  return prettyFactory({
    colorize,
    customColors: 'message:reset',
    ignore: 'pid,hostname,time,level',
    hideObject: true,
    messageFormat: (log, messageKey, _label, { colors }) => {
      const message = String(log[messageKey] ?? '');
      const level = typeof log['level'] === 'number' ? log['level'] : 30;
      if (level < 40) return message;
      const label = level >= 50 ? colors.red('error:') : colors.yellow('warning:');
      const why = reasonsOf(log);
      return `${label} ${message}${why ? ` (${why})` : ''}`;
    },
  });
}

/** Why a warning or an error happened, from the fields the code base logs it in. */
function reasonsOf(log: Record<string, unknown>): string {
  const err = log['err'];
  const errMessage = typeof err === 'string' ? err : typeof err === 'object' && err ? (err as { message?: unknown }).message : undefined;
  const reasons = [log['reason'], errMessage, log['detail']].filter((r): r is string => typeof r === 'string' && r.length > 0);
  return [...new Set(reasons)].join('; ');
}
