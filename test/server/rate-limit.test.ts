import { RateLimiterMemory } from 'rate-limiter-flexible';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { clientKey, RateLimiter, retryAfterSeconds } from '../../src/server/rate-limit.ts';
import { captureLogger, silentLogger } from './support.ts';

const limiter = (limit: number) => new RateLimiter({ limit, logger: silentLogger });

afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

describe('RateLimiter', () => {
  it('allows `limit` hits, then refuses with remaining 0 and a positive wait within the minute', async () => {
    const l = limiter(3);
    const allowed = [await l.hit('a'), await l.hit('a'), await l.hit('a')];
    expect(allowed.map((d) => [d.allowed, d.remaining, d.retryAfterMs, d.limit])).toEqual([
      [true, 2, 0, 3],
      [true, 1, 0, 3],
      [true, 0, 0, 3],
    ]);
    for (const d of allowed) {
      expect(d.resetMs).toBeGreaterThan(0);
      expect(d.resetMs).toBeLessThanOrEqual(60_000);
    }

    const refused = await l.hit('a');
    expect(refused).toMatchObject({ allowed: false, remaining: 0, limit: 3 });
    expect(refused.retryAfterMs).toBeGreaterThan(0);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(60_000);
    expect(refused.resetMs).toBe(refused.retryAfterMs);
    // Refusing again does not turn into an allowance.
    expect((await l.hit('a')).allowed).toBe(false);
  });

  it('keeps keys apart', async () => {
    const l = limiter(1);
    expect((await l.hit('a')).allowed).toBe(true);
    expect((await l.hit('b')).allowed).toBe(true);
    expect((await l.hit('a')).allowed).toBe(false);
    expect((await l.hit('b')).allowed).toBe(false);
    expect((await l.hit('c')).allowed).toBe(true);
  });

  it('keeps limiters apart (each app has its own)', async () => {
    const one = limiter(1);
    const two = limiter(1);
    expect((await one.hit('a')).allowed).toBe(true);
    expect((await two.hit('a')).allowed).toBe(true);
  });

  it('allows the key again once its one-minute window has passed', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'] });
    const l = limiter(2);
    await l.hit('a');
    await l.hit('a');
    vi.advanceTimersByTime(59_000);
    expect(await l.hit('a')).toMatchObject({ allowed: false, retryAfterMs: 1_000 });
    vi.advanceTimersByTime(1_000);
    expect(await l.hit('a')).toMatchObject({ allowed: true, remaining: 1 });
  });

  it('reports a refusal as Retry-After in whole seconds, at least 1', async () => {
    const l = limiter(1);
    await l.hit('a');
    const seconds = retryAfterSeconds(await l.hit('a'));
    expect(Number.isInteger(seconds)).toBe(true);
    expect(seconds).toBeGreaterThanOrEqual(1);
    expect(seconds).toBeLessThanOrEqual(60);

    expect([0, 1, 999, 1_000, 1_001, 59_999, 60_000].map((retryAfterMs) => retryAfterSeconds({ retryAfterMs }))).toEqual([
      1, 1, 1, 1, 2, 60, 60,
    ]);
  });

  it('fails open on a fault of the limiter itself, and logs it', async () => {
    const { logger, lines } = captureLogger('error');
    const l = new RateLimiter({ limit: 1, logger });
    vi.spyOn(RateLimiterMemory.prototype, 'consume').mockRejectedValue(new Error('storage broke'));
    expect(await l.hit('a')).toMatchObject({ allowed: true, limit: 1 });
    expect(await l.hit('a')).toMatchObject({ allowed: true, limit: 1 });
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ msg: 'rate limiter failed; request let through', err: { message: 'storage broke' } });
  });

  it('rejects nonsense limits', () => {
    for (const limit of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => limiter(limit)).toThrow(RangeError);
    }
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
