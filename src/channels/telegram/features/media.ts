import { Composer, type Context } from 'grammy';
import { isAddressed } from '../addressing.ts';
import { messages } from '../messages.ts';
import { renderPlain } from '../render.ts';
import { sendChunks } from '../send.ts';

/** Messages the bot cannot read: stickers, photos, voice, files and the like. */
const MEDIA = [
  'message:sticker',
  'message:photo',
  'message:voice',
  'message:audio',
  'message:document',
  'message:video',
  'message:video_note',
  'message:animation',
  'message:location',
  'message:contact',
] as const;

/**
 * Non-text messages get "请发送文字问题": always in private chats, in groups only when addressed to
 * the bot (a reply to it, or a caption mentioning it).
 */
export function media(): Composer<Context> {
  const composer = new Composer<Context>();
  composer.chatType('private').on([...MEDIA], async (ctx) => {
    await sendChunks(ctx, [renderPlain(messages.textOnly)]);
  });
  composer.chatType(['group', 'supergroup']).on([...MEDIA], async (ctx, next) => {
    const msg = ctx.message;
    if (!msg || !isAddressed(msg, ctx.me)) return next();
    await sendChunks(ctx, [renderPlain(messages.textOnly)], { replyTo: msg.message_id });
  });
  return composer;
}
