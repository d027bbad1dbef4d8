import { setTimeout as sleep } from 'node:timers/promises';
import { MemoryState, type SharedState } from '../../shared/state.ts';

/**
 * The platform access token (Official Account /cgi-bin/token, WeCom /cgi-bin/gettoken), cached and
 * refreshed before it expires: a token that lives `expires_in` seconds (7200 on both platforms) is
 * replaced 5 minutes early. Concurrent callers share one refresh; a token the API rejects is
 * invalidated once, however many calls saw it fail.
 *
 * The token lives in shared state (JSON `{ token, refreshAt }` under `key`, expiring with the token),
 * so replicas behind a load balancer use one token. Fetching a new token on the Official Account
 * retires the old one, so replicas must not refresh twice: the replica that refreshes holds a lock
 * key (`<key>:refreshing`) while it does, and the others wait for the token it stores. Without a
 * shared state the cache is this process's memory, as before.
 *
 * ```ts
 * const tokens = new AccessTokenCache(() => fetchToken(), Date.now, { state, key: 'wechat:token:wx123' });
 * const token = await tokens.get();
 * ```
 */

export interface IssuedToken {
  token: string;
  /** Lifetime in seconds, as the API says. */
  expiresIn: number;
}

export interface AccessTokenCacheOptions {
  /** Where the token lives; a private MemoryState when absent. */
  state?: SharedState;
  /** The state key; must name the platform and the credentials (app id, corp id and secret). */
  key?: string;
}

/** Refresh this long before expiry (or at half-life for short-lived tokens). */
const REFRESH_MARGIN_S = 300;
/** How long one replica may hold the refresh lock (a token request times out after 10 s). */
const LOCK_TTL_MS = 15_000;
/** How often a replica waiting for another one's refresh looks for the new token. */
const POLL_MS = 100;

interface CachedToken {
  token: string;
  /** Epoch milliseconds after which the token is refreshed. */
  refreshAt: number;
}

export class AccessTokenCache {
  readonly #issue: () => Promise<IssuedToken>;
  readonly #now: () => number;
  readonly #state: SharedState;
  readonly #key: string;
  #pending: Promise<string> | undefined;

  constructor(issue: () => Promise<IssuedToken>, now: () => number, options: AccessTokenCacheOptions = {}) {
    this.#issue = issue;
    this.#now = now;
    this.#state = options.state ?? new MemoryState({ now });
    this.#key = options.key ?? 'access-token';
  }

  /** A usable token: the cached one until its refresh time, else a fresh one. */
  async get(): Promise<string> {
    const current = await this.#read();
    if (current && this.#now() < current.refreshAt) return current.token;
    return this.refresh(current?.token);
  }

  /**
   * Fetches a new token (unless another replica has just stored one other than `stale`); callers in
   * this process that arrive while a refresh is running share it.
   */
  refresh(stale?: string): Promise<string> {
    this.#pending ??= this.#refresh(stale).finally(() => {
      this.#pending = undefined;
    });
    return this.#pending;
  }

  /** Forgets `token` after the API rejected it, unless it was already replaced. */
  async invalidate(token: string): Promise<void> {
    if ((await this.#read())?.token === token) await this.#state.del(this.#key);
  }

  async #refresh(stale: string | undefined): Promise<string> {
    const lock = `${this.#key}:refreshing`;
    const giveUpAt = performance.now() + LOCK_TTL_MS;
    let locked = false;
    for (;;) {
      locked = await this.#state.claim(lock, '1', LOCK_TTL_MS);
      // Holding the lock or not: another replica may just have stored a fresh token.
      const fresh = await this.#read();
      if (fresh && fresh.token !== stale && this.#now() < fresh.refreshAt) {
        if (locked) await this.#state.del(lock);
        return fresh.token;
      }
      // Waited a whole lock's lifetime (the other replica died or Redis is away): fetch anyway.
      if (locked || performance.now() >= giveUpAt) break;
      await sleep(POLL_MS);
    }
    try {
      const { token, expiresIn } = await this.#issue();
      const margin = Math.min(REFRESH_MARGIN_S, expiresIn / 2);
      const cached: CachedToken = { token, refreshAt: this.#now() + (expiresIn - margin) * 1000 };
      await this.#state.set(this.#key, JSON.stringify(cached), expiresIn * 1000);
      return token;
    } finally {
      if (locked) await this.#state.del(lock);
    }
  }

  async #read(): Promise<CachedToken | undefined> {
    const raw = await this.#state.get(this.#key);
    if (raw === undefined) return undefined;
    try {
      const value = JSON.parse(raw) as Partial<CachedToken> | null;
      return typeof value?.token === 'string' && typeof value.refreshAt === 'number' ? { token: value.token, refreshAt: value.refreshAt } : undefined;
    } catch {
      return undefined;
    }
  }
}
