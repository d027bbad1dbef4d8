import { Composer, GrammyError, type Context } from 'grammy';
import type { InlineKeyboardButton, InlineKeyboardMarkup } from 'grammy/types';
import type { ChannelEngine } from '../../../answer/engine.ts';
import type { OutlineNode } from '../../../answer/types.ts';
import { checkOf, decodeAction, reportFor, type ButtonAction } from '../callback-data.ts';
import { button } from '../keyboards.ts';
import { messages } from '../messages.ts';
import { renderOutlineLevel, renderParagraphView, shorten } from '../render.ts';
import { groupReplyTarget, HTML, sendChunks } from '../send.ts';
import type { Services } from '../services.ts';

/**
 * /outline: the report's section tree, one level per message edit. A section's buttons open its
 * subsections; a section made of topic paragraphs lists the topics, and a topic button shows its
 * paragraph. Buttons name the report by id with the node's path of child indexes (`n:1.4:<check>:<id>`)
 * or a paragraph (`s:26:<check>:<id>`), so they open the same passage after a reload that adds or
 * removes other reports, and say the report is gone when it was removed or replaced.
 */

interface Entry {
  label: string;
  button: InlineKeyboardButton;
}

interface Level {
  title: string;
  heading: string;
  entries: Entry[];
  /** Where "« 返回" leads, if anywhere. */
  back?: ButtonAction;
}

/** Where an outline level is: a report, and the child indexes from its top down to the node. */
export interface OutlinePlace {
  report: string;
  path: readonly number[];
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

/** The report's outline node at `place`, with the titles on the way down to it. */
function nodeAt(roots: readonly OutlineNode[], place: OutlinePlace): { doc: OutlineNode; node: OutlineNode; titles: string[] } | undefined {
  const doc = roots.find((r) => r.docId === place.report);
  if (!doc) return undefined;
  let node: OutlineNode = doc;
  const titles: string[] = [];
  for (const i of place.path) {
    const child: OutlineNode | undefined = node.children[i];
    if (!child) return undefined;
    node = child;
    titles.push(child.title);
  }
  return { doc, node, titles };
}

const nodeButton = (label: string, report: string, path: number[], node: OutlineNode): InlineKeyboardButton =>
  button(label, { kind: 'outline', report, path, check: checkOf(node.title) });

const showButton = (label: string, report: string, paragraph: number, text: string): InlineKeyboardButton =>
  button(label, { kind: 'show', report, paragraph, check: checkOf(text) });

/** The level at `place`; without one, the list of reports (or the only report's top). */
export function levelAt(engine: ChannelEngine, roots: readonly OutlineNode[], place?: OutlinePlace): Level | undefined {
  const single = roots.length === 1;
  if (!place) {
    if (single) return levelAt(engine, roots, { report: roots[0]!.docId, path: [] });
    return {
      title: messages.outline.title(roots.map((r) => r.title).join('、')),
      heading: messages.outline.pick,
      entries: roots.map((r) => ({ label: r.title, button: nodeButton(shorten(r.title, BUTTON_CHARS), r.docId, [], r) })),
    };
  }
  const found = nodeAt(roots, place);
  if (!found) return undefined;
  const { doc, node, titles } = found;
  const report = doc.docId;
  const path = [...place.path];
  const parent = path.length ? nodeAt(roots, { report, path: path.slice(0, -1) })!.node : undefined;
  const back: ButtonAction | undefined = parent
    ? { kind: 'outline', report, path: path.slice(0, -1), check: checkOf(parent.title) }
    : single
      ? undefined
      : { kind: 'outlines' };
  const title = path.length === 0 ? messages.outline.title(doc.title) : node.title;

  let entries: Entry[];
  if (node.children.length) {
    entries = node.children.map((c, i) => ({
      label: c.title,
      button: isTopic(c)
        ? showButton(shorten(c.title, BUTTON_CHARS), report, c.paragraph!, engine.paragraph(report, c.paragraph!)?.text ?? '')
        : nodeButton(shorten(c.title, BUTTON_CHARS), report, [...path, i], c),
    }));
  } else {
    entries = paragraphsOf(engine, report, titles.join(' › ')).map((p, i) => {
      const label = messages.outline.paragraphN(i + 1, shorten(p.text, 30));
      return { label, button: showButton(shorten(label, BUTTON_CHARS), report, p.n, p.text) };
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
  if (level.back) rows.push([button(messages.buttons.back, level.back)]);
  return {
    html: renderOutlineLevel(level.title, level.entries.map((e) => e.label), level.heading),
    keyboard: { inline_keyboard: rows },
  };
}

export function outline(s: Services): Composer<Context> {
  const composer = new Composer<Context>();
  const roots = (): OutlineNode[] => s.engine.outline();

  composer.command('outline', async (ctx) => {
    const level = levelAt(s.engine, roots());
    if (!level) return;
    const { html, keyboard } = levelMessage(level);
    await sendChunks(ctx, [html], { replyTo: groupReplyTarget(ctx), keyboard });
  });

  composer.on('callback_query:data', async (ctx, next) => {
    const action = decodeAction(ctx.callbackQuery.data);
    if (!action || (action.kind !== 'outlines' && action.kind !== 'outline' && action.kind !== 'show')) return next();
    const gone = (): Promise<true> => ctx.answerCallbackQuery({ text: messages.reportGone.outline });
    // The report is found by id among those loaded now; the check tells whether it still says
    // what the button was made for.
    const report = action.kind === 'outlines' ? undefined : reportFor(action.report, s.engine.info.documents)?.id;

    if (action.kind === 'show') {
      if (!ctx.chat) return void (await ctx.answerCallbackQuery({ text: messages.expired }));
      const p = report === undefined ? undefined : s.engine.paragraph(report, action.paragraph);
      if (!p || checkOf(p.text) !== action.check) return void (await gone());
      await sendChunks(ctx, renderParagraphView(p), { replyTo: ctx.callbackQuery.message?.message_id });
      await ctx.answerCallbackQuery();
      return;
    }

    if (!ctx.callbackQuery.message) return void (await ctx.answerCallbackQuery({ text: messages.expired }));
    const outline = roots();
    let place: OutlinePlace | undefined;
    if (action.kind === 'outline') {
      place = report === undefined ? undefined : { report, path: action.path };
      const found = place && nodeAt(outline, place);
      if (!found || checkOf(found.node.title) !== action.check) return void (await gone());
    }
    const level = levelAt(s.engine, outline, place);
    if (!level) return void (await gone());
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
