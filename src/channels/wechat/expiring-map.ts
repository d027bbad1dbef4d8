/**
 * A bounded map whose entries expire: the memory behind duplicate suppression and "更多". Entries
 * live `ttlMs` from their last `set`; beyond `maxSize` the oldest go first. Expired entries are swept
 * on every write, so memory stays bounded without timers.
 *
 * ```ts
 * const seen = new ExpiringMap<string, string>({ ttlMs: 60_000, maxSize: 10_000, now: Date.now });
 * seen.set('msg:1', 'reply');
 * seen.get('msg:1'); // 'reply' for the next minute, then undefined
 * ```
 */
export class ExpiringMap<K, V> {
  readonly #entries = new Map<K, { value: V; expires: number }>();
  readonly #ttlMs: number;
  readonly #maxSize: number;
  readonly #now: () => number;

  constructor(options: { ttlMs: number; maxSize: number; now: () => number }) {
    if (!(options.ttlMs > 0) || !(options.maxSize > 0)) throw new RangeError('ttlMs and maxSize must be positive');
    this.#ttlMs = options.ttlMs;
    this.#maxSize = options.maxSize;
    this.#now = options.now;
  }

  get(key: K): V | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.expires <= this.#now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: K, value: V): this {
    // Re-inserting keeps the Map's insertion order equal to expiry order (one TTL for all entries).
    this.#entries.delete(key);
    this.#entries.set(key, { value, expires: this.#now() + this.#ttlMs });
    this.#sweep();
    return this;
  }

  delete(key: K): boolean {
    return this.#entries.delete(key);
  }

  /** Entries held, including any expired ones not yet swept. */
  get size(): number {
    return this.#entries.size;
  }

  #sweep(): void {
    const now = this.#now();
    for (const [key, entry] of this.#entries) {
      if (entry.expires > now && this.#entries.size <= this.#maxSize) break;
      this.#entries.delete(key);
    }
  }
}
