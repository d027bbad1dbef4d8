import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Logger } from '../logger.ts';

/** What the rate-limit middleware needs to answer a request (and fill the RateLimit-* headers). */
export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  /** Hits still allowed in the current window after this one. */
  remaining: number;
  /** When refused: how long until the window resets (> 0). Otherwise 0. */
  retryAfterMs: number;
  /** How long until the current window resets (for the RateLimit-Reset header). */
  resetMs: number;
}

export interface RateLimiterOptions {
  /** Hits allowed per key in one window (a whole number ≥ 1). */
  limit: number;
  /** Where an unexpected limiter failure is reported before the request is let through. */
  logger: Logger;
  /**
   * Several replicas: count in Redis (rate-limiter-flexible's RateLimiterRedis), so the limit holds
   * across them. While Redis is away the in-memory limiter stands in (its insurance limiter).
   */
  redis?: Redis;
  /** Key prefix in Redis. */
  prefix?: string;
  /** Called for each hit counted in memory because Redis was away. */
  onFallback?: () => void;
}

/** The window of the API limits: `limit` hits per minute. */
const WINDOW_SECONDS = 60;

/**
 * A per-key limit of `limit` hits a minute, kept in this process's memory by rate-limiter-flexible's
 * RateLimiterMemory. Its window is fixed per key: it starts at the key's first hit and resets
 * `WINDOW_SECONDS` later (so across a reset a client can get up to 2×limit hits in a short span).
 * Refused hits are counted by the library but do not extend the window. Idle keys are dropped when
 * their window ends.
 *
 * ```ts
 * const limiter = new RateLimiter({ limit: 30, logger });
 * const d = await limiter.hit('ask:203.0.113.7');
 * if (!d.allowed) reply429(retryAfterSeconds(d));
 * ```
 */
export class RateLimiter {
  readonly limit: number;
  private readonly limiter: RateLimiterAbstract;
  private readonly logger: Logger;
  private readonly options: RateLimiterOptions;

  constructor(options: RateLimiterOptions) {
    if (!Number.isInteger(options.limit) || options.limit < 1) throw new RangeError('limit must be a whole number ≥ 1');
    this.limit = options.limit;
    this.logger = options.logger;
    this.options = options;
    const memory = new RateLimiterMemory({ points: this.limit, duration: WINDOW_SECONDS });
    this.limiter = options.redis
      ? new RateLimiterRedis({
          storeClient: options.redis,
          keyPrefix: `${options.prefix ?? 'workplan:'}ratelimit`,
          points: this.limit,
          duration: WINDOW_SECONDS,
          // Redis away: this process's own count stands in, so limits still apply per replica.
          insuranceLimiter: memory,
          useRedisPackage: false,
        })
      : memory;
  }

  /** Counts one hit for `key`; never rejects. */
  async hit(key: string): Promise<RateLimitDecision> {
    if (this.options.redis && this.options.redis.status !== 'ready') this.options.onFallback?.();
    let res: RateLimiterRes;
    try {
      res = await this.limiter.consume(key);
    } catch (rejection: unknown) {
      // consume() rejects with a RateLimiterRes when the key is over its limit.
      if (rejection instanceof RateLimiterRes) {
        const resetMs = Math.max(1, rejection.msBeforeNext);
        return { allowed: false, limit: this.limit, remaining: 0, retryAfterMs: resetMs, resetMs };
      }
      // Anything else is a fault of the limiter itself. It is in-memory and only guards against
      // floods, so we fail open: log the error and let the request through rather than refuse
      // every client. (A limiter on shared storage would deserve a harder look at this choice.)
      this.logger.error({ err: rejection }, 'rate limiter failed; request let through');
      return { allowed: true, limit: this.limit, remaining: this.limit, retryAfterMs: 0, resetMs: 0 };
    }
    return {
      allowed: true,
      limit: this.limit,
      remaining: res.remainingPoints,
      retryAfterMs: 0,
      resetMs: Math.max(0, res.msBeforeNext),
    };
  }
}

/** Whole seconds for the Retry-After header of a refused hit: rounded up, and at least 1. */
export function retryAfterSeconds(decision: Pick<RateLimitDecision, 'retryAfterMs'>): number {
  return Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
}

/**
 * The rate-limit key of a client address: IPv4-mapped IPv6 becomes plain IPv4, and IPv6 is grouped
 * by its /64 prefix (one subscriber usually owns a whole /64, so per-address limits would be moot).
 */
export function clientKey(address: string | undefined): string {
  if (!address) return 'unknown';
  let a = address.trim().toLowerCase();
  const zone = a.indexOf('%');
  if (zone >= 0) a = a.slice(0, zone);
  if (a.startsWith('[') && a.endsWith(']')) a = a.slice(1, -1);
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(a);
  if (mapped) return mapped[1]!;
  if (!a.includes(':')) return a;
  const groups = expandIPv6(a);
  return groups ? `${groups.slice(0, 4).join(':')}::/64` : a;
}

function expandIPv6(a: string): string[] | undefined {
  const halves = a.split('::');
  if (halves.length > 2) return undefined;
  const parse = (s: string): string[] => (s ? s.split(':') : []);
  const left = parse(halves[0]!);
  const right = halves.length === 2 ? parse(halves[1]!) : [];
  // An embedded IPv4 tail (::1.2.3.4) counts as two groups.
  const tail = right.length ? right : left;
  const last = tail[tail.length - 1];
  if (last?.includes('.')) tail.splice(tail.length - 1, 1, '0', '0');
  const missing = 8 - left.length - right.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...left, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...right];
  if (!groups.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return undefined;
  return groups.map((g) => g.replace(/^0+(?=.)/, ''));
}
