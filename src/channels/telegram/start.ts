import { webhookCallback, type Bot } from 'grammy';
import type { Context as HonoContext } from 'hono';
import type { Logger } from '../../logger.ts';
import { ALLOWED_UPDATES } from './bot.ts';
import { messages } from './messages.ts';
import { startPolling } from './polling.ts';
import { apiCutter, type ApiSignal, backoff, describeFailure, isTokenRefused, seconds, settleWithin, sleep, withDeadline } from './signals.ts';

export interface StartOptions {
  /** TELEGRAM_WEBHOOK_URL: webhook mode when set, long polling otherwise. */
  webhookUrl?: string;
  /** TELEGRAM_WEBHOOK_SECRET: checked against X-Telegram-Bot-Api-Secret-Token. */
  webhookSecret?: string;
  logger: Logger;
  /** Deadline for each Bot API call while connecting (getMe, setMyCommands, setWebhook, deleteWebhook); default 5 s. */
  callTimeoutMs?: number;
  /** Waits between attempts to connect: `initialMs` doubling up to `maxMs`, each spread by ±`jitter` (default 2 s → 60 s, ±20 %). */
  retry?: { initialMs?: number; maxMs?: number; jitter?: number };
  /** How long stopping lets updates in progress finish before their Bot API calls are cut (default 1.5 s). */
  stopGraceMs?: number;
}

/** The bot once connected. */
export interface RunningTelegram {
  mode: 'polling' | 'webhook';
  username: string;
  /** In webhook mode: mount `handler` for POST at `path` on the HTTP server. */
  webhook?: { path: string; handler: (c: HonoContext) => Promise<Response> };
  /** Stops polling or the webhook, lets updates in progress finish briefly, then cuts what is left. Idempotent. */
  stop(): Promise<void>;
}

export type TelegramStatus = 'connecting' | 'retrying' | 'on' | 'off' | 'stopped';

/** The Telegram channel as the process sees it: connecting in the background until it is on. */
export interface TelegramChannel {
  readonly mode: 'polling' | 'webhook';
  readonly status: TelegramStatus;
  /** The bot's @name, once on. */
  readonly username: string | undefined;
  /**
   * In webhook mode, once on: the handler to serve at `path`. Undefined until then: answer 503, and
   * Telegram delivers the update again later.
   */
  readonly webhook: RunningTelegram['webhook'];
  /** Resolves with the running bot once it is on; rejects if it goes off (token refused) or is stopped first. */
  ready(): Promise<RunningTelegram>;
  /**
   * Cancels the wait between attempts and any start-up call in flight, then stops the running bot.
   * Resolves within about two seconds even while the Bot API is unreachable. Idempotent.
   */
  stop(): Promise<void>;
}

export const DEFAULT_CALL_TIMEOUT_MS = 5000;
export const DEFAULT_RETRY = { initialMs: 2000, maxMs: 60_000, jitter: 0.2 } as const;
const DEFAULT_STOP_GRACE_MS = 1500;

export const NO_SECRET_WARNING =
  'webhook without a secret: anyone who learns the URL can post updates; set TELEGRAM_WEBHOOK_SECRET';

/**
 * Starts the Telegram channel without waiting for Telegram: logs "Telegram: connecting…" at once and
 * connects in the background (`connectTelegram`), retrying with exponential backoff and jitter while
 * the Bot API is unreachable ("Telegram: not reachable yet (reason); retrying in N s") until it is
 * on ("Telegram: on, @name (mode)"). A refused token ends the attempts ("Telegram: off, …").
 *
 * ```ts
 * const telegram = startTelegram(bot, { webhookUrl, webhookSecret, logger }); // returns at once
 * app.post(path, (c) => telegram.webhook?.handler(c) ?? c.json({ error: 'starting' }, 503));
 * await telegram.stop(); // on shutdown
 * ```
 */
export function startTelegram(bot: Bot, opts: StartOptions): TelegramChannel {
  const { logger } = opts;
  const mode = opts.webhookUrl ? 'webhook' : 'polling';
  const retry = { ...DEFAULT_RETRY, ...opts.retry };
  const cancel = new AbortController();
  let status: TelegramStatus = 'connecting';
  let running: RunningTelegram | undefined;
  let stopping: Promise<void> | undefined;

  let resolveReady!: (r: RunningTelegram) => void;
  let rejectReady!: (err: Error) => void;
  const ready = new Promise<RunningTelegram>((resolve, reject) => {
    resolveReady = resolve;
    rejectReady = reject;
  });
  // Nobody need wait for it: a rejection nobody asked about is not an error.
  ready.catch(() => {});

  logger.info({ mode }, 'Telegram: connecting…');
  if (mode === 'webhook' && !opts.webhookSecret) logger.warn({ webhook: opts.webhookUrl }, NO_SECRET_WARNING);

  const loop = async (): Promise<void> => {
    for (let failures = 0; !cancel.signal.aborted; failures++) {
      try {
        const r = await connectTelegram(bot, opts, cancel.signal);
        if (cancel.signal.aborted) {
          await r.stop();
          return;
        }
        running = r;
        status = 'on';
        logger.info({ username: r.username, mode: r.mode, attempts: failures + 1 }, `Telegram: on, @${r.username} (${r.mode})`);
        resolveReady(r);
        return;
      } catch (err) {
        if (cancel.signal.aborted) return;
        const reason = describeFailure(err, bot.token);
        if (isTokenRefused(err)) {
          status = 'off';
          logger.error({ reason }, `Telegram: off, the Bot API refused the token (${reason}); check TELEGRAM_BOT_TOKEN`);
          rejectReady(new Error(`Telegram refused the token: ${reason}`));
          return;
        }
        const wait = backoff(failures, retry);
        status = 'retrying';
        logger.warn({ reason, attempt: failures + 1, retryInMs: wait }, `Telegram: not reachable yet (${reason}); retrying in ${seconds(wait)} s`);
        await sleep(wait, cancel.signal);
      }
    }
  };
  const attempts = loop().catch((err: unknown) => {
    status = 'off';
    logger.error({ err }, 'Telegram: off, the bot could not start');
    rejectReady(err instanceof Error ? err : new Error(String(err)));
  });

  return {
    mode,
    get status() {
      return status;
    },
    get username() {
      return running?.username;
    },
    get webhook() {
      return status === 'on' ? running?.webhook : undefined;
    },
    ready: () => ready,
    stop() {
      stopping ??= (async () => {
        const was = status;
        status = 'stopped';
        cancel.abort();
        // Start-up calls end at once on abort; the cap only guards against a call that ignores it.
        await settleWithin(attempts, 1000);
        if (running) await running.stop();
        // Whatever is still waiting on the Bot API (a start-up call, a handler's reply) ends now.
        apiCutter(bot)();
        rejectReady(new Error('Telegram stopped'));
        if (was !== 'on' && was !== 'off') logger.info('Telegram: stopped before it was on');
      })();
      return stopping;
    },
  };
}

