import { performance } from 'node:perf_hooks';

/**
 * A per-key sliding-window limit: at most `limit` hits in any `windowMs` span (an exact sliding log,
 * not fixed buckets, so a client cannot burst 2×limit across a bucket edge).
 *
 * Memory is bounded: a key keeps at most `limit` timestamps, keys are kept in least-recently-used
 * order, idle keys are swept as soon as their window has passed, and beyond `maxKeys` the least
 * recently seen key is dropped.
 *
 * ```ts
 * const limiter = new SlidingWindowLimiter({ limit: 30, windowMs: 60_000 });
 * const r = limiter.hit('203.0.113.7');
 * if (!r.allowed) reply429(r.retryAfterMs);
 * ```
 */
export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  /** Hits still allowed in the current window after this one. */
  remaining: number;
  /** When refused: how long until the oldest hit leaves the window (> 0). Otherwise 0. */
  retryAfterMs: number;
  /** How long until the window is empty again (for the RateLimit-Reset header). */
  resetMs: number;
}

export interface SlidingWindowOptions {
  limit: number;
  windowMs: number;
  maxKeys?: number;
  /** A monotonic clock in milliseconds; injectable for tests. */
  now?: () => number;
}

interface Log {
  times: number[];
  head: number;
}

export class SlidingWindowLimiter {
  readonly limit: number;
  readonly windowMs: number;
  private readonly maxKeys: number;
  private readonly now: () => number;
  /** Insertion order = least recently hit first. */
  private readonly logs = new Map<string, Log>();

  constructor(options: SlidingWindowOptions) {
    if (!Number.isFinite(options.limit) || options.limit < 1) throw new RangeError('limit must be ≥ 1');
    if (!(options.windowMs > 0)) throw new RangeError('windowMs must be > 0');
    this.limit = Math.floor(options.limit);
    this.windowMs = options.windowMs;
    this.maxKeys = options.maxKeys ?? 100_000;
    this.now = options.now ?? (() => performance.now());
  }

  /** Counts one hit for `key` if it is allowed; a refused hit is not counted. */
  hit(key: string): RateLimitDecision {
    const now = this.now();
    this.sweep(now);
    const log = this.logs.get(key) ?? { times: [], head: 0 };
    // Re-insert so the map stays in least-recently-hit order.
    this.logs.delete(key);
    this.logs.set(key, log);
    expire(log, now - this.windowMs);

    const count = log.times.length - log.head;
    if (count >= this.limit) {
      const oldest = log.times[log.head]!;
      const retryAfterMs = Math.max(1, oldest + this.windowMs - now);
      return { allowed: false, limit: this.limit, remaining: 0, retryAfterMs, resetMs: this.resetOf(log, now) };
    }
    log.times.push(now);
    if (this.logs.size > this.maxKeys) {
      const lru = this.logs.keys().next().value;
      if (lru !== undefined) this.logs.delete(lru);
    }
    return {
      allowed: true,
      limit: this.limit,
      remaining: this.limit - count - 1,
      retryAfterMs: 0,
      resetMs: this.resetOf(log, now),
    };
  }

  /** Number of keys currently tracked (for tests and diagnostics). */
  get size(): number {
    return this.logs.size;
  }

  private resetOf(log: Log, now: number): number {
    const newest = log.times[log.times.length - 1];
    return newest === undefined ? 0 : Math.max(0, newest + this.windowMs - now);
  }

  /** Drops keys whose every hit has left the window; stops at the first key still active (LRU order). */
  private sweep(now: number): void {
    const cutoff = now - this.windowMs;
    for (const [key, log] of this.logs) {
      const newest = log.times[log.times.length - 1];
      if (newest !== undefined && newest > cutoff) break;
      this.logs.delete(key);
    }
  }
}

function expire(log: Log, cutoff: number): void {
  while (log.head < log.times.length && log.times[log.head]! <= cutoff) log.head++;
  // Compact now and then so the array does not grow without bound.
  if (log.head > 64 && log.head * 2 > log.times.length) {
    log.times = log.times.slice(log.head);
    log.head = 0;
  }
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
