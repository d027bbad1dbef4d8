import type { Answer, AskFn } from '../answer/types.ts';
import type { Logger } from '../logger.ts';
import type { Store } from '../store/store.ts';
import type { Metrics } from './metrics.ts';

/**
 * Wraps the engine's `ask` so every channel's question is counted, timed and written to the query
 * log. Channels receive the wrapped function and pass `{ channel, userId }` (userId already hashed).
 * Logging failures never fail an answer.
 */
export function instrumentAsk(ask: AskFn, deps: { metrics?: Metrics; store?: Store; logger?: Logger }): AskFn {
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
    if (answer.reason !== 'empty') {
      try {
        deps.store?.recordQuery({
          question: answer.question,
          channel,
          found: answer.found,
          latencyMs: answer.latencyMs,
          ...(answer.citations[0] ? { section: answer.citations[0].section } : {}),
          ...(answer.reason ? { reason: answer.reason } : {}),
          ...(options.userId ? { userHash: options.userId } : {}),
        });
      } catch (err) {
        deps.logger?.error({ err }, 'query log write failed');
      }
    }
    return answer;
  };
}
