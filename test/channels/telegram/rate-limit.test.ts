import type { Context } from 'grammy';
import { describe, expect, it } from 'vitest';
import { questionLimiter, WindowStore } from '../../../src/channels/telegram/rate-limit.ts';

describe('WindowStore', () => {
  it('counts per key in a window that starts at the first hit', async () => {
    let now = 1_000;
    const store = new WindowStore(() => now);
    expect(await store.incr('a')).toBe(1);
    await store.pexpire('a', 100);
    now = 1_050;
    expect(await store.incr('a')).toBe(2);
    expect(await store.incr('b')).toBe(1);
    expect(store.count('a')).toBe(2);
    now = 1_100;
    expect(store.count('a')).toBe(0);
    expect(await store.incr('a')).toBe(1);
  });
});

describe('questionLimiter', () => {
  function harness(limit: number, windowMs: number) {
    let now = 0;
    const events: Array<{ user: number; notify: boolean }> = [];
    const passed: number[] = [];
    const mw = questionLimiter({
      limit,
      windowMs,
      now: () => now,
      onLimited: async (ctx, notify) => void events.push({ user: ctx.from!.id, notify }),
    });
    const ask = async (user: number) => {
      const ctx = { from: { id: user, is_bot: false, first_name: 'u' } } as Context;
      await mw(ctx, async () => void passed.push(user));
    };
    return { ask, events, passed, tick: (ms: number) => (now += ms) };
  }

  it('lets `limit` questions through per window, notifies once, counts every refusal', async () => {
    const h = harness(2, 10_000);
    for (let i = 0; i < 5; i++) await h.ask(1);
    expect(h.passed).toEqual([1, 1]);
    expect(h.events).toEqual([
      { user: 1, notify: true },
      { user: 1, notify: false },
      { user: 1, notify: false },
    ]);
  });

  it('limits users separately and opens a new window when the old one ends', async () => {
    const h = harness(1, 1_000);
    await h.ask(1);
    await h.ask(1);
    await h.ask(2);
    expect(h.passed).toEqual([1, 2]);
    h.tick(1_000);
    await h.ask(1);
    await h.ask(1);
    expect(h.passed).toEqual([1, 2, 1]);
    expect(h.events.filter((e) => e.notify)).toHaveLength(2);
  });
});
