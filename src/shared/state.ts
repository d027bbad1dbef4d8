import { Redis } from 'ioredis';
import type { Logger } from '../logger.ts';

/**
 * State shared between requests that several replicas must agree on: duplicate deliveries, answers
 * in flight, "更多" pages, per-user limits, access tokens. With REDIS_URL it lives in Redis (one
 * key prefix per deployment), else in this process's memory, as before.
 *
 * Redis going away never stops answers: each operation that fails falls back to memory for this
 * process, the outage is logged once and counted, and ioredis reconnects in the background; the
 * next operation after it is back uses Redis again.
 *
 * ```ts
 * const state = createSharedState({ redisUrl: config.REDIS_URL, logger });
 * if (!(await state.claim(`wechat:dedup:${from}:${msgId}`, '1', 300_000))) return; // a retry
 * ```
 *
 * A lease is a claim with a short time to live that its holder renews while it works and replaces
 * with its result when done; if the holder dies, the claim lapses and the next caller claims it:
 *
 * ```ts
 * if (await state.claim(key, mine, 4000)) {            // mine: a value only this holder uses
 *   const beat = setInterval(() => void state.renew(key, mine, 4000), 1000);
 *   const result = await work().finally(() => clearInterval(beat));
 *   await state.replace(key, mine, result, 660_000);  // unless another holder took it over meanwhile
 * }
 * ```
 */
export interface SharedState {
  readonly kind: 'memory' | 'redis';
  /** Sets `key` for `ttlMs` unless it is set already; true for the caller that set it. */
  claim(key: string, value: string, ttlMs: number): Promise<boolean>;
  /**
   * Restarts `key`'s expiry at `ttlMs` from now while it still holds `value` (a lease's heartbeat);
   * false, changing nothing, when it expired or holds anything else.
   */
  renew(key: string, value: string, ttlMs: number): Promise<boolean>;
  /**
   * Sets `key` to `value` for `ttlMs` when it holds `expected` or nothing (compare-and-set); false,
   * changing nothing, when it holds anything else.
   */
  replace(key: string, expected: string, value: string, ttlMs: number): Promise<boolean>;
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
  del(key: string): Promise<void>;
  /** Adds one to a counter whose window starts at its first hit and lasts `ttlMs`; the new count. */
  incr(key: string, ttlMs: number): Promise<number>;
  /** Whether Redis answered the last operation (always true in memory). */
  healthy(): boolean;
  /** The Redis client, for libraries with their own Redis store (rate-limiter-flexible); undefined in memory. */
  readonly redis?: Redis;
  close(): Promise<void>;
}

export interface SharedStateOptions {
  redisUrl?: string | undefined;
  /** Key prefix, so deployments (and tests) sharing one Redis never meet. */
  prefix?: string;
  logger: Logger;
  /** Counts operations served from memory because Redis failed. */
  onFallback?: (op: string) => void;
  /** Bounded memory: entries beyond this are dropped oldest first. */
  maxEntries?: number;
  now?: () => number;
}

/** In-process state with expiry, bounded in size; what a single replica has always used. */
export class MemoryState implements SharedState {
  readonly kind = 'memory' as const;
  readonly #entries = new Map<string, { value: string; expires: number }>();
  readonly #max: number;
  readonly #now: () => number;

  constructor(options: { maxEntries?: number; now?: () => number } = {}) {
    this.#max = options.maxEntries ?? 50_000;
    this.#now = options.now ?? Date.now;
  }

  #live(key: string): { value: string; expires: number } | undefined {
    const e = this.#entries.get(key);
    if (e && e.expires <= this.#now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return e;
  }

