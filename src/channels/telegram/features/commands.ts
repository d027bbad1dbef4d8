import { Composer, type Context } from 'grammy';
import type { ReplyKeyboardMarkup } from 'grammy/types';
import { messages } from '../messages.ts';
import { renderAbout, renderHelp, renderStart } from '../render.ts';
import { groupReplyTarget, isGroup, sendChunks } from '../send.ts';
import type { Services } from '../services.ts';

/** /start, /help and /about. (/ask lives with the questions, /outline with the outline.) */
export function commands(s: Services): Composer<Context> {
  const composer = new Composer<Context>();

  composer.command('start', async (ctx) => {
    const group = isGroup(ctx);
    const html = renderStart(s.engine.info.documents, s.engine.examples, group ? { username: ctx.me.username } : undefined);
    const keyboard: ReplyKeyboardMarkup | undefined = group
      ? undefined
      : {
          keyboard: s.engine.examples.map((q) => [{ text: q }]),
          resize_keyboard: true,
          input_field_placeholder: messages.start.placeholder,
        };
    await sendChunks(ctx, [html], { replyTo: groupReplyTarget(ctx), keyboard });
  });

  composer.command('help', async (ctx) => {
    await sendChunks(ctx, [renderHelp(ctx.me.username)], { replyTo: groupReplyTarget(ctx) });
  });

  composer.command('about', async (ctx) => {
    await sendChunks(ctx, [renderAbout(s.engine.info, s.version)], { replyTo: groupReplyTarget(ctx) });
  });

  return composer;
}
