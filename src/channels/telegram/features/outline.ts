import { Composer, GrammyError, type Context } from 'grammy';
import type { InlineKeyboardButton, InlineKeyboardMarkup } from 'grammy/types';
import type { ChannelEngine } from '../../../answer/engine.ts';
import type { OutlineNode } from '../../../answer/types.ts';
import { decodeAction } from '../callback-data.ts';
import { button } from '../keyboards.ts';
import { messages } from '../messages.ts';
import { renderOutlineLevel, renderParagraphView, shorten } from '../render.ts';
import { groupReplyTarget, HTML, sendChunks } from '../send.ts';
import type { Services } from '../services.ts';

/**
 * /outline: the report's section tree, one level per message edit. A section's buttons open its
 * subsections; a section made of topic paragraphs lists the topics, and a topic button shows its
 * paragraph. Buttons carry the node's path of child indexes (`o:0.1.4`) or a paragraph (`g:0:26`).
 */

interface Entry {
  label: string;
  button: InlineKeyboardButton;
}

interface Level {
  title: string;
  heading: string;
  entries: Entry[];
  /** Path of the level "« 返回" leads to, if any. */
  back?: number[];
}

const BUTTON_CHARS = 24;

/** A level-3 node is a topic paragraph of its section. */
const isTopic = (n: OutlineNode): boolean => n.level === 3 && n.paragraph !== undefined;

/** The paragraphs filed under exactly this section (for sections without outline children). */
function paragraphsOf(engine: ChannelEngine, docId: string, section: string): Array<{ n: number; text: string }> {
  const out: Array<{ n: number; text: string }> = [];
  for (let n = 0; n < 100_000; n++) {
    const p = engine.paragraph(docId, n);
    if (!p) break;
    if (p.section === section && p.text.trim() !== section.split(' › ').pop()) out.push({ n, text: p.text });
  }
  return out;
}

export function levelAt(engine: ChannelEngine, roots: readonly OutlineNode[], path: readonly number[]): Level | undefined {
  const single = roots.length === 1;
  if (path.length === 0) {
    if (single) return levelAt(engine, roots, [0]);
    return {
      title: messages.outline.title(roots.map((r) => r.title).join('、')),
      heading: messages.outline.pick,
      entries: roots.map((r, i) => ({ label: r.title, button: button(shorten(r.title, BUTTON_CHARS), { kind: 'outline', path: [i] }) })),
    };
  }
  const docIdx = path[0]!;
  const doc = roots[docIdx];
  if (!doc) return undefined;
  let node: OutlineNode = doc;
  const titles: string[] = [];
  for (const i of path.slice(1)) {
    const child: OutlineNode | undefined = node.children[i];
    if (!child) return undefined;
    node = child;
    titles.push(child.title);
  }
  const back = path.length > 1 ? path.slice(0, -1) : single ? undefined : [];
  const title = path.length === 1 ? messages.outline.title(doc.title) : node.title;

  let entries: Entry[];
  if (node.children.length) {
    entries = node.children.map((c, i) => ({
      label: c.title,
      button: isTopic(c)
        ? button(shorten(c.title, BUTTON_CHARS), { kind: 'show', doc: docIdx, paragraph: c.paragraph! })
        : button(shorten(c.title, BUTTON_CHARS), { kind: 'outline', path: [...path, i] }),
    }));
  } else {
    entries = paragraphsOf(engine, doc.docId, titles.join(' › ')).map((p, i) => {
      const label = messages.outline.paragraphN(i + 1, shorten(p.text, 30));
      return { label, button: button(shorten(label, BUTTON_CHARS), { kind: 'show', doc: docIdx, paragraph: p.n }) };
    });
  }
  const topicsOnly = node.children.length > 0 && node.children.every(isTopic);
  return {
    title,
    heading: topicsOnly || !node.children.length ? messages.outline.topics : messages.outline.pick,
    entries,
    ...(back ? { back } : {}),
  };
}

function levelMessage(level: Level): { html: string; keyboard: InlineKeyboardMarkup } {
  const rows = level.entries.map((e) => [e.button]);
  if (level.back) rows.push([button(messages.buttons.back, { kind: 'outline', path: level.back })]);
  return {
    html: renderOutlineLevel(level.title, level.entries.map((e) => e.label), level.heading),
    keyboard: { inline_keyboard: rows },
  };
}

export function outline(s: Services): Composer<Context> {
  const composer = new Composer<Context>();
  const roots = (): OutlineNode[] => s.engine.outline();

  composer.command('outline', async (ctx) => {
    const level = levelAt(s.engine, roots(), []);
    if (!level) return;
    const { html, keyboard } = levelMessage(level);
    await sendChunks(ctx, [html], { replyTo: groupReplyTarget(ctx), keyboard });
  });

  composer.on('callback_query:data', async (ctx, next) => {
    const action = decodeAction(ctx.callbackQuery.data);
    if (!action || (action.kind !== 'outline' && action.kind !== 'show')) return next();

    if (action.kind === 'show') {
      const doc = roots()[action.doc];
      const p = doc ? s.engine.paragraph(doc.docId, action.paragraph) : undefined;
      if (!p || !ctx.chat) return void (await ctx.answerCallbackQuery({ text: messages.expired }));
      await sendChunks(ctx, renderParagraphView(p), { replyTo: ctx.callbackQuery.message?.message_id });
      await ctx.answerCallbackQuery();
      return;
    }

    const level = levelAt(s.engine, roots(), action.path);
    if (!level || !ctx.callbackQuery.message) return void (await ctx.answerCallbackQuery({ text: messages.expired }));
    const { html, keyboard } = levelMessage(level);
    try {
      await ctx.editMessageText(html, { ...HTML, reply_markup: keyboard });
    } catch (err) {
      // Tapping the level already shown: nothing to change.
      if (!(err instanceof GrammyError && /not modified/i.test(err.description))) throw err;
    }
    await ctx.answerCallbackQuery();
  });

  return composer;
}
