import { Composer, type Context } from 'grammy';
import { isAddressed, questionText } from '../addressing.ts';
import { respond } from '../answering.ts';
import { messages } from '../messages.ts';
import { renderPlain } from '../render.ts';
import { groupReplyTarget, sendChunks } from '../send.ts';
import { examplesForChat, type Services } from '../services.ts';

/**
 * Questions. In private chats every text message is one. In groups only /ask, an @mention of the bot
 * or a reply to one of its messages is, and the answer replies to the asking message.
 */
export function ask(s: Services): Composer<Context> {
  const composer = new Composer<Context>();

  composer.command('ask', async (ctx) => {
    const question = questionText(ctx.msg, ctx.me, { dropCommand: true });
    if (!question) return void (await sendChunks(ctx, [renderPlain(messages.askUsage(firstExample(s, ctx.chat?.id)))], { replyTo: groupReplyTarget(ctx) }));
    await respond(ctx, question, s, groupReplyTarget(ctx));
  });

  // /new: start the conversation afresh (follow-ups no longer read against earlier questions).
  composer.command('new', async (ctx) => {
    await respond(ctx, '重新开始', s, groupReplyTarget(ctx));
  });

  composer.chatType('private').on('message:text', async (ctx) => {
    const first = ctx.msg.entities?.[0];
    if (first?.type === 'bot_command' && first.offset === 0) {
      await sendChunks(ctx, [renderPlain(messages.unknownCommand)]);
      return;
    }
    await respond(ctx, questionText(ctx.msg, ctx.me) || ctx.msg.text, s);
  });

  composer.chatType(['group', 'supergroup']).on('message:text', async (ctx, next) => {
    if (!isAddressed(ctx.msg, ctx.me)) return next();
    const question = questionText(ctx.msg, ctx.me);
    if (!question) {
      await sendChunks(ctx, [renderPlain(messages.mentionUsage(ctx.me.username, firstExample(s, ctx.chat?.id)))], { replyTo: ctx.msg.message_id });
      return;
    }
    await respond(ctx, question, s, ctx.msg.message_id);
  });

  return composer;
}

/** One question the chat's report answers, without its question mark (it follows a command). */
function firstExample(s: Services, chat: number | undefined): string {
  return (examplesForChat(s, chat)[0] ?? '今年有哪些重点工作?').replace(/[??]$/, '');
}