/**
 * One attempt to connect: `getMe`, the command menu (failure ignored), then either `setWebhook` and a
 * hono handler for the HTTP server, or `deleteWebhook` and long polling. Every call has a deadline
 * (`callTimeoutMs`) and ends when `signal` aborts. Rejects on the first failure.
 */
export async function connectTelegram(bot: Bot, opts: StartOptions, signal?: AbortSignal): Promise<RunningTelegram> {
  const { logger } = opts;
  const ms = opts.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
  const grace = opts.stopGraceMs ?? DEFAULT_STOP_GRACE_MS;
  const cut = apiCutter(bot);
  const call = <T>(method: string, fn: (s: ApiSignal) => Promise<T>): Promise<T> => withDeadline(method, ms, signal, fn);

  // Not bot.init(): it retries a network failure for ever, with no deadline and no way to stop it.
  if (!bot.isInited()) bot.botInfo = await call('getMe', (s) => bot.api.getMe(s));
  const username = bot.botInfo.username;

  const commands = messages.commands.map((c) => ({ command: c.command, description: c.description }));
  await call('setMyCommands', (s) => bot.api.setMyCommands(commands, {}, s)).catch((err: unknown) => {
    if (signal?.aborted) throw err;
    logger.warn({ reason: describeFailure(err, bot.token) }, 'telegram setMyCommands failed; continuing');
  });

  /** Waits for updates in progress, at most `grace`; then cuts their Bot API calls and waits briefly again. */
  const drain = async (inFlight: () => Promise<unknown>[]): Promise<void> => {
    if (await settleWithin(Promise.allSettled(inFlight()), grace)) return;
    logger.warn({ updates: inFlight().length }, 'telegram updates still in progress at shutdown; cutting their Bot API calls');
    cut();
    await settleWithin(Promise.allSettled(inFlight()), 500);
  };

  if (opts.webhookUrl) {
    const webhookUrl = opts.webhookUrl;
    const path = new URL(webhookUrl).pathname;
    await call('setWebhook', (s) =>
      bot.api.setWebhook(
        webhookUrl,
        { allowed_updates: [...ALLOWED_UPDATES], ...(opts.webhookSecret ? { secret_token: opts.webhookSecret } : {}) },
        s,
      ),
    );
    const callback = webhookCallback(bot, 'hono', {
      ...(opts.webhookSecret ? { secretToken: opts.webhookSecret } : {}),
      // Answer Telegram before its own timeout; the update finishes in the background rather than
      // being delivered again.
      onTimeout: 'return',
      timeoutMilliseconds: 9_000,
    });
    const inFlight = new Set<Promise<Response>>();
    let closed = false;
    const handler = async (c: HonoContext): Promise<Response> => {
      // Stopping: Telegram delivers the update again, to this replica's successor or another one.
      if (closed) return c.json({ error: 'stopping' }, 503);
      const task = (async () => {
        try {
          return await callback(c);
        } catch (err) {
          // A body that is not JSON did not come from Telegram.
          if (err instanceof SyntaxError) {
            logger.warn({ err }, 'telegram webhook body is not JSON');
            return c.body(null, 400);
          }
          // Handler errors stop at the bot's error boundary; anything reaching here is answered 200
          // all the same, so Telegram does not deliver the same update again and again.
          logger.error({ err }, 'telegram webhook request failed');
          return c.body(null, 200);
        }
      })();
      inFlight.add(task);
      try {
        return await task;
      } finally {
        inFlight.delete(task);
      }
    };
    let stopped: Promise<void> | undefined;
    logger.info({ username, mode: 'webhook', path }, 'telegram bot started');
    return {
      mode: 'webhook',
      username,
      webhook: { path, handler },
      stop() {
        stopped ??= (async () => {
          closed = true;
          await drain(() => [...inFlight]);
        })();
        return stopped;
      },
    };
  }

  // A webhook left over from an earlier run would make getUpdates fail with 409.
  await call('deleteWebhook', (s) => bot.api.deleteWebhook({}, s));
  if (signal?.aborted) throw new Error('Telegram stopped');
  const polling = startPolling(bot, { logger, token: bot.token });
  let stopped: Promise<void> | undefined;
  logger.info({ username, mode: 'polling' }, 'telegram bot started');
  return {
    mode: 'polling',
    username,
    stop() {
      stopped ??= (async () => {
        await polling.stop();
        await drain(polling.inFlight);
      })();
      return stopped;
    },
  };
}
