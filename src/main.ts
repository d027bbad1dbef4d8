import { timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { createTelegramBot, startTelegram } from './channels/telegram/index.ts';
import { createWechatRoutes, wechatStatus } from './channels/wechat/index.ts';
import type { Config } from './config.ts';
import { plainText, targetsTable } from './targets/command.ts';
import type { Logger } from './logger.ts';
import { runWeb, type RunningWeb } from './server/index.ts';

type TelegramRun = Awaited<ReturnType<typeof startTelegram>>;

/**
 * `npm start`, the main job: the web page and the API, plus every channel that is configured, in one
 * process sharing one engine, one query log and one metrics registry. The first log lines say which
 * channels are on and why the others are off.
 */
export async function main(config: Config, logger: Logger): Promise<RunningWeb> {
  const webhookPath = config.TELEGRAM_WEBHOOK_URL ? new URL(config.TELEGRAM_WEBHOOK_URL).pathname : undefined;
  let telegram: TelegramRun | undefined;
  let bot: ReturnType<typeof createTelegramBot> | undefined;

  const web = await runWeb(config, logger, {
    mount(app, services) {
      const wechat = wechatStatus(config);
      if (wechat.wechat.enabled || wechat.wecom.enabled) {
        app.route(
          '/',
          createWechatRoutes({
            ask: services.ask,
            config,
            logger,
            metrics: services.metrics,
            state: services.state,
            examples: () => services.engine.examples,
            ...(config.WECOM_ADMIN_IDS.length
              ? { uploads: { library: services.library, reload: (reason: string) => services.reloader.reload(reason) } }
              : {}),
            targets: (args) => {
              const table = targetsTable(services.engine, args);
              return table ? plainText(table) : undefined;
            },
          }),
        );
      }
      if (config.TELEGRAM_BOT_TOKEN) {
        bot = createTelegramBot({
          token: config.TELEGRAM_BOT_TOKEN,
          ...(config.TELEGRAM_API_ROOT ? { apiRoot: config.TELEGRAM_API_ROOT } : {}),
          ask: services.ask,
          preview: (q, o) => services.engine.ask(q, o),
          engine: services.engine,
          store: services.store,
          state: services.state,
          metrics: services.metrics,
          logger,
          version: services.version,
          ...(config.PUBLIC_URL ? { publicUrl: config.PUBLIC_URL } : {}),
          ...(config.ADMIN_IDS.length
            ? { admin: { ids: config.ADMIN_IDS, library: services.library, reload: (reason: string) => services.reloader.reload(reason) } }
            : {}),
        });
        // The route must exist before the server listens; the handler arrives once the bot has started.
        if (webhookPath) {
          app.post(webhookPath, (c: Context) => {
            // The secret is checked before the body is read: a wrong one costs nothing.
            const secret = config.TELEGRAM_WEBHOOK_SECRET;
            if (secret && !sameSecret(c.req.header('X-Telegram-Bot-Api-Secret-Token'), secret)) return c.body(null, 401);
            return telegram?.webhook ? telegram.webhook.handler(c) : c.json({ error: 'starting' }, 503);
          });
        }
      }
    },
    async onStop() {
      await telegram?.stop();
    },
  });

  if (bot) {
    // Not awaited: the web page and the API serve while Telegram connects, retries in the background
    // (an air-gapped office, a blocked Bot API) or is on. It logs "Telegram: connecting…" now, then
    // "Telegram: on, @name (mode)" or why not yet; stopping cancels whatever is still pending.
    telegram = startTelegram(bot, {
      ...(config.TELEGRAM_WEBHOOK_URL ? { webhookUrl: config.TELEGRAM_WEBHOOK_URL } : {}),
      ...(config.TELEGRAM_WEBHOOK_SECRET ? { webhookSecret: config.TELEGRAM_WEBHOOK_SECRET } : {}),
      logger,
    });
  } else {
    logger.info('Telegram: off, TELEGRAM_BOT_TOKEN not set');
  }
  const wechat = wechatStatus(config);
  logger.info(`WeChat Official Account: ${wechat.wechat.why}`);
  logger.info(`WeCom: ${wechat.wecom.why}`);
  logger.info(
    config.LLM_PROVIDER === 'none'
      ? 'LLM phrasing: off, LLM_PROVIDER not set (answers are extractive)'
      : `LLM phrasing: on, ${config.LLM_PROVIDER}:${config.LLM_MODEL} behind the grounding guard`,
  );
  logger.info(`Embeddings: ${web.services.engine.info.embedder}`);
  return web;
}

/** Compares a presented secret with the configured one in constant time. */
function sameSecret(presented: string | undefined, secret: string): boolean {
  const a = Buffer.from(presented ?? '');
  const b = Buffer.from(secret);
  return a.length === b.length && timingSafeEqual(a, b);
}
