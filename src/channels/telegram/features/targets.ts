import { Composer, type Context } from 'grammy';
import { monospaceLines, targetsTable } from '../../../targets/command.ts';
import { escapeHtml, MESSAGE_LIMIT } from '../html.ts';
import { messages } from '../messages.ts';
import { renderPlain } from '../render.ts';
import { groupReplyTarget, isGroup, sendChunks } from '../send.ts';
import type { Services } from '../services.ts';

/** Room left in a message for the title, the note and the <pre> tags. */
const TABLE_BUDGET = MESSAGE_LIMIT - 600;

/**
 * /targets [地区] [指标]: the targets as a compact monospace table (split across messages under
 * Telegram's 4096 characters), with a button to the web view when PUBLIC_URL is set.
 */
export function targets(s: Services, publicUrl?: string): Composer<Context> {
  const composer = new Composer<Context>();
  composer.command('targets', async (ctx) => {
    const chosen = ctx.chat && !isGroup(ctx) ? s.choices.get(ctx.chat.id) : undefined;
    const table = targetsTable(s.engine, String(ctx.match ?? ''), chosen);
    const replyTo = groupReplyTarget(ctx);
    if (!table) return void (await sendChunks(ctx, [renderPlain(messages.targets.unknown)], { replyTo }));
    const chunks: string[] = [];
    let lines: string[] = [];
    const flush = (): void => {
      if (lines.length) chunks.push(`<pre>${escapeHtml(lines.join('\n'))}</pre>`);
      lines = [];
    };
    for (const line of monospaceLines(table)) {
      if (escapeHtml([...lines, line].join('\n')).length > TABLE_BUDGET) flush();
      lines.push(line);
    }
    flush();
    chunks[0] = `<b>${escapeHtml(table.title)}</b>\n${chunks[0] ?? ''}`;
    if (table.note) chunks[chunks.length - 1] += `\n${escapeHtml(table.note)}`;
    const keyboard = publicUrl ? { inline_keyboard: [[{ text: messages.targets.web, url: `${publicUrl}/targets?${table.query}` }]] } : undefined;
    await sendChunks(ctx, chunks, { replyTo, ...(keyboard ? { keyboard } : {}) });
  });
  return composer;
}
