import { citationLocation } from '../../answer/format.ts';
import type { Answer, Citation, DocumentInfo } from '../../answer/types.ts';
import { escapeHtml, MESSAGE_LIMIT, spansWithHighlights, spansWithRanges, toChunks, type Block } from './html.ts';
import { messages } from './messages.ts';
import { messages as answerMessages } from '../../answer/messages.ts';

/**
 * Pure renderers: engine data in, Telegram HTML chunks out (each ≤ 4096 characters, tags balanced).
 * Nothing here talks to the network; the features send what these return.
 */

/** Quotes longer than this are collapsed behind Telegram's "show more". */
export const EXPANDABLE_AFTER = 200;

/** Refusals that already tell the user what to ask: no example list under them. */
const SELF_EXPLAINING = new Set(['chitchat', 'empty', 'which-place']);

const text = (t: string, gap: 1 | 2 = 2): Block => ({ spans: [{ text: t }], gap });
const bold = (t: string, gap: 1 | 2 = 2): Block => ({ spans: [{ text: t, marks: ['b'] }], gap });

function quoteBlock(quote: string, gap: 1 | 2 = 2): Block {
  return { spans: [{ text: quote }], quote: quote.length > EXPANDABLE_AFTER ? 'expandable' : 'plain', gap };
}

/** A verbatim quote with its location line under it. */
export function citationBlocks(c: Citation, gap: 1 | 2 = 2): Block[] {
  return [quoteBlock(c.quote, gap), text(messages.location(citationLocation(c)), 1)];
}

/** Whether the answer gets example questions under it. */
export function offersExamples(a: Answer): boolean {
  return !a.found && !SELF_EXPLAINING.has(a.reason ?? '');
}

/**
 * The answer as blocks: the answer with its figures in bold, a notice (and a note when a model
 * phrased it), then the top quote and its location (for a refusal: the closest passage under "相关内容", then example questions).
 */
export function answerBlocks(a: Answer, examples: readonly string[] = []): Block[] {
  const blocks: Block[] = [
    // How a follow-up was read comes first, so a misreading is seen before the figure.
    ...(a.interpretedAs ? [{ spans: [{ text: answerMessages.interpretedAs(a.interpretedAs), marks: ['i' as const] }] } as Block] : []),
    { spans: spansWithHighlights(a.answer, a.highlights), ...(a.interpretedAs ? { gap: 1 } : {}) },
  ];
  if (a.notice) blocks.push({ spans: [{ text: messages.notice(a.notice), marks: ['i'] }], gap: 1 });
  if (a.generatedBy) blocks.push({ spans: [{ text: messages.generated, marks: ['i'] }], gap: 1 });
  const top = a.citations[0];
  if (a.found && top) blocks.push(...citationBlocks(top));
  if (!a.found && top) blocks.push(text(messages.related), ...citationBlocks(top, 1));
  if (offersExamples(a) && examples.length) {
    blocks.push(text(messages.tryExamples), ...examples.map((q) => text(messages.example(q), 1)));
  }
  return blocks;
}

export function renderAnswer(a: Answer, examples: readonly string[] = [], limit = MESSAGE_LIMIT): string[] {
  return toChunks(answerBlocks(a, examples), limit);
}

/** The whole paragraph a quote comes from, the quoted span in bold. */
export function renderParagraph(c: Pick<Citation, 'doc' | 'section' | 'context'>, limit = MESSAGE_LIMIT): string[] {
  const { text: para, start, end } = c.context;
  return toChunks(
    [
      bold(messages.paragraph),
      { spans: spansWithRanges(para, [[start, end]]), quote: 'plain', gap: 1 },
      text(messages.location(citationLocation(c)), 1),
    ],
    limit,
  );
}

/** A paragraph chosen from the outline (nothing to mark). */
export function renderParagraphView(
  p: { doc: string; section: string; topic?: string; text: string },
  limit = MESSAGE_LIMIT,
): string[] {
  return toChunks(
    [
      ...(p.topic ? [bold(p.topic)] : []),
      { spans: [{ text: p.text }], quote: 'plain', gap: 1 },
      text(messages.location(citationLocation(p)), 1),
    ],
    limit,
  );
}

