import { randomBytes } from 'node:crypto';
import type { Citation } from '../../answer/types.ts';

/**
 * A Map that keeps at most `max` entries, dropping the least recently used. Enough for the answers
 * behind inline buttons: callback data is limited to 64 bytes, so buttons carry a short token and
 * the question and citations stay here. An evicted token reads as "expired".
 */
export class BoundedCache<K, V> {
  private readonly map = new Map<K, V>();
  constructor(readonly max: number) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError('max must be a positive integer');
  }

  get(key: K): V | undefined {
    const value = this.map.get(key);
    if (value === undefined) return undefined;
    this.map.delete(key);
    this.map.set(key, value);
    return value;
  }

  set(key: K, value: V): this {
    this.map.delete(key);
    this.map.set(key, value);
    while (this.map.size > this.max) {
      const oldest = this.map.keys().next();
      if (oldest.done) break;
      this.map.delete(oldest.value);
    }
    return this;
  }

  has(key: K): boolean {
    return this.map.has(key);
  }

  get size(): number {
    return this.map.size;
  }
}

/** What a button under an answer needs to act on. */
export interface AnsweredQuestion {
  question: string;
  found: boolean;
  citations: Citation[];
  /** Hashed ids of users who already voted on this answer. */
  voters: Set<string>;
}

/**
 * Answers by short random token (8 characters of base64url): random, so a token from before a
 * restart never points at a different answer, it just expires.
 */
export class AnswerCache {
  private readonly cache: BoundedCache<string, AnsweredQuestion>;
  constructor(max = 2000) {
    this.cache = new BoundedCache(max);
  }

  put(entry: Omit<AnsweredQuestion, 'voters'>): string {
    let token = randomBytes(6).toString('base64url');
    while (this.cache.has(token)) token = randomBytes(6).toString('base64url');
    this.cache.set(token, { ...entry, voters: new Set() });
    return token;
  }

  get(token: string): AnsweredQuestion | undefined {
    return this.cache.get(token);
  }
}
