/**
 * The platform access token (Official Account /cgi-bin/token, WeCom /cgi-bin/gettoken), cached and
 * refreshed before it expires: a token that lives `expires_in` seconds (7200 on both platforms) is
 * replaced 5 minutes early. Concurrent callers share one refresh; a token the API rejects is
 * invalidated once, however many calls saw it fail.
 *
 * ```ts
 * const tokens = new AccessTokenCache(() => fetchToken(), Date.now);
 * const token = await tokens.get();
 * ```
 */

export interface IssuedToken {
  token: string;
  /** Lifetime in seconds, as the API says. */
  expiresIn: number;
}

/** Refresh this long before expiry (or at half-life for short-lived tokens). */
const REFRESH_MARGIN_S = 300;

export class AccessTokenCache {
  readonly #issue: () => Promise<IssuedToken>;
  readonly #now: () => number;
  #current: { token: string; refreshAt: number } | undefined;
  #pending: Promise<string> | undefined;

  constructor(issue: () => Promise<IssuedToken>, now: () => number) {
    this.#issue = issue;
    this.#now = now;
  }

  /** A usable token: the cached one until its refresh time, else a fresh one. */
  get(): Promise<string> {
    const current = this.#current;
    if (current && this.#now() < current.refreshAt) return Promise.resolve(current.token);
    return this.refresh();
  }

  /** Fetches a new token; callers that arrive while a fetch is running share it. */
  refresh(): Promise<string> {
    this.#pending ??= this.#issue()
      .then(({ token, expiresIn }) => {
        const margin = Math.min(REFRESH_MARGIN_S, expiresIn / 2);
        this.#current = { token, refreshAt: this.#now() + (expiresIn - margin) * 1000 };
        return token;
      })
      .finally(() => {
        this.#pending = undefined;
      });
    return this.#pending;
  }

  /** Forgets `token` after the API rejected it, unless it was already replaced. */
  invalidate(token: string): void {
    if (this.#current?.token === token) this.#current = undefined;
  }
}