/** The citations after the first ("相关内容"). */
export function renderRelated(question: string, citations: readonly Citation[], limit = MESSAGE_LIMIT): string[] {
  const rest = citations.slice(1);
  if (!rest.length) return toChunks([text(messages.noMoreRelated)], limit);
  return toChunks([bold(messages.relatedTo(question)), ...rest.flatMap((c) => citationBlocks(c))], limit);
}

/**
 * The message an inline result posts: the question, the answer and its quote, in one message
 * (blocks that do not fit are left out, never cut mid-tag).
 */
export function renderInlineMessage(a: Answer, limit = MESSAGE_LIMIT): string {
  const blocks = [text(messages.inline.question(a.question)), ...answerBlocks(a)];
  return toChunks(blocks, limit)[0] ?? '';
}

/** One citation as a standalone inline message. */
export function renderCitationMessage(c: Citation, limit = MESSAGE_LIMIT): string {
  return toChunks(citationBlocks(c), limit)[0] ?? '';
}

/** A short plain sentence as HTML. */
export function renderPlain(sentence: string): string {
  return escapeHtml(sentence);
}

/** Cuts a line for a title or button to about `max` characters (by code points). */
export function shorten(s: string, max: number): string {
  const chars = [...s.replace(/\s+/g, ' ').trim()];
  return chars.length <= max ? chars.join('') : `${chars.slice(0, max - 1).join('')}…`;
}

export function renderStart(documents: readonly DocumentInfo[], examples: readonly string[], group: { username: string } | undefined): string {
  const blocks: Block[] = [
    text(messages.start.greeting),
    text(messages.start.documents),
    ...documents.map((d) => text(messages.start.document(d.title), 1)),
  ];
  if (group) {
    blocks.push(text(messages.start.group(group.username)));
    blocks.push(...examples.map((q) => text(messages.example(q), 1)));
  } else {
    blocks.push(text(messages.start.examples));
  }
  return toChunks(blocks)[0] ?? '';
}

/** /reports: the loaded reports, the chat's choice, and how to choose or to name a place. */
export function renderReports(
  documents: readonly DocumentInfo[],
  chosen: string | undefined,
  options: { choosable: boolean; note?: string; examples?: readonly string[]; admin?: boolean },
): string {
  const blocks: Block[] = [];
  if (options.note) blocks.push(bold(options.note));
  if (documents.length) {
    blocks.push(bold(messages.reports.title(documents.length)));
    blocks.push(...documents.map((d) => text(messages.reports.item(d.title, d.id === chosen, options.admin ? d.id : undefined), 1)));
    if (documents.length > 1) blocks.push(text(options.choosable ? messages.reports.choose : messages.reports.namePlace));
    else blocks.push(text(messages.reports.only));
    if (options.admin) blocks.push(text(messages.admin.ids));
  }
  if (options.examples?.length) {
    blocks.push(text(messages.start.examples));
    blocks.push(...options.examples.map((q) => text(messages.example(q), 1)));
  }
  return toChunks(blocks)[0] ?? '';
}

export function renderHelp(username: string): string {
  return toChunks([bold(messages.help.title), ...messages.help.lines(username).map((l) => text(l, 1))])[0] ?? '';
}

export function renderAbout(info: { documents: readonly DocumentInfo[]; indexBuiltAt: string }, version: string | undefined): string {
  const blocks: Block[] = [
    bold(messages.about.title),
    text(messages.about.sources, 1),
    ...info.documents.map((d) => text(messages.about.source(d.title, d.region, d.year), 1)),
  ];
  if (version) blocks.push(text(messages.about.version(version)));
  const when = formatBeijingTime(info.indexBuiltAt);
  if (when) blocks.push(text(messages.about.indexedAt(when), version ? 1 : 2));
  blocks.push(text(messages.about.note));
  return toChunks(blocks)[0] ?? '';
}

/** 2025-11-27T07:49:26Z → 2025-11-27 15:49 (Beijing time); '' when not a date. */
export function formatBeijingTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Asia/Shanghai',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(d)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

/** A level of the outline: its title and its entries, numbered. */
export function renderOutlineLevel(title: string, entries: readonly string[], heading: string): string {
  const blocks: Block[] = [bold(title)];
  if (!entries.length) blocks.push(text(messages.outline.empty));
  else blocks.push(text(heading), ...entries.map((e, i) => text(`${i + 1}. ${e}`, 1)));
  return toChunks(blocks)[0] ?? '';
}
