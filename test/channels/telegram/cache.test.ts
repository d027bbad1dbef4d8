import { describe, expect, it } from 'vitest';
import { AnswerCache, BoundedCache } from '../../../src/channels/telegram/cache.ts';

describe('BoundedCache', () => {
  it('keeps at most max entries, dropping the least recently used', () => {
    const c = new BoundedCache<string, number>(2);
    c.set('a', 1).set('b', 2);
    expect(c.get('a')).toBe(1); // a is now the most recent
    c.set('c', 3);
    expect(c.has('b')).toBe(false);
    expect(c.get('a')).toBe(1);
    expect(c.get('c')).toBe(3);
    expect(c.size).toBe(2);
  });

  it('refuses a useless size', () => {
    expect(() => new BoundedCache(0)).toThrow(RangeError);
  });
});

describe('AnswerCache', () => {
  it('hands out short distinct tokens and forgets the oldest', () => {
    const cache = new AnswerCache(3);
    const tokens = [1, 2, 3, 4].map((i) => cache.put({ question: `q${i}`, found: true, citations: [] }));
    expect(new Set(tokens).size).toBe(4);
    for (const t of tokens) expect(t).toMatch(/^[\w-]{8}$/);
    expect(cache.get(tokens[0]!)).toBeUndefined();
    expect(cache.get(tokens[3]!)?.question).toBe('q4');
    expect(cache.get(tokens[3]!)?.voters.size).toBe(0);
  });
});
