import type { Context, MiddlewareFn } from 'grammy';
import type { Logger } from '../../logger.ts';
import type { SharedState } from '../../shared/state.ts';

/**
 * Each update handled once: Telegram delivers an update again when a webhook answer is slow or lost,
 * and with several replicas behind one webhook URL the second delivery may reach another replica. The
 * first to claim `telegram:update:<bot id>:<update_id>` handles it; a replay is acknowledged (200 on
 * the webhook) and dropped. Telegram keeps undelivered updates for 24 hours, hence the default TTL.
 */

export const UPDATE_TTL_MS = 24 * 60 * 60 * 1000;

export interface DedupeOptions {
  state: SharedState;
  /** The bot's numeric id (the token's part before the colon): update ids are per bot. */
  botId: string;
  logger: Logger;
  ttlMs?: number;
}

export function dedupeUpdates(options: DedupeOptions): MiddlewareFn<Context> {
  const ttl = options.ttlMs ?? UPDATE_TTL_MS;
  return async (ctx, next) => {
    const updateId = ctx.update.update_id;
    let first = true;
    try {
      first = await options.state.claim(`telegram:update:${options.botId}:${updateId}`, '1', ttl);
    } catch (err) {
      // Better to answer twice than not at all.
      options.logger.warn({ update_id: updateId, err }, 'telegram update de-duplication failed; handling it');
    }
    if (!first) {
      options.logger.info({ update_id: updateId }, 'telegram update delivered again; already handled');
      return;
    }
    await next();
  };
}
