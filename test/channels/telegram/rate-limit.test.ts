import type { Context } from 'grammy';
import { describe, expect, it } from 'vitest';
import { questionLimiter } from '../../../src/channels/telegram/rate-limit.ts';
import { MemoryState } from '../../../src/shared/state.ts';

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

  it('counts a user across limiters that share one state (replicas), notifying once', async () => {
    let now = 0;
    const state = new MemoryState({ now: () => now });
    const events: Array<{ replica: string; notify: boolean }> = [];
    const passed: string[] = [];
    const replica = (name: string) => {
      const mw = questionLimiter({ limit: 2, windowMs: 10_000, state, onLimited: async (_ctx, notify) => void events.push({ replica: name, notify }) });
      return (user: number) => mw({ from: { id: user, is_bot: false, first_name: 'u' } } as Context, async () => void passed.push(name));
    };
    const a = replica('a');
    const b = replica('b');
    await a(7);
    await b(7);
    await a(7);
    await b(7);
    expect(passed).toEqual(['a', 'b']);
    expect(events).toEqual([
      { replica: 'a', notify: true },
      { replica: 'b', notify: false },
    ]);
    // The window started at the first question, on replica a; it ends for both.
    now = 10_000;
    await b(7);
    expect(passed).toEqual(['a', 'b', 'b']);
  });
});
