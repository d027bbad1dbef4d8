import { GrammyError, HttpError, type Api, type Bot } from 'grammy';

/**
 * Deadlines and cancellation for Bot API calls: nothing the bot asks of Telegram may wait for ever,
 * and stopping must end every call still waiting (a request held open by an unreachable Bot API
 * would otherwise keep the process alive long after "stopped").
 */

/** The signal type grammY's methods take (the abort-controller shim's); any AbortSignal does at run time. */
export type ApiSignal = NonNullable<Parameters<Api['getMe']>[0]>;

/** A start-up call that got no answer in time. */
export class DeadlineError extends Error {
  constructor(
    readonly method: string,
    readonly ms: number,
  ) {
    super(`${method}: no answer within ${seconds(ms)} s`);
    this.name = 'DeadlineError';
  }
}

/** One signal aborted when any of `signals` is; `dispose()` detaches it from them. */
export function linkSignals(...signals: Array<AbortSignal | undefined>): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const abort = (): void => controller.abort();
  const live = signals.filter((s): s is AbortSignal => s !== undefined);
  for (const s of live) {
    if (s.aborted) controller.abort();
    else s.addEventListener('abort', abort, { once: true });
  }
  return {
    signal: controller.signal,
    dispose: () => {
      for (const s of live) s.removeEventListener('abort', abort);
    },
  };
}

/**
 * Runs one Bot API call with a deadline (and `outer`, which cancels it): the call gets a signal that
 * aborts at whichever comes first. A call that ran out of time throws `DeadlineError`.
 */
export async function withDeadline<T>(method: string, ms: number, outer: AbortSignal | undefined, call: (signal: ApiSignal) => Promise<T>): Promise<T> {
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), ms);
  timer.unref();
  const linked = linkSignals(deadline.signal, outer);
  try {
    return await call(linked.signal as unknown as ApiSignal);
  } catch (err) {
    if (deadline.signal.aborted && !outer?.aborted) throw new DeadlineError(method, ms);
    throw err;
  } finally {
    clearTimeout(timer);
    linked.dispose();
  }
}

/** Waits `ms`; resolves early (with false) when `signal` aborts. The timer never holds the process. */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const done = (completed: boolean): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(completed);
    };
    const onAbort = (): void => done(false);
    const timer = setTimeout(() => done(true), ms);
    timer.unref();
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Resolves when `task` settles or after `ms`, whichever is first; true when it settled. */
export async function settleWithin(task: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
    timer.unref();
  });
  try {
    return await Promise.race([task.then(() => true, () => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Exponential backoff with jitter: `initialMs` doubled per failure up to `maxMs`, then each wait
 * spread by ±`jitter` (a fraction) so replicas that lost Telegram together do not return together.
 */
export function backoff(failures: number, o: { initialMs: number; maxMs: number; jitter: number; random?: () => number }): number {
  const base = Math.min(o.maxMs, o.initialMs * 2 ** Math.max(0, failures));
  const spread = base * o.jitter * (2 * (o.random ?? Math.random)() - 1);
  return Math.max(0, Math.round(Math.min(o.maxMs, base + spread)));
}

export function seconds(ms: number): string {
  const s = ms / 1000;
  return Number.isInteger(s) ? String(s) : s.toFixed(1);
}

const NETWORK_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'DNS lookup failed',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EPIPE: 'connection closed',
  CERT_HAS_EXPIRED: 'TLS certificate expired',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'TLS certificate not trusted',
  SELF_SIGNED_CERT_IN_CHAIN: 'TLS certificate not trusted',
};

/**
 * Why a Bot API call failed, in a few words for a log line, never with the token (the request URL
 * carries it): "getMe: no answer within 5 s", "getMe: connection refused (ECONNREFUSED)",
 * "setWebhook: 400 Bad Request: bad webhook: …".
 */
export function describeFailure(err: unknown, token?: string): string {
  let text: string;
  if (err instanceof DeadlineError) text = err.message;
  else if (err instanceof GrammyError) text = `${err.method}: ${err.error_code} ${err.description}`;
  else if (err instanceof HttpError) {
    const cause = err.error as { code?: unknown; message?: unknown; type?: unknown } | undefined;
    const code = typeof cause?.code === 'string' ? cause.code : undefined;
    const method = /'([^']+)'/.exec(err.message)?.[1] ?? 'request';
    const status = /\((\d{3}: [^)]*)\)/.exec(err.message)?.[1];
    text = code
      ? `${method}: ${NETWORK_CODES[code] ?? 'network error'} (${code})`
      : status
        ? `${method}: HTTP ${status}`
        : `${method}: ${typeof cause?.message === 'string' ? cause.message : 'network error'}`;
  } else text = err instanceof Error ? err.message : String(err);
  return redact(text, token);
}

function redact(text: string, token: string | undefined): string {
  let out = token ? text.split(token).join('***') : text;
  // Any token-shaped path segment (…/bot123:ABC…/getMe), whatever the token.
  out = out.replace(/bot\d+:[\w-]+/g, 'bot***');
  return out;
}

/** Refusals that retrying cannot fix: the token is wrong or revoked. */
export function isTokenRefused(err: unknown): boolean {
  return err instanceof GrammyError && (err.error_code === 401 || err.error_code === 404);
}

const cutters = new WeakMap<Bot, AbortController>();

/**
 * Installs, once per bot, an outermost API transformer that links every Bot API call (the bot's own
 * and every handler's `ctx.api`) to one "shutdown" signal, and returns a function that aborts them
 * all. Handlers still waiting on an unreachable Bot API then fail at once (and are logged) instead
 * of holding the process open until the client's own 500 s timeout.
 */
export function apiCutter(bot: Bot): () => void {
  let controller = cutters.get(bot);
  if (!controller) {
    const c = new AbortController();
    controller = c;
    cutters.set(bot, c);
    bot.api.config.use(async (prev, method, payload, signal) => {
      // grammY types its signals with the abort-controller shim; at run time any AbortSignal does.
      const linked = linkSignals(signal as unknown as AbortSignal | undefined, c.signal);
      try {
        return await prev(method, payload, linked.signal as unknown as typeof signal);
      } finally {
        linked.dispose();
      }
    });
  }
  const c = controller;
  return () => c.abort();
}
