import { createConcurrentSink, createRunner, createSource } from '@grammyjs/runner';
import { BotError, GrammyError, type Bot, type Context } from 'grammy';
import type { Update } from 'grammy/types';
import type { Logger } from '../../logger.ts';
import { ALLOWED_UPDATES } from './bot.ts';
import { backoff, describeFailure, seconds, settleWithin, sleep, withDeadline } from './signals.ts';

/**
 * Long polling on @grammyjs/runner's source and concurrent sink, with our own fetcher instead of
 * `run()`'s: each getUpdates has a deadline (the long-poll time plus a margin), the waits between
 * failed polls are capped and end at once when polling stops (the runner's own are neither, so an
 * outage could keep a stopped process alive for minutes), and failures go to the log, not stderr.
 * Updates in progress are tracked so stopping can give them a moment to finish.
 */

export interface PollingOptions {
  logger: Logger;
  token: string;
  /** Seconds Telegram holds each getUpdates open (default 30). */
  longPollSeconds?: number;
  /** Waits between failed polls (default 1 s doubling to 60 s, ±20 %). */
  retry?: { initialMs: number; maxMs: number; jitter: number };
}

export interface Polling {
  /** Stops fetching; resolves once the fetch loop has ended (in-flight updates: see `inFlight`). */
  stop(): Promise<void>;
  /** Updates being handled now. */
  inFlight(): Promise<unknown>[];
}

export function startPolling(bot: Bot<Context>, opts: PollingOptions): Polling {
  const { logger } = opts;
  const longPoll = opts.longPollSeconds ?? 30;
  const retry = opts.retry ?? { initialMs: 1000, maxMs: 60_000, jitter: 0.2 };
  let offset = 0;
  let failing = false;

  // The runner types its signal with the abort-controller shim; at run time any AbortSignal does.
  async function fetchUpdates(batchSize: number, shimSignal: unknown): Promise<Update[]> {
    const signal = shimSignal as AbortSignal;
    for (let failures = 0; ; failures++) {
      try {
        const updates = await withDeadline('getUpdates', (longPoll + 15) * 1000, signal, (s) =>
          bot.api.getUpdates({ timeout: longPoll, offset, limit: Math.max(1, Math.min(batchSize, 100)), allowed_updates: [...ALLOWED_UPDATES] }, s),
        );
        if (failing) {
          failing = false;
          logger.info('Telegram: polling again');
        }
        const last = updates.at(-1);
        if (last) offset = last.update_id + 1;
        return updates;
      } catch (err) {
        if (signal.aborted) throw err;
        // 401: the token was revoked; 409: another instance polls, or a webhook is set. Retrying will not help.
        if (err instanceof GrammyError && (err.error_code === 401 || err.error_code === 409)) throw err;
        const retryAfter = err instanceof GrammyError ? err.parameters.retry_after : undefined;
        const wait = retryAfter !== undefined ? retryAfter * 1000 : backoff(failures, retry);
        failing = true;
        const reason = describeFailure(err, opts.token);
        logger.warn({ reason, retryInMs: wait }, `Telegram: polling failed (${reason}); retrying in ${seconds(wait)} s`);
        if (!(await sleep(wait, signal))) throw err;
      }
    }
  }

  const inFlight = new Set<Promise<unknown>>();
  const source = createSource<Update>({ supply: fetchUpdates });
  const sink = createConcurrentSink<Update, unknown>(
    {
      consume: async (update) => {
        const task = bot.handleUpdate(update);
        inFlight.add(task);
        try {
          await task;
        } finally {
          inFlight.delete(task);
        }
      },
    },
    async (error) => {
      try {
        if (error instanceof BotError) await bot.errorHandler(error);
        else logger.error({ err: error }, 'telegram update failed');
      } catch (err) {
        logger.error({ err }, 'telegram error handler failed');
      }
    },
  );
  const runner = createRunner(source, sink);
  runner.start();
  // The runner gives up only on what retrying cannot fix (401 token revoked, 409 another instance).
  const finished = (runner.task() ?? Promise.resolve()).catch((err: unknown) =>
    logger.error({ err: describeFailure(err, opts.token) }, 'telegram polling stopped'),
  );

  return {
    async stop() {
      void runner.stop();
      // The fetch loop ends at once: its getUpdates and its wait are both tied to the source's signal.
      await settleWithin(finished, 2000);
    },
    inFlight: () => [...inFlight],
  };
}
