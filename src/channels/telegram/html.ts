/**
 * Telegram HTML as data. A message is a list of `Block`s (a line of text, a quote); a block is a list
 * of `Span`s (plain text with optional marks). Rendering escapes every span on its own, so user and
 * report text can never open a tag or break an entity, and splitting works on text offsets, so a
 * chunk boundary never falls inside a tag.
 *
 * ```ts
 * toChunks([{ spans: spansWithHighlights('增加托位300个', ['300个']) }]);
 * // ['增加托位<b>300个</b>']
 * ```
 */

export type Mark = 'b' | 'i' | 'u';

export interface Span {
  text: string;
  marks?: readonly Mark[];
}

export interface Block {
  spans: Span[];
  /** A quote, collapsed behind "show more" when `expandable`. */
  quote?: 'plain' | 'expandable';
  /** Newlines between this block and the one before it in the same message (default 2). */
  gap?: 1 | 2;
}

/** Telegram's limit for a message text. */
export const MESSAGE_LIMIT = 4096;

/** Escapes the three characters Telegram HTML requires escaped outside tags. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}

const escapedLength = (c: string): number => (c === '&' ? 5 : c === '<' || c === '>' ? 4 : c.length);

function openTags(marks: readonly Mark[] | undefined): string {
  return (marks ?? []).map((m) => `<${m}>`).join('');
}

function closeTags(marks: readonly Mark[] | undefined): string {
  return [...(marks ?? [])].reverse().map((m) => `</${m}>`).join('');
}

function quoteTags(block: Block): [string, string] {
  if (block.quote === 'expandable') return ['<blockquote expandable>', '</blockquote>'];
  if (block.quote === 'plain') return ['<blockquote>', '</blockquote>'];
  return ['', ''];
}

export function renderBlock(block: Block): string {
  const [open, close] = quoteTags(block);
  let out = open;
  for (const s of block.spans) {
    if (!s.text) continue;
    out += openTags(s.marks) + escapeHtml(s.text) + closeTags(s.marks);
  }
  return out + close;
}

/** Plain text of a block (what the reader sees). */
export function blockText(block: Block): string {
  return block.spans.map((s) => s.text).join('');
}

/**
 * Spans of `text` with every occurrence of each highlight marked. Highlights that do not occur are
 * ignored; overlapping ones merge. Matching runs on the raw text, before escaping.
 */
export function spansWithHighlights(text: string, highlights: readonly string[], mark: Mark = 'b'): Span[] {
  const ranges: Array<[number, number]> = [];
  for (const h of new Set(highlights)) {
    if (!h) continue;
    for (let at = text.indexOf(h); at >= 0; at = text.indexOf(h, at + h.length)) ranges.push([at, at + h.length]);
  }
  return spansWithRanges(text, ranges, mark);
}

/** Spans of `text` with the given [start, end) ranges marked (clipped to the text; overlaps merge). */
export function spansWithRanges(text: string, ranges: ReadonlyArray<readonly [number, number]>, mark: Mark = 'b'): Span[] {
  const sorted = ranges
    .map(([s, e]) => [Math.max(0, s), Math.min(text.length, e)] as [number, number])
    .filter(([s, e]) => e > s)
    .sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const r of sorted) {
    const last = merged[merged.length - 1];
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else merged.push(r);
  }
  const spans: Span[] = [];
  let at = 0;
  for (const [s, e] of merged) {
    if (s > at) spans.push({ text: text.slice(at, s) });
    spans.push({ text: text.slice(s, e), marks: [mark] });
    at = e;
  }
  if (at < text.length) spans.push({ text: text.slice(at) });
  return spans;
}

/** The part [start, end) of a block's text, keeping marks and the quote style. */
function sliceBlock(block: Block, start: number, end: number): Block {
  const spans: Span[] = [];
  let at = 0;
  for (const s of block.spans) {
    const from = Math.max(start, at);
    const to = Math.min(end, at + s.text.length);
    if (to > from) spans.push({ text: s.text.slice(from - at, to - at), ...(s.marks ? { marks: s.marks } : {}) });
    at += s.text.length;
  }
  return { ...block, spans };
}

/** Where a long block may be cut, best first: after a line break, a sentence, a clause. */
const BREAKS = [/\n/g, /[。!?！？;；…]+[”’」』)]?/g, /[,，、:：]/g];

/**
 * Splits one block into blocks that each render within `limit` characters, cutting after a line
 * break where possible, else after a sentence, else after a clause, else between characters (never
 * inside a surrogate pair).
 */
export function splitBlock(block: Block, limit: number): Block[] {
  if (renderBlock(block).length <= limit) return [block];
  const text = blockText(block);
  const [open, close] = quoteTags(block);
  const fixed = open.length + close.length;

  // prefix[i] = rendered length of text[0, i) without tags; span overheads added per piece.
  const prefix = new Array<number>(text.length + 1);
  prefix[0] = 0;
  for (let i = 0; i < text.length; i++) prefix[i + 1] = prefix[i]! + escapedLength(text[i]!);
  const spanBounds: Array<{ start: number; end: number; overhead: number }> = [];
  let at = 0;
  for (const s of block.spans) {
    spanBounds.push({ start: at, end: at + s.text.length, overhead: openTags(s.marks).length + closeTags(s.marks).length });
    at += s.text.length;
  }
  const lengthOf = (s: number, e: number): number => {
    let n = fixed + prefix[e]! - prefix[s]!;
    for (const b of spanBounds) if (Math.min(e, b.end) > Math.max(s, b.start)) n += b.overhead;
    return n;
  };
  const candidates = BREAKS.map((re) => [...text.matchAll(re)].map((m) => m.index + m[0].length));

  const pieces: Block[] = [];
  let start = 0;
  while (start < text.length) {
    let end = -1;
    if (lengthOf(start, text.length) <= limit) end = text.length;
    for (const cuts of candidates) {
      if (end > start) break;
      for (const c of cuts) {
        if (c <= start) continue;
        if (lengthOf(start, c) > limit) break;
        end = c;
      }
    }
    if (end <= start) {
      // No natural break fits: the longest prefix that does, at least one code point.
      let lo = start + 1;
      let hi = text.length;
      while (lo < hi) {
        const mid = Math.ceil((lo + hi) / 2);
        if (lengthOf(start, mid) <= limit) lo = mid;
        else hi = mid - 1;
      }
      end = lo;
      const code = text.charCodeAt(end - 1);
      if (code >= 0xd800 && code <= 0xdbff && end < text.length) end = end - 1 > start ? end - 1 : end + 1;
    }
    pieces.push(sliceBlock(block, start, end));
    start = end;
  }
  return pieces.map((p, i) => (i === 0 ? p : { ...p, gap: 1 }));
}

/**
 * Packs blocks into message texts of at most `limit` characters each, in order, never splitting a
 * block that fits and cutting a block that does not with `splitBlock`. Tags are balanced in every
 * chunk because every block renders balanced.
 */
export function toChunks(blocks: readonly Block[], limit: number = MESSAGE_LIMIT): string[] {
  const chunks: string[] = [];
  let current = '';
  for (const block of blocks) {
    if (!blockText(block)) continue;
    for (const piece of splitBlock(block, limit)) {
      const html = renderBlock(piece);
      const sep = '\n'.repeat(piece.gap ?? 2);
      if (current && current.length + sep.length + html.length <= limit) {
        current += sep + html;
      } else {
        if (current) chunks.push(current);
        current = html;
      }
    }
  }
  if (current) chunks.push(current);
  return chunks;
}
