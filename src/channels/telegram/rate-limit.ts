import { limit } from '@grammyjs/ratelimiter';
import type { Context, MiddlewareFn } from 'grammy';

/**
 * Per-user question limit on top of @grammyjs/ratelimiter: at most `limit` questions per window
 * (fixed window per user, starting at the first question), one polite notice per window, and every
 * refused question counted.
 */

export interface RateLimitOptions {
  limit: number;
  windowMs: number;
  /** Called for every refused question; `notify` is true once per window per user. */
  onLimited: (ctx: Context, notify: boolean) => Promise<void>;
  now?: () => number;
}

/**
 * The plugin's store contract (incr / pexpire, as with Redis), in memory with an expiry per key, so
 * each user's window starts at their own first question. Expired keys are swept as it grows.
 */
export class WindowStore {
  private readonly hits = new Map<string, { count: number; expiresAt: number }>();
  constructor(private readonly now: () => number = Date.now) {}

  async incr(key: string): Promise<number> {
    const t = this.now();
    let entry = this.hits.get(key);
    if (!entry || entry.expiresAt <= t) {
      entry = { count: 0, expiresAt: Number.POSITIVE_INFINITY };
      this.hits.set(key, entry);
      if (this.hits.size > 10_000) this.sweep(t);
    }
    entry.count++;
    return entry.count;
  }

  async pexpire(key: string, ms: number): Promise<number> {
    const entry = this.hits.get(key);
    if (!entry) return 0;
    entry.expiresAt = this.now() + ms;
    return 1;
  }

  /** Hits in the key's current window (0 when none or expired). */
  count(key: string): number {
    const entry = this.hits.get(key);
    return entry && entry.expiresAt > this.now() ? entry.count : 0;
  }

  private sweep(t: number): void {
    for (const [k, v] of this.hits) if (v.expiresAt <= t) this.hits.delete(k);
  }
}

const PREFIX = 'tg-question:';

/** Middleware for the question path: calls `next` when the user is within the limit. */
export function questionLimiter(options: RateLimitOptions): MiddlewareFn<Context> {
  const store = new WindowStore(options.now);
  const keyOf = (ctx: Context): string | undefined => (ctx.from ? String(ctx.from.id) : undefined);
  return limit<Context, WindowStore>({
    timeFrame: options.windowMs,
    limit: options.limit,
    storageClient: store,
    keyPrefix: PREFIX,
    keyGenerator: keyOf,
    // Called on every excess hit, so each one is counted; the notice goes out on the first only.
    alwaysReply: true,
    onLimitExceeded: (ctx) => {
      const key = keyOf(ctx);
      const notify = key !== undefined && store.count(PREFIX + key) === options.limit + 1;
      return options.onLimited(ctx, notify);
    },
  }) as MiddlewareFn<Context>;
}
