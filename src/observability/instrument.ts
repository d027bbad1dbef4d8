import type { Answer, AskFn } from '../answer/types.ts';
import type { Logger } from '../logger.ts';
import type { QueryRecord } from '../store/store.ts';
import type { Metrics } from './metrics.ts';

/** Where answered questions go: the QueryLog (a Promise) or the synchronous Store (tests, tools). */
export interface QuerySink {
  recordQuery(r: QueryRecord): void | Promise<void>;
}

export interface InstrumentDeps {
  metrics?: Metrics;
  store?: QuerySink;
  logger?: Logger;
  /**
   * How long an answer waits for its question to be written (ms); default 2000. With the database up
   * the row is durable before the answer leaves; past this the answer goes and the row is left to the
   * query log (in flight, or waiting in memory).
   */
  writeTimeoutMs?: number;
}

/**
 * Wraps the engine's `ask` so every channel's question is counted, timed and written to the query
 * log. Channels receive the wrapped function and pass `{ channel, userId }` (userId already hashed).
 * The answer is returned once its question is written (so a replica killed under load loses no
 * logged question), or after `writeTimeoutMs`. Logging failures never fail an answer.
 */
export function instrumentAsk(ask: AskFn, deps: InstrumentDeps): AskFn {
  const timeoutMs = deps.writeTimeoutMs ?? 2000;
  /** Slow writes are logged at most once a minute. */
  let slowLoggedAt = -Infinity;
  return async (question, options = {}) => {
    const channel = options.channel ?? 'unknown';
    let answer: Answer;
    try {
      answer = await ask(question, options);
    } catch (err) {
      deps.metrics?.errors.inc({ channel, kind: 'ask' });
      throw err;
    }
    deps.metrics?.questions.inc({ channel, found: String(answer.found) });
    deps.metrics?.latency.observe({ channel }, answer.latencyMs / 1000);
    if (answer.reason !== 'empty' && deps.store) {
      try {
        const written = deps.store.recordQuery({
          question: answer.question,
          channel,
          found: answer.found,
          latencyMs: answer.latencyMs,
          ...(answer.citations[0] ? { section: answer.citations[0].section } : {}),
          ...(answer.reason ? { reason: answer.reason } : {}),
          ...(answer.refusal ? { rule: answer.refusal.rule } : {}),
          ...(options.userId ? { userHash: options.userId } : {}),
          answer: answer.answer,
          ...(answer.citations.length ? { citations: answer.citations.map((c) => ({ doc: c.doc, section: c.section, quote: c.quote })) } : {}),
        });
        if (written && !(await settlesWithin(written, timeoutMs)) && Date.now() - slowLoggedAt > 60_000) {
          slowLoggedAt = Date.now();
          deps.logger?.warn({ channel, timeoutMs }, 'query log write slow; answered without waiting for it');
        }
      } catch (err) {
        deps.logger?.error({ err }, 'query log write failed');
        deps.metrics?.queryLogFailures.inc({ kind: 'query' });
      }
    }
    return answer;
  };
}

/** True when `p` settles within `ms`; rethrows its rejection. */
async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
    timer.unref();
  });
  try {
    return await Promise.race([p.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
