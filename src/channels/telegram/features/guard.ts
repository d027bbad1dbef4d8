import { Composer, type Context } from 'grammy';

/**
 * Drops what the bot never answers: channel posts, edits, messages from other bots (anonymous group
 * admins excepted), channel posts auto-forwarded into a discussion group, and the bot's own inline
 * results posted back into a chat.
 */
export function guard(): Composer<Context> {
  const composer = new Composer<Context>();
  composer.use((ctx, next) => {
    if (ctx.channelPost || ctx.editedChannelPost || ctx.editedMessage) return;
    const msg = ctx.message;
    if (msg) {
      const anonymousAdmin = msg.sender_chat !== undefined && msg.sender_chat.id === msg.chat.id;
      if (msg.from?.is_bot && !anonymousAdmin) return;
      if (msg.is_automatic_forward) return;
      if (msg.via_bot && msg.via_bot.id === ctx.me.id) return;
    }
    return next();
  });
  return composer;
}
