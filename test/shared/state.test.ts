import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSharedState, MemoryState, type SharedState } from '../../src/shared/state.ts';
import { captureLogger } from '../server/support.ts';
import { startRedis, type TestRedis } from '../helpers/redis.ts';

/** Shared state in memory and in a real Redis, and what happens while Redis is away. */
let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

async function behaves(state: SharedState): Promise<void> {
  expect(await state.claim('a', '1', 60_000)).toBe(true);
  expect(await state.claim('a', '2', 60_000)).toBe(false);
  expect(await state.get('a')).toBe('1');
  await state.set('b', 'x', 60_000);
  expect(await state.get('b')).toBe('x');
  await state.del('b');
  expect(await state.get('b')).toBeUndefined();
  expect(await state.incr('n', 60_000)).toBe(1);
  expect(await state.incr('n', 60_000)).toBe(2);
}

describe('shared state', () => {
  it('in memory: claim once, get, set, del, incr, expiry', async () => {
    let t = 0;
    const m = new MemoryState({ now: () => t });
    await behaves(m);
    t += 60_001;
    expect(await m.get('a')).toBeUndefined();
    expect(await m.claim('a', '3', 1000)).toBe(true);
  });

  it('in Redis: the same, and two processes (clients) see each other’s claims', async () => {
    const { logger } = captureLogger();
    const prefix = `test:${process.pid}:${Date.now()}:`;
    const a = createSharedState({ redisUrl: redis.url, prefix, logger });
    const b = createSharedState({ redisUrl: redis.url, prefix, logger });
    await behaves(a);
    expect(await b.claim('a', 'other', 60_000)).toBe(false);
    expect(await b.get('a')).toBe('1');
    expect(await b.incr('n', 60_000)).toBe(3);
    await a.close();
    await b.close();
  });

  it('Redis stopped: answers from memory, logs once, counts each fallback; back when Redis is', async () => {
    const { logger, lines } = captureLogger();
    const fallbacks: string[] = [];
    const state = createSharedState({ redisUrl: redis.url, prefix: `down:${Date.now()}:`, logger, onFallback: (op) => fallbacks.push(op) });
    expect(await state.claim('k', '1', 60_000)).toBe(true);
    await redis.stop();
    expect(await state.claim('m', '1', 60_000)).toBe(true);
    expect(await state.claim('m', '1', 60_000)).toBe(false);
    expect(await state.incr('c', 60_000)).toBe(1);
    expect(fallbacks.length).toBeGreaterThanOrEqual(3);
    expect(lines.filter((l) => /Redis is unavailable/.test(String(l.msg)))).toHaveLength(1);
    expect(state.healthy()).toBe(false);
    await redis.start();
    let back = false;
    for (let i = 0; i < 100 && !back; i++) {
      back = await state.claim(`probe${i}`, '1', 1000).then(() => state.healthy());
      if (!back) await new Promise((r) => setTimeout(r, 100));
    }
    expect(back).toBe(true);
    expect(lines.some((l) => /Redis is back/.test(String(l.msg)))).toBe(true);
    await state.close();
  }, 30_000);
});