  #put(key: string, value: string, ttlMs: number): void {
    this.#entries.delete(key);
    this.#entries.set(key, { value, expires: this.#now() + ttlMs });
    if (this.#entries.size > this.#max) {
      const t = this.#now();
      for (const [k, e] of this.#entries) if (e.expires <= t) this.#entries.delete(k);
      while (this.#entries.size > this.#max) this.#entries.delete(this.#entries.keys().next().value!);
    }
  }

  async claim(key: string, value: string, ttlMs: number): Promise<boolean> {
    if (this.#live(key)) return false;
    this.#put(key, value, ttlMs);
    return true;
  }
  async renew(key: string, value: string, ttlMs: number): Promise<boolean> {
    const e = this.#live(key);
    if (e?.value !== value) return false;
    e.expires = this.#now() + ttlMs;
    return true;
  }
  async replace(key: string, expected: string, value: string, ttlMs: number): Promise<boolean> {
    const e = this.#live(key);
    if (e && e.value !== expected) return false;
    this.#put(key, value, ttlMs);
    return true;
  }
  async get(key: string): Promise<string | undefined> {
    return this.#live(key)?.value;
  }
  async set(key: string, value: string, ttlMs: number): Promise<void> {
    this.#put(key, value, ttlMs);
  }
  async del(key: string): Promise<void> {
    this.#entries.delete(key);
  }
  async incr(key: string, ttlMs: number): Promise<number> {
    const e = this.#live(key);
    if (!e) {
      this.#put(key, '1', ttlMs);
      return 1;
    }
    e.value = String(Number(e.value) + 1);
    return Number(e.value);
  }
  healthy(): boolean {
    return true;
  }
  async close(): Promise<void> {
    this.#entries.clear();
  }
}

/** How long the first operations wait for the first connection. */
const CONNECT_WAIT_MS = 2000;

/** `renew` in one step on the server, so a lease taken over between a read and a write is never extended. */
const RENEW_SCRIPT = `
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end
return 0`;

/** `replace` in one step on the server: compare and set (a missing key reads as false in Lua). */
const REPLACE_SCRIPT = `
local v = redis.call('get', KEYS[1])
if v == false or v == ARGV[1] then
  redis.call('set', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return 1
end
return 0`;

/** Redis first, this process's memory while Redis is away. */
class RedisState implements SharedState {
  readonly kind = 'redis' as const;
  readonly redis: Redis;
  readonly #memory: MemoryState;
  readonly #prefix: string;
  readonly #o: SharedStateOptions;
  #up = true;
  /** Resolves at the first connection, or after the connect timeout: operations before it wait for it. */
  readonly #connected: Promise<void>;

  constructor(url: string, options: SharedStateOptions) {
    this.#o = options;
    this.#prefix = options.prefix ?? 'workplan:';
    this.#memory = new MemoryState({ ...(options.maxEntries ? { maxEntries: options.maxEntries } : {}), ...(options.now ? { now: options.now } : {}) });
    this.redis = new Redis(url, {
      // Fail an operation fast while Redis is away (the memory fallback answers), keep reconnecting.
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      connectTimeout: 2000,
      commandTimeout: 1000,
      retryStrategy: (times) => Math.min(times * 200, 2000),
      lazyConnect: false,
    });
    this.redis.on('error', () => {
      // Reported once per outage by #fallback; ioredis reconnects by itself.
    });
    this.redis.on('ready', () => {
      if (!this.#up) options.logger.info('shared state: Redis is back');
      this.#up = true;
    });
    this.#connected = new Promise((resolve) => {
      const timer = setTimeout(resolve, CONNECT_WAIT_MS);
      timer.unref();
      this.redis.once('ready', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  async #run<T>(op: string, redis: () => Promise<T>, memory: () => Promise<T>): Promise<T> {
    await this.#connected;
    try {
      // While Redis is away, answer from memory at once instead of waiting for each command to fail.
      if (this.redis.status !== 'ready') throw new Error(`Redis ${this.redis.status}`);
      const v = await redis();
      if (!this.#up) {
        this.#up = true;
        this.#o.logger.info('shared state: Redis is back');
      }
      return v;
    } catch (err) {
      if (this.#up) {
        this.#up = false;
        this.#o.logger.error({ err: (err as Error)?.message ?? String(err) }, 'shared state: Redis is unavailable; using this process’s memory until it is back');
      }
      this.#o.onFallback?.(op);
      return memory();
    }
  }

  claim(key: string, value: string, ttlMs: number): Promise<boolean> {
    return this.#run(
      'claim',
      async () => (await this.redis.set(this.#prefix + key, value, 'PX', ttlMs, 'NX')) === 'OK',
      () => this.#memory.claim(key, value, ttlMs),
    );
  }
  renew(key: string, value: string, ttlMs: number): Promise<boolean> {
    return this.#run(
      'renew',
      async () => (await this.redis.eval(RENEW_SCRIPT, 1, this.#prefix + key, value, ttlMs)) === 1,
      () => this.#memory.renew(key, value, ttlMs),
    );
  }
  replace(key: string, expected: string, value: string, ttlMs: number): Promise<boolean> {
    return this.#run(
      'replace',
      async () => (await this.redis.eval(REPLACE_SCRIPT, 1, this.#prefix + key, expected, value, ttlMs)) === 1,
      () => this.#memory.replace(key, expected, value, ttlMs),
    );
  }
  get(key: string): Promise<string | undefined> {
    return this.#run(
      'get',
      async () => (await this.redis.get(this.#prefix + key)) ?? undefined,
      () => this.#memory.get(key),
    );
  }
  set(key: string, value: string, ttlMs: number): Promise<void> {
    return this.#run(
      'set',
      async () => void (await this.redis.set(this.#prefix + key, value, 'PX', ttlMs)),
      () => this.#memory.set(key, value, ttlMs),
    );
  }
  del(key: string): Promise<void> {
    return this.#run(
      'del',
      async () => void (await this.redis.del(this.#prefix + key)),
      () => this.#memory.del(key),
    );
  }
  incr(key: string, ttlMs: number): Promise<number> {
    return this.#run(
      'incr',
      async () => {
        const k = this.#prefix + key;
        const [[, n], [, ttl]] = (await this.redis.multi().incr(k).pttl(k).exec()) as [[null, number], [null, number]];
        // The window starts at the first hit: set its expiry then (or if it was ever lost).
        if (n === 1 || ttl < 0) await this.redis.pexpire(k, ttlMs);
        return n;
      },
      () => this.#memory.incr(key, ttlMs),
    );
  }
  healthy(): boolean {
    return this.#up && this.redis.status === 'ready';
  }
  async close(): Promise<void> {
    this.redis.disconnect();
    await this.#memory.close();
  }
}

export function createSharedState(options: SharedStateOptions): SharedState {
  return options.redisUrl ? new RedisState(options.redisUrl, options) : new MemoryState({ ...(options.maxEntries ? { maxEntries: options.maxEntries } : {}), ...(options.now ? { now: options.now } : {}) });
}
