import type { Context, MiddlewareFn } from 'grammy';
import type { ChannelEngine } from '../../answer/engine.ts';
import type { AskFn } from '../../answer/types.ts';
import type { Logger } from '../../logger.ts';
import type { Metrics } from '../../observability/metrics.ts';
import type { Store } from '../../store/store.ts';
import type { AnswerCache } from './cache.ts';

/** Channel name for ask options, metrics and the query log. */
export const CHANNEL = 'telegram';

/** What the features share: the injected dependencies plus the bot's own state. */
export interface Services {
  ask: AskFn;
  engine: ChannelEngine;
  store?: Store;
  metrics?: Metrics;
  logger: Logger;
  version?: string;
  /** Answers behind inline buttons, by token. */
  answers: AnswerCache;
  /** The per-user question limit; calls `next` when the user may ask. */
  limiter: MiddlewareFn<Context>;
  /** Delay before "typing…" is shown. */
  typingDelayMs: number;
}
