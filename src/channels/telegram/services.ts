import type { Context, MiddlewareFn } from 'grammy';
import type { TelegramDeps } from './bot.ts';
import type { AnswerCache } from './cache.ts';

/** Channel name for ask options, metrics and the query log. */
export const CHANNEL = 'telegram';

/** What the features share: the injected dependencies plus the bot's own state. */
export interface Services extends Pick<TelegramDeps, 'ask' | 'engine' | 'store' | 'metrics' | 'logger' | 'version'> {
  /** Answers behind inline buttons, by token. */
  answers: AnswerCache;
  /** The per-user question limit; calls `next` when the user may ask. */
  limiter: MiddlewareFn<Context>;
  /** Delay before "typing…" is shown. */
  typingDelayMs: number;
}
