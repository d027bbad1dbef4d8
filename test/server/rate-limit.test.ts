import { describe, expect, it } from 'vitest';
import { clientKey, SlidingWindowLimiter } from '../../src/server/rate-limit.ts';

function limiter(limit: number, windowMs = 60_000, maxKeys?: number) {
  const clock = { now: 0 };
  const l = new SlidingWindowLimiter({ limit, windowMs, now: () => clock.now, ...(maxKeys ? { maxKeys } : {}) });
  return { l, clock };
}

describe('SlidingWindowLimiter', () => {
  it('allows `limit` hits, then refuses with the time until the oldest leaves the window', () => {
    const { l, clock } = limiter(3);
    expect([l.hit('a'), l.hit('a'), l.hit('a')].map((d) => [d.allowed, d.remaining])).toEqual([
      [true, 2],
      [true, 1],
      [true, 0],
    ]);
    clock.now = 15_000;
    const refused = l.hit('a');
    expect(refused).toMatchObject({ allowed: false, remaining: 0, retryAfterMs: 45_000, limit: 3 });
  });

  it('slides: hits leave the window one by one, not all at a bucket edge', () => {
    const { l, clock } = limiter(3);
    l.hit('a'); // t = 0
    clock.now = 20_000;
    l.hit('a');
    clock.now = 40_000;
    l.hit('a');
    clock.now = 59_999;
    expect(l.hit('a')).toMatchObject({ allowed: false, retryAfterMs: 1 });
    clock.now = 60_000; // the t = 0 hit has left
    expect(l.hit('a')).toMatchObject({ allowed: true, remaining: 0 });
    clock.now = 70_000;
    expect(l.hit('a')).toMatchObject({ allowed: false, retryAfterMs: 10_000 });
  });

  it('cannot be burst across a fixed-window edge', () => {
    const { l, clock } = limiter(2);
    clock.now = 59_000;
    l.hit('a');
    l.hit('a');
    clock.now = 61_000; // a fixed one-minute bucket would have reset here
    expect(l.hit('a').allowed).toBe(false);
  });

  it('does not count refused hits', () => {
    const { l, clock } = limiter(1);
    l.hit('a');
    for (let i = 0; i < 10; i++) {
      clock.now += 1_000;
      expect(l.hit('a').allowed).toBe(false);
    }
    clock.now = 60_000;
    expect(l.hit('a').allowed).toBe(true);
  });

  it('keeps keys apart', () => {
    const { l } = limiter(1);
    expect(l.hit('a').allowed).toBe(true);
    expect(l.hit('b').allowed).toBe(true);
    expect(l.hit('a').allowed).toBe(false);
  });

  it('reports when the window will be empty again', () => {
    const { l, clock } = limiter(5);
    l.hit('a');
    clock.now = 10_000;
    expect(l.hit('a').resetMs).toBe(60_000);
  });

  it('forgets idle keys and bounds how many it keeps', () => {
    const { l, clock } = limiter(2, 60_000, 3);
    l.hit('a');
    l.hit('b');
    clock.now = 30_000;
    l.hit('c');
    expect(l.size).toBe(3);
    clock.now = 61_000; // a and b are idle
    l.hit('c');
    expect(l.size).toBe(1);
    l.hit('d');
    l.hit('e');
    l.hit('f'); // beyond maxKeys: the least recently seen key goes
    expect(l.size).toBe(3);
  });

  it('stays exact with a large limit (the load script lifts it)', () => {
    const { l, clock } = limiter(100_000);
    for (let i = 0; i < 50_000; i++) {
      clock.now = i;
      l.hit('a');
    }
    expect(l.hit('a').remaining).toBe(100_000 - 50_001);
    clock.now = 60_000 + 25_000; // hits at t ≤ 25 000 have left
    expect(l.hit('a').remaining).toBe(100_000 - (50_000 - 25_001) - 2);
  });

  it('rejects nonsense settings', () => {
    expect(() => new SlidingWindowLimiter({ limit: 0, windowMs: 1 })).toThrow(RangeError);
    expect(() => new SlidingWindowLimiter({ limit: 1, windowMs: 0 })).toThrow(RangeError);
  });
});

describe('clientKey', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:0db8:0001:0002::9', '2001:db8:1:2::/64'],
    ['2001:DB8:1:2::9', '2001:db8:1:2::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['::ffff:0:1.2.3.4', '0:0:0:0::/64'],
    [undefined, 'unknown'],
    ['', 'unknown'],
    ['not an address', 'not an address'],
    ['1:2:3', '1:2:3'],
  ])('%s → %s', (address, key) => {
    expect(clientKey(address)).toBe(key);
  });
});
