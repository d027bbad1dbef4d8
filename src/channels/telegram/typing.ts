/**
 * Shows "typing…" only when an answer is slow: the first chat action goes out after `delayMs`, then
 * every `repeatMs` (Telegram shows one for about five seconds) until the work settles. A failed chat
 * action is ignored; a pending one (e.g. waiting in auto-retry) is aborted when the work is done.
 */
export async function withTyping<T>(
  work: () => Promise<T>,
  sendTyping: (signal: AbortSignal) => Promise<unknown>,
  options: { delayMs?: number; repeatMs?: number } = {},
): Promise<T> {
  const delayMs = options.delayMs ?? 300;
  const repeatMs = options.repeatMs ?? 4500;
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const tick = (): void => {
    if (controller.signal.aborted) return;
    Promise.resolve()
      .then(() => sendTyping(controller.signal))
      .catch(() => undefined);
    timer = setTimeout(tick, repeatMs);
  };
  timer = setTimeout(tick, delayMs);
  try {
    return await work();
  } finally {
    controller.abort();
    clearTimeout(timer);
  }
}
