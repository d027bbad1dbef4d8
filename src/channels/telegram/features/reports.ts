import { Composer, type Context } from 'grammy';
import type { InlineKeyboardButton } from 'grammy/types';
import { decodeAction, encodeAction, reportFor } from '../callback-data.ts';
import { messages } from '../messages.ts';
import { renderReports } from '../render.ts';
import { groupReplyTarget, isGroup, sendChunks } from '../send.ts';
import { isAdmin, type Services } from '../services.ts';

/** Buttons per message: Telegram allows 100; a province-wide deployment has about 30 reports. */
const MAX_BUTTONS = 60;

/**
 * /reports: what is loaded, and — in a private chat, when there is more than one report — buttons to
 * choose the report this chat's questions are about (kept per chat; 全部报告 goes back to all, where
 * a question names its place). In groups the list is shown without buttons: one member's choice must
 * not change everyone's answers.
 */
export function reports(s: Services): Composer<Context> {
  const composer = new Composer<Context>();

  composer.command('reports', async (ctx) => {
    // Read per update: reports can be added or removed while the bot runs.
    const documents = s.engine.info.documents;
    const group = isGroup(ctx);
    const chosen = ctx.chat ? s.choices.get(ctx.chat.id) : undefined;
    const admin = !group && isAdmin(s, ctx.from?.id);
    const html = renderReports(documents, chosen, { choosable: !group && documents.length > 1, admin });
    const keyboard =
      !group && documents.length > 1
        ? {
            inline_keyboard: [
              ...documents.slice(0, MAX_BUTTONS).map((d): InlineKeyboardButton[] => [
                { text: `${d.id === chosen ? '✓ ' : ''}${d.title}`, callback_data: encodeAction({ kind: 'choose', report: d.id }) },
              ]),
              [{ text: `${chosen ? '' : '✓ '}${messages.reports.all}`, callback_data: encodeAction({ kind: 'choose' }) }],
            ],
          }
        : undefined;
    await sendChunks(ctx, [html], { replyTo: groupReplyTarget(ctx), ...(keyboard ? { keyboard } : {}) });
  });

  composer.on('callback_query:data', async (ctx, next) => {
    const action = decodeAction(ctx.callbackQuery.data);
    if (!action || action.kind !== 'choose') return next();
    if (!ctx.chat || isGroup(ctx)) return void (await ctx.answerCallbackQuery({ text: messages.expired }));
    // By id among the reports loaded now: a reload may have moved, replaced or removed it.
    const doc = action.report === undefined ? undefined : reportFor(action.report, s.engine.info.documents);
    if (action.report !== undefined && !doc) return void (await ctx.answerCallbackQuery({ text: messages.reportGone.reports }));
    s.choices.set(ctx.chat.id, doc?.id);
    const text = doc ? messages.reports.chosen(doc.title) : messages.reports.chosenAll;
    await sendChunks(ctx, [renderReportChoice(text, doc ? s.engine.examplesFor(doc.id) : s.engine.examples)], {});
    await ctx.answerCallbackQuery({ text });
  });
  return composer;
}

function renderReportChoice(text: string, examples: readonly string[]): string {
  return renderReports([], undefined, { choosable: false, note: text, examples });
}
