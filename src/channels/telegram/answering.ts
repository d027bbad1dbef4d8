import type { Context } from 'grammy';
import { hashUser } from '../../store/store.ts';
import { answerKeyboard, pickExamples } from './keyboards.ts';
import { renderAnswer } from './render.ts';
import { sendChunks } from './send.ts';
import { CHANNEL, type Services } from './services.ts';
import { withTyping } from './typing.ts';

/**
 * The conversation a message belongs to: a private chat, or one member's thread in a group (so two
 * members' follow-ups never mix).
 */
export function conversationOf(ctx: Context): string | undefined {
  if (!ctx.chat) return undefined;
  if (ctx.chat.type === 'private') return `chat:${ctx.chat.id}`;
  const thread = ctx.msg?.message_thread_id;
  return ctx.from ? `chat:${ctx.chat.id}:${thread ?? 0}:user:${ctx.from.id}` : undefined;
}

/**
 * Answers one question in the current chat: checks the user's rate limit, asks the engine (with
 * "typing…" if it is slow), keeps the answer for its buttons, and sends the rendered chunks.
 * In groups `replyTo` is the asking message. Resolves to false when the rate limit held it back.
 */
export async function respond(ctx: Context, question: string, s: Services, replyTo?: number): Promise<boolean> {
  let answered = false;
  await s.limiter(ctx, async () => {
    const userId = ctx.from ? hashUser(CHANNEL, ctx.from.id) : undefined;
    const report = ctx.chat ? s.choices.get(ctx.chat.id) : undefined;
    const answer = await withTyping(
      () => s.ask(question, { channel: CHANNEL, ...(userId ? { userId } : {}), ...(report ? { report } : {}), ...(conversationOf(ctx) ? { conversationId: conversationOf(ctx)! } : {}) }),
      // grammY types its own AbortSignal shim; the runtime object is the standard one.
      (signal) => ctx.replyWithChatAction('typing', {}, signal as unknown as Parameters<Context['replyWithChatAction']>[2]),
      { delayMs: s.typingDelayMs },
    );
    const examples = answer.found ? [] : pickExamples(report ? s.engine.examplesFor(report) : s.engine.examples, answer.question);
    const token = s.answers.put({ question: answer.question, found: answer.found, citations: answer.citations });
    await sendChunks(ctx, renderAnswer(answer, examples.map((e) => e.text)), {
      replyTo,
      keyboard: answerKeyboard(answer, token, examples),
    });
    answered = true;
  });
  return answered;
}
