import { citationLocation } from '../../answer/format.ts';
import type { Answer } from '../../answer/types.ts';
import { messages } from './messages.ts';
import { messages as answerMessages } from '../../answer/messages.ts';

/**
 * Answers as WeChat / WeCom plain text: the answer first, then each quote in 「」 with the line that
 * says where it stands. Both platforms take at most 2048 bytes of UTF-8 per text message, so a long
 * answer becomes pages cut on sentence boundaries; every page but the last ends with the "更多" hint.
 * Pure functions: no clock, no I/O.
 *
 * ```ts
 * answerPages(await ask('今年新增多少托位'), examples);
 * // ['增加普惠托位300个,…\n\n原文:\n「深入推进儿童友好城区建设,…」\n—— 市北区2025年政府工作报告 › …']
 * ```
 */

/** The platforms' limit for one text message, in bytes of UTF-8. */
export const MAX_MESSAGE_BYTES = 2048;

export function renderAnswer(answer: Answer, examples: readonly string[] = [], lead?: string): string {
  const head = [...(lead ? [lead] : []), ...(answer.interpretedAs ? [`(${answerMessages.interpretedAs(answer.interpretedAs)})`] : []), answer.answer.trim()];
  if (answer.notice) head.push(`(${answer.notice})`);
  const blocks = [head.join('\n')];
  answer.citations.forEach((c, i) => {
    const quote = `「${c.quote.trim()}」\n—— ${citationLocation(c)}`;
    const header = answer.found ? messages.quotesFound : messages.quotesRelated;
    blocks.push(i === 0 ? `${header}\n${quote}` : quote);
  });
  if (!answer.found && answer.reason === 'not-found' && answer.citations.length === 0 && examples.length > 0) {
    blocks.push(messages.tryExamples(examples.slice(0, 2)));
  }
  return blocks.join('\n\n');
}

/** `renderAnswer` cut into messages of at most `maxBytes`. */
export function answerPages(answer: Answer, examples: readonly string[] = [], maxBytes = MAX_MESSAGE_BYTES, lead?: string): string[] {
  return paginate(renderAnswer(answer, examples, lead), maxBytes);
}

export function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/**
 * Cuts text into pages of at most `maxBytes` bytes of UTF-8 each, hint included. Cuts prefer, in
 * order: a line break in the second half of the page, the end of a sentence (。!?; with any closing
 * quote), a clause mark (,、:), white space, and only then any character boundary.
 */
export function paginate(text: string, maxBytes = MAX_MESSAGE_BYTES, hint: string = messages.moreHint): string[] {
  const suffix = `\n\n${hint}`;
  const budget = maxBytes - utf8Length(suffix);
  if (budget < 16) throw new RangeError(`maxBytes ${maxBytes} leaves no room for text`);
  const pages: string[] = [];
  let rest = text.trim();
  while (rest) {
    if (utf8Length(rest) <= maxBytes) {
      pages.push(rest);
      break;
    }
    const cut = cutPoint(rest, fittingPrefix(rest, budget));
    pages.push(`${rest.slice(0, cut).trimEnd()}${suffix}`);
    rest = rest.slice(cut).trimStart();
  }
  return pages;
}

/** Length in UTF-16 units of the longest prefix within `budget` bytes that never splits a code point. */
function fittingPrefix(text: string, budget: number): number {
  let bytes = 0;
  let i = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    if (bytes > budget) break;
    i += ch.length;
  }
  return i;
}

const SENTENCE_END = new Set(['。', '!', '?', '！', '？', ';', '；', '…']);
const CLOSERS = new Set(['”', '’', '」', '』', ')', '）', '》', '】', '"', "'"]);
const CLAUSE = new Set([',', ',', '、', ':', ':']);

/**
 * Where to cut `text` within its first `limit` UTF-16 units; always in 1..limit. The first boundary in
 * the second half of the page wins, in the order block, sentence, line, clause, space; failing that the
 * latest block, sentence or line; then the latest clause or space; then the limit itself.
 */
function cutPoint(text: string, limit: number): number {
  if (text[limit] === '\n') return limit;
  let block = 0;
  let sentence = 0;
  let line = 0;
  let clause = 0;
  let space = 0;
  for (let i = limit - 1; i > 0; i--) {
    const ch = text[i]!;
    if (ch === '\n') {
      if (!line) line = i;
      if (!block && text[i - 1] === '\n') block = i - 1;
    } else if (!sentence && SENTENCE_END.has(ch)) {
      let end = i + 1;
      while (end < limit && CLOSERS.has(text[end]!)) end++;
      sentence = end;
    } else if (!clause && CLAUSE.has(ch)) {
      clause = i + 1;
    } else if (!space && /\s/.test(ch)) {
      space = i;
    }
  }
  const half = limit / 2;
  const preferred = [block, sentence, line, clause, space].find((p) => p >= half);
  if (preferred) return preferred;
  const boundary = Math.max(block, sentence, line) || Math.max(clause, space);
  // No boundary at all: cut at the limit, which fittingPrefix keeps off surrogate pairs.
  return boundary > 0 ? boundary : limit;
}
