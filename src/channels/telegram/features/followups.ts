import { Composer, type Context } from 'grammy';
import { respond } from '../answering.ts';
import { decodeAction } from '../callback-data.ts';
import { messages } from '../messages.ts';
import { renderParagraph, renderRelated } from '../render.ts';
import { groupReplyTarget, sendChunks } from '../send.ts';
import { examplesForChat, type Services } from '../services.ts';

/**
 * The buttons under an answer that show more: 原文段落 (the whole paragraph, the quote in bold),
 * 相关内容 (the next citations), and the example questions offered after a refusal. The callback is
 * answered after the reply is sent, so a failure surfaces as the apology instead.
 */
export function followups(s: Services): Composer<Context> {
  const composer = new Composer<Context>();
  composer.on('callback_query:data', async (ctx, next) => {
    const action = decodeAction(ctx.callbackQuery.data);
    if (!action || (action.kind !== 'paragraph' && action.kind !== 'related' && action.kind !== 'example')) return next();
    const replyTo = ctx.callbackQuery.message?.message_id;

    if (action.kind === 'example') {
      const question = examplesForChat(s, ctx.chat?.id)[action.index];
      if (!question || !ctx.chat) return void (await ctx.answerCallbackQuery({ text: messages.expired }));
      // When rate-limited, the limiter has already answered the callback with its notice.
      if (await respond(ctx, question, s, groupReplyTarget(ctx))) await ctx.answerCallbackQuery();
      return;
    }

    const entry = s.answers.get(action.token);
    const top = entry?.citations[0];
    const chunks = !entry ? undefined : action.kind === 'related' ? renderRelated(entry.question, entry.citations) : top && renderParagraph(top);
    if (!chunks || !ctx.chat) return void (await ctx.answerCallbackQuery({ text: messages.expired }));
    await sendChunks(ctx, chunks, { replyTo });
    await ctx.answerCallbackQuery();
  });
  return composer;
}
