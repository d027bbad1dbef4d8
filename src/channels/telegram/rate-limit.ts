import type { Context, MiddlewareFn } from 'grammy';
import { MemoryState, type SharedState } from '../../shared/state.ts';

/**
 * Per-user question limit: at most `limit` questions per window (a fixed window per user, starting
 * at the first question), one polite notice per window, and every refused question counted. The
 * counts live in a `SharedState`, so replicas sharing Redis count a user's questions together; by
 * default in this process's memory.
 */

export interface RateLimitOptions {
  limit: number;
  windowMs: number;
  /** Called for every refused question; `notify` is true once per window per user. */
  onLimited: (ctx: Context, notify: boolean) => Promise<void>;
  /** Where the counts live (Redis for several replicas); default this process's memory. */
  state?: SharedState;
  /** The clock of the default in-memory state. */
  now?: () => number;
}

const PREFIX = 'telegram:question:';

/** Middleware for the question path: calls `next` when the user is within the limit. */
export function questionLimiter(options: RateLimitOptions): MiddlewareFn<Context> {
  const state = options.state ?? new MemoryState(options.now ? { now: options.now } : {});
  return async (ctx, next) => {
    const user = ctx.from?.id;
    if (user === undefined) return next();
    let count: number;
    try {
      // incr starts the window at the first hit and expires it windowMs later, in Redis as in memory.
      count = await state.incr(`${PREFIX}${user}`, options.windowMs);
    } catch {
      // The shared state falls back to memory on its own; a state that still fails must not cost an
      // answer: the limit is a courtesy to the engine, the answer is the point.
      return next();
    }
    if (count <= options.limit) return next();
    // Counted on every excess question; the notice goes out on the first only.
    return options.onLimited(ctx, count === options.limit + 1);
  };
}
