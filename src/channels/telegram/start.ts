import { run, type RunnerHandle } from '@grammyjs/runner';
import { webhookCallback, type Bot } from 'grammy';
import type { Context as HonoContext } from 'hono';
import type { Logger } from '../../logger.ts';
import { ALLOWED_UPDATES } from './bot.ts';
import { messages } from './messages.ts';

export interface StartOptions {
  /** TELEGRAM_WEBHOOK_URL: webhook mode when set, long polling otherwise. */
  webhookUrl?: string;
  /** TELEGRAM_WEBHOOK_SECRET: checked against X-Telegram-Bot-Api-Secret-Token. */
  webhookSecret?: string;
  logger: Logger;
}

export interface RunningTelegram {
  mode: 'polling' | 'webhook';
  username: string;
  /** In webhook mode: mount `handler` for POST at `path` on the HTTP server. */
  webhook?: { path: string; handler: (c: HonoContext) => Promise<Response> };
  stop(): Promise<void>;
}

/**
 * Starts the bot: `getMe`, the command menu (failure ignored), then either `setWebhook` and a hono
 * handler for the HTTP server, or long polling with @grammyjs/runner. `stop()` ends polling, or
 * waits for webhook updates in progress.
 */
export async function startTelegram(bot: Bot, opts: StartOptions): Promise<RunningTelegram> {
  const { logger } = opts;
  await bot.init();
  const username = bot.botInfo.username;

  const commands = messages.commands.map((c) => ({ command: c.command, description: c.description }));
  await bot.api.setMyCommands(commands).catch((err: unknown) => logger.warn({ err }, 'telegram setMyCommands failed; continuing'));

  if (opts.webhookUrl) {
    const path = new URL(opts.webhookUrl).pathname;
    await bot.api.setWebhook(opts.webhookUrl, {
      allowed_updates: [...ALLOWED_UPDATES],
      ...(opts.webhookSecret ? { secret_token: opts.webhookSecret } : {}),
    });
    const callback = webhookCallback(bot, 'hono', {
      ...(opts.webhookSecret ? { secretToken: opts.webhookSecret } : {}),
      // Answer Telegram before its own timeout; the update finishes in the background rather than
      // being delivered again.
      onTimeout: 'return',
      timeoutMilliseconds: 9_000,
    });
    const inFlight = new Set<Promise<Response>>();
    const handler = async (c: HonoContext): Promise<Response> => {
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
    logger.info({ username, mode: 'webhook', path }, 'telegram bot started');
    return {
      mode: 'webhook',
      username,
      webhook: { path, handler },
      async stop() {
        await Promise.allSettled([...inFlight]);
      },
    };
  }

  // A webhook left over from an earlier run would make getUpdates fail with 409.
  await bot.api.deleteWebhook();
  const runner: RunnerHandle = run(bot, { runner: { fetch: { allowed_updates: [...ALLOWED_UPDATES] } } });
  // The runner gives up only on what retrying cannot fix (401 token revoked, 409 another instance).
  const finished = (runner.task() ?? Promise.resolve()).catch((err: unknown) =>
    logger.error({ err }, 'telegram polling stopped'),
  );
  logger.info({ username, mode: 'polling' }, 'telegram bot started');
  return {
    mode: 'polling',
    username,
    async stop() {
      void runner.stop();
      await finished;
    },
  };
}
