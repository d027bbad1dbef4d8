import type { Context } from 'grammy';
import type { InlineKeyboardMarkup, Message, ReplyKeyboardMarkup, ReplyParameters } from 'grammy/types';

/** HTML, no link previews: every message the bot sends. */
export const HTML = { parse_mode: 'HTML', link_preview_options: { is_disabled: true } } as const;

export function isGroup(ctx: Context): boolean {
  return ctx.chat?.type === 'group' || ctx.chat?.type === 'supergroup';
}

export function replyTo(messageId: number | undefined): { reply_parameters?: ReplyParameters } {
  return messageId === undefined ? {} : { reply_parameters: { message_id: messageId, allow_sending_without_reply: true } };
}

/** In groups, the id of the message that asked (replies go to it); undefined in private chats. */
export function groupReplyTarget(ctx: Context): number | undefined {
  return isGroup(ctx) ? ctx.msg?.message_id : undefined;
}

/**
 * Sends pre-rendered HTML chunks in order: the first replies to `replyTo` (when given), the last
 * carries the keyboard.
 */
export async function sendChunks(
  ctx: Context,
  chunks: readonly string[],
  options: { replyTo?: number | undefined; keyboard?: InlineKeyboardMarkup | ReplyKeyboardMarkup | undefined } = {},
): Promise<Message.TextMessage[]> {
  const sent: Message.TextMessage[] = [];
  for (const [i, chunk] of chunks.entries()) {
    const last = i === chunks.length - 1;
    sent.push(
      await ctx.reply(chunk, {
        ...HTML,
        ...(i === 0 ? replyTo(options.replyTo) : {}),
        ...(last && options.keyboard ? { reply_markup: options.keyboard } : {}),
      }),
    );
  }
  return sent;
}
