import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { withTyping } from '../../../src/channels/telegram/typing.ts';

// Pure timer logic, no network: fake timers are safe here.
describe('withTyping', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  function deferred<T>() {
    let resolve!: (v: T) => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
    return { promise, resolve, reject };
  }

  it('sends nothing when the work is done before the delay', async () => {
    const send = vi.fn(async () => true);
    const work = deferred<string>();
    const result = withTyping(() => work.promise, send, { delayMs: 300 });
    await vi.advanceTimersByTimeAsync(299);
    work.resolve('answer');
    await expect(result).resolves.toBe('answer');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(send).not.toHaveBeenCalled();
  });

  it('sends after the delay, repeats while working, stops and aborts when done', async () => {
    const signals: AbortSignal[] = [];
    const send = vi.fn(async (s: AbortSignal) => void signals.push(s));
    const work = deferred<string>();
    const result = withTyping(() => work.promise, send, { delayMs: 300, repeatMs: 4500 });
    await vi.advanceTimersByTimeAsync(300);
    expect(send).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(4500);
    expect(send).toHaveBeenCalledTimes(2);
    work.resolve('answer');
    await expect(result).resolves.toBe('answer');
    expect(signals[0]!.aborted).toBe(true);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(send).toHaveBeenCalledTimes(2);
  });

  it('ignores a failing chat action, thrown or rejected', async () => {
    const work = deferred<number>();
    const result = withTyping(
      () => work.promise,
      () => {
        throw new Error('sendChatAction: 500');
      },
      { delayMs: 1, repeatMs: 1 },
    );
    await vi.advanceTimersByTimeAsync(5);
    work.resolve(42);
    await expect(result).resolves.toBe(42);
    const rejected = withTyping(async () => 7, () => Promise.reject(new Error('x')), { delayMs: 0 });
    await vi.advanceTimersByTimeAsync(1);
    await expect(rejected).resolves.toBe(7);
  });

  it('passes the work’s error through', async () => {
    const result = withTyping(() => Promise.reject(new Error('engine down')), async () => true);
    await expect(result).rejects.toThrow('engine down');
  });
});
