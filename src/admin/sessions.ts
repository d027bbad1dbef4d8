import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { SharedState } from '../shared/state.ts';
import type { Role } from './store.ts';

/**
 * Console sessions in the shared state (Redis with REDIS_URL), so a session made on one replica is
 * accepted by every other. The cookie holds a random id (256 bits); the state holds the session
 * under a hash of it, so whoever reads Redis cannot sign in with what they read. Each session has a
 * CSRF token of its own, sent back in a header by the page on every change.
 */

export interface Session {
  name: string;
  role: Role;
  csrf: string;
  /** The account's updatedAt at sign-in: a reset password or a removed account ends the session. */
  stamp: number;
  /** Epoch ms of sign-in: the absolute expiry counts from here. */
  createdAt: number;
  /** Epoch ms of the last request: the idle expiry counts from here. */
  seenAt: number;
}

export interface SessionOptions {
  state: SharedState;
  /** A session not used for this long ends (ms); default 30 minutes. */
  idleMs?: number;
  /** A session ends this long after sign-in whatever its use (ms); default 12 hours. */
  maxMs?: number;
  now?: () => number;
}

export const SESSION_IDLE_MS = 30 * 60_000;
export const SESSION_MAX_MS = 12 * 3_600_000;
/** The last-seen time is written again at most this often, so a busy page does not write on every request. */
const TOUCH_MS = 60_000;

const keyOf = (id: string): string => `admin:session:${createHash('sha256').update(id).digest('base64url')}`;

export class Sessions {
  readonly idleMs: number;
  readonly maxMs: number;
  readonly #state: SharedState;
  readonly #now: () => number;

  constructor(o: SessionOptions) {
    this.#state = o.state;
    this.idleMs = o.idleMs ?? SESSION_IDLE_MS;
    this.maxMs = o.maxMs ?? SESSION_MAX_MS;
    this.#now = o.now ?? Date.now;
  }

  /** A new session (a new id every sign-in); the id goes in the cookie and nowhere else. */
  async create(name: string, role: Role, stamp: number): Promise<{ id: string; session: Session }> {
    const id = randomBytes(32).toString('base64url');
    const now = this.#now();
    const session: Session = { name, role, stamp, csrf: randomBytes(24).toString('base64url'), createdAt: now, seenAt: now };
    await this.#state.set(keyOf(id), JSON.stringify(session), this.idleMs);
    return { id, session };
  }

  /** The session of a cookie's id, undefined when there is none or it expired (idle or absolute). */
  async get(id: string | undefined): Promise<Session | undefined> {
    if (!id || !/^[\w-]{43}$/.test(id)) return undefined;
    const key = keyOf(id);
    const raw = await this.#state.get(key);
    if (!raw) return undefined;
    let s: Session;
    try {
      s = JSON.parse(raw) as Session;
    } catch {
      return undefined;
    }
    const now = this.#now();
    if (now - s.seenAt >= this.idleMs || now - s.createdAt >= this.maxMs) {
      await this.#state.del(key);
      return undefined;
    }
    if (now - s.seenAt >= TOUCH_MS) {
      s.seenAt = now;
      await this.#state.set(key, JSON.stringify(s), Math.min(this.idleMs, s.createdAt + this.maxMs - now));
    }
    return s;
  }

  async destroy(id: string | undefined): Promise<void> {
    if (id && /^[\w-]{43}$/.test(id)) await this.#state.del(keyOf(id));
  }
}

/** Whether the header's token is the session's, compared in constant time. */
export function csrfMatches(session: Session, header: string | undefined): boolean {
  if (!header) return false;
  const a = Buffer.from(session.csrf);
  const b = Buffer.from(header);
  return a.length === b.length && timingSafeEqual(a, b);
}

export interface SignInLimitOptions {
  /** Wrong passwords allowed per account and per address in one window; default 5. */
  attempts?: number;
  /** The window (s); default 60. */
  windowSeconds?: number;
  /** Count in Redis, so every replica refuses the same 6th attempt. */
  redis?: Redis | undefined;
  /** Key prefix in Redis (one per deployment, and per test). */
  prefix?: string;
}

export type LimitCheck = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/**
 * Sign-in attempts per account and per client address (rate-limiter-flexible). Every attempt takes
 * a point from both before the password is checked, so attempts sent at once cannot all slip past
 * the limit; a right password gives its points back. Once either count is used up the attempt is
 * refused before the password is checked, so the limit cannot be used to learn whether it is right.
 */
export class SignInLimits {
  readonly attempts: number;
  readonly #limiter: RateLimiterAbstract;

  constructor(o: SignInLimitOptions = {}) {
    this.attempts = o.attempts ?? 5;
    const duration = o.windowSeconds ?? 60;
    const memory = new RateLimiterMemory({ points: this.attempts, duration });
    this.#limiter = o.redis
      ? new RateLimiterRedis({
          storeClient: o.redis,
          points: this.attempts,
          duration,
          keyPrefix: `${o.prefix ?? 'workplan:'}admin-signin`,
          // While Redis is away this replica still limits on its own.
          insuranceLimiter: memory,
        })
      : memory;
  }

  static keys(name: string, address: string | undefined): string[] {
    return [`name:${name.normalize('NFC').toLowerCase()}`, `addr:${address ?? 'unknown'}`];
  }

  /** Takes one attempt from each key; refused (with how long to wait) when any is used up. */
  async take(keys: readonly string[]): Promise<LimitCheck> {
    const results = await Promise.all(
      keys.map((k) =>
        this.#limiter.consume(k).then(
          () => 0,
          (err: unknown) => {
            // Used up: the library rejects with the key's state. Anything else is the store failing.
            if (err instanceof RateLimiterRes) return Math.max(1, err.msBeforeNext);
            throw err;
          },
        ),
      ),
    );
    const wait = Math.max(...results);
    return wait > 0 ? { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(wait / 1000)) } : { allowed: true };
  }

  /** A right password: the account's count starts again, and the address gets its attempt back. */
  async succeed(keys: readonly string[]): Promise<void> {
    const [account, ...others] = keys;
    await Promise.all([account ? this.#limiter.delete(account) : undefined, ...others.map((k) => this.#limiter.reward(k, 1))]);
  }
}
