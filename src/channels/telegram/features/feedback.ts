import { Composer, type Context } from 'grammy';
import { hashUser } from '../../../store/store.ts';
import { decodeAction } from '../callback-data.ts';
import { messages } from '../messages.ts';
import { CHANNEL, type Services } from '../services.ts';

/**
 * 👍 / 👎 under an answer: recorded in the local store with the question, the top citation and the
 * voter's hashed id, once per user and answer, and acknowledged with a short callback answer.
 */
export function feedback(s: Services): Composer<Context> {
  const composer = new Composer<Context>();
  composer.on('callback_query:data', async (ctx, next) => {
    const action = decodeAction(ctx.callbackQuery.data);
    if (!action || (action.kind !== 'up' && action.kind !== 'down')) return next();
    const entry = s.answers.get(action.token);
    if (!entry) return void (await ctx.answerCallbackQuery({ text: messages.expired }));
    const voter = hashUser(CHANNEL, ctx.from.id);
    if (entry.voters.has(voter)) return void (await ctx.answerCallbackQuery({ text: messages.feedbackAgain }));

    const top = entry.citations[0];
    try {
      s.store?.recordFeedback({
        question: entry.question,
        vote: action.kind,
        channel: CHANNEL,
        ...(top ? { section: top.section, quote: top.quote } : {}),
        userHash: voter,
      });
      entry.voters.add(voter);
    } catch (err) {
      // The user cannot fix a full disk: thank them anyway, and count it.
      s.logger.error({ err, update_id: ctx.update.update_id }, 'telegram feedback write failed');
      s.metrics?.errors.inc({ channel: CHANNEL, kind: 'feedback' });
    }
    await ctx.answerCallbackQuery({ text: messages.feedbackThanks });
  });
  return composer;
}
