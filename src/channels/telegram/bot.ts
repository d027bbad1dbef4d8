import { autoRetry } from '@grammyjs/auto-retry';
import { sequentialize } from '@grammyjs/runner';
import { Bot, Composer, type BotError, type Context, type Transformer } from 'grammy';
import type { ChannelEngine } from '../../answer/engine.ts';
import type { AskFn } from '../../answer/types.ts';
import type { Logger } from '../../logger.ts';
import type { Metrics } from '../../observability/metrics.ts';
import type { ChannelStore } from '../../store/query-log.ts';
import { AnswerCache } from './cache.ts';
import { ask } from './features/ask.ts';
import { commands } from './features/commands.ts';
import { feedback } from './features/feedback.ts';
import { followups } from './features/followups.ts';
import { guard } from './features/guard.ts';
import { inline } from './features/inline.ts';
import { media } from './features/media.ts';
import { outline } from './features/outline.ts';
import { dedupeUpdates } from './dedupe.ts';
import { messages } from './messages.ts';
import { renderPlain } from './render.ts';
import { questionLimiter } from './rate-limit.ts';
import { groupReplyTarget, HTML, replyTo } from './send.ts';
import { CHANNEL, chatChoices, type Services } from './services.ts';
import { reports } from './features/reports.ts';
import { admin } from './features/admin.ts';
import { targets } from './features/targets.ts';
import type { ReportLibrary } from '../../ingest/library.ts';
import { MemoryState, type SharedState } from '../../shared/state.ts';

export interface TelegramDeps {
  token: string;
  /** A self-hosted Bot API server (TELEGRAM_API_ROOT), without a trailing slash. */
  apiRoot?: string;
  /** Where files are downloaded from (`<root>/file/bot<token>/<path>`); default apiRoot, else Telegram's. */
  fileApiRoot?: string;
  /**
   * An ask that writes no query log, for inline previews while someone types (only the result they
   * choose is logged). Default: the engine's own ask.
   */
  preview?: AskFn;
  /** The engine's ask, usually wrapped by instrumentAsk. */
  ask: AskFn;
  engine: ChannelEngine;
  /** Where 👍 / 👎 go; without it feedback is acknowledged but not kept. */
  store?: ChannelStore;
  metrics?: Metrics;
  logger: Logger;
  /** The web page's address from outside (PUBLIC_URL), for buttons that open it. */
  publicUrl?: string;
  /** Shown by /about. */
  version?: string;
  /**
   * Reports management for ADMIN_IDS: a document sent in private chat is added, /remove removes, and
   * `reload` makes the change live. Without it documents get the usual "text only" reply.
   */
  admin?: AdminDeps;
  /** Questions per user per window; default 5 per 10 s. */
  rateLimit?: { limit: number; windowMs: number };
  /**
   * State shared by the replicas of one deployment (`createSharedState` with REDIS_URL): which updates
   * were handled (a replay reaching any replica is dropped) and each user's question count. Default:
   * this process's memory, as for a single replica.
   */
  state?: SharedState;
}

/** Seams for tests and special deployments; not part of the wiring in main. */
export interface BotInternals {
  /**
   * Transformers installed beneath auto-retry, i.e. between the retry logic and the network: a
   * stand-in for Bot API methods the server lacks, or a recorder of every attempt.
   */
  transport?: Transformer[];
  /** Delay before "typing…" (default 300 ms). */
  typingDelayMs?: number;
  /** Answers kept for their buttons (default 2000). */
  answerCacheSize?: number;
}

export interface AdminDeps {
  /** Telegram user ids (ADMIN_IDS). */
  ids: readonly string[];
  library: Pick<ReportLibrary, 'add' | 'remove'>;
  /** Resolves once the serving engine holds the change. */
  reload(reason: string): Promise<'swapped' | 'unchanged' | 'failed'>;
}

export const DEFAULT_RATE_LIMIT = { limit: 5, windowMs: 10_000 } as const;

/** Every update type the bot handles; passed to getUpdates and setWebhook. */
export const ALLOWED_UPDATES = ['message', 'callback_query', 'inline_query', 'chosen_inline_result'] as const;

/**
 * The Telegram bot on grammY: one Composer per feature behind one error boundary, auto-retry for
 * 429 and 5xx, each update handled once, per-chat ordering, a per-user question limit. Not started:
 * see `startTelegram`.
 *
 * ```ts
 * const bot = createTelegramBot({ token, ask, engine, store, metrics, logger, state });
 * const telegram = startTelegram(bot, { logger }); // connects in the background
 * ```
 */
export function createTelegramBot(deps: TelegramDeps, internals: BotInternals = {}): Bot {
  const bot = new Bot(deps.token, { client: deps.apiRoot ? { apiRoot: deps.apiRoot.replace(/\/+$/, '') } : {} });

  // Beneath auto-retry: what the retries call.
  if (internals.transport?.length) bot.api.config.use(...internals.transport);
  // Retry 429 (after retry_after, up to a minute) and 5xx (3 s, 6 s, 12 s); a dead network fails fast.
  bot.api.config.use(autoRetry({ maxRetryAttempts: 3, maxDelaySeconds: 60, rethrowHttpErrors: true }));

  const rate = deps.rateLimit ?? DEFAULT_RATE_LIMIT;
  const services: Services = {
    ask: deps.ask,
    engine: deps.engine,
    ...(deps.store ? { store: deps.store } : {}),
    ...(deps.metrics ? { metrics: deps.metrics } : {}),
    logger: deps.logger,
    ...(deps.version ? { version: deps.version } : {}),
    ...(deps.admin ? { admin: deps.admin } : {}),
    answers: new AnswerCache(internals.answerCacheSize),
    choices: chatChoices(deps.store),
    typingDelayMs: internals.typingDelayMs ?? 300,
    limiter: questionLimiter({
      limit: rate.limit,
      windowMs: rate.windowMs,
      ...(deps.state ? { state: deps.state } : {}),
      onLimited: async (ctx, notify) => {
        deps.metrics?.rateLimited.inc({ channel: CHANNEL });
        deps.logger.info({ update_id: ctx.update.update_id, notify }, 'telegram question rate-limited');
        if (!notify) return;
        if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text: messages.rateLimited });
        else await ctx.reply(renderPlain(messages.rateLimited), { ...HTML, ...replyTo(groupReplyTarget(ctx)) });
      },
    }),
  };

  const onError = errorHandler(deps);
  // A replay of an update already handled (here or by another replica) is acknowledged and dropped.
  bot.use(dedupeUpdates({ state: deps.state ?? new MemoryState(), botId: deps.token.split(':')[0]!, logger: deps.logger }));
  // Updates of one chat in order (matters under the runner; harmless with webhooks).
  bot.use(sequentialize((ctx: Context) => ctx.chat?.id.toString()));
  bot.errorBoundary(
    onError,
    guard(),
    commands(services),
    reports(services),
    admin(services, { token: deps.token, fileRoot: (deps.fileApiRoot ?? deps.apiRoot ?? 'https://api.telegram.org').replace(/\/+$/, '') }),
    outline(services),
    targets(services, deps.publicUrl),
    ask(services),
    followups(services),
    feedback(services),
    inline(services, { ...(deps.state ? { state: deps.state } : {}), ...(deps.preview ? { preview: deps.preview } : {}) }),
    media(),
    unknownCallbacks(),
  );
  bot.catch(onError);
  return bot;
}

/** Buttons this bot did not make (or no longer understands). */
function unknownCallbacks(): Composer<Context> {
  const composer = new Composer<Context>();
  composer.on('callback_query', (ctx) => ctx.answerCallbackQuery({ text: messages.expired }));
  return composer;
}

/**
 * The one error boundary: logs the update id and the cause, counts it, and tells the user briefly
 * that something went wrong (never what). A failing apology is only logged.
 */
function errorHandler(deps: TelegramDeps): (err: BotError<Context>) => Promise<void> {
  return async (err) => {
    const ctx = err.ctx;
    deps.logger.error({ update_id: ctx.update.update_id, err: err.error }, 'telegram update failed');
    deps.metrics?.errors.inc({ channel: CHANNEL, kind: 'handler' });
    try {
      if (ctx.inlineQuery) await ctx.answerInlineQuery([], { cache_time: 0 });
      else if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text: messages.apology });
      else if (ctx.chat && ctx.msg) await ctx.reply(renderPlain(messages.apology), { ...HTML, ...replyTo(groupReplyTarget(ctx)) });
    } catch (apologyErr) {
      deps.logger.warn({ update_id: ctx.update.update_id, err: apologyErr }, 'telegram apology failed');
    }
  };
}
