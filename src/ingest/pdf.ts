import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { getDocument, Util } from 'pdfjs-dist/legacy/build/pdf.mjs';
import type { PDFDocumentProxy, PDFPageProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { IngestError, noteDropped } from './types.ts';
import type { Dropped, Extracted } from './types.ts';

/**
 * Text of a report sent as PDF. pdfjs parses the file and hands back positioned text runs; this module
 * rebuilds what a reader sees: lines, then paragraphs, without the page furniture (page numbers,
 * running headers and footers) that a printed report repeats on every page.
 *
 * Distances below are in units of the body font size (one CJK character is one em wide), so the same
 * numbers hold for a report set in 三号 or in 小四.
 */

/** Items whose baselines differ by less than this share a line (allows for superscripts and mixed fonts). */
const LINE_BASELINE_TOLERANCE = 0.35;
/** A visual gap wider than this between two Latin letters or digits is a word space. */
const LATIN_WORD_GAP = 0.25;
/** A line starting this far right of the left margin is indented: a new paragraph begins. */
const INDENT_MIN = 0.9;
/** A line ending this far short of the right edge ends its paragraph (unless the next word could not fit). */
const SHORT_LINE_MIN = 1.5;
/** A line starting and ending at least this far inside the text block, about equally, is centred. */
const CENTRED_INSET = 3;
/** Left and right insets of a centred line differ by less than this. */
const CENTRED_SYMMETRY = 0.5;
/** Relative difference of font size that separates a heading from body text. */
const FONT_SIZE_CHANGE = 0.15;
/** A vertical step this many times the usual line pitch is paragraph spacing. */
const PARAGRAPH_SPACING = 1.3;
/** Steps within this share of the usual pitch are ordinary; tighter ones after an ordinary one start a heading. */
const PITCH_TOLERANCE = 0.05;
/** Share of the page height, at the top and at the bottom, where headers, footers and page numbers live. */
const FURNITURE_BAND = 0.12;
/** Lines per page, from the top and from the bottom, that may be furniture. */
const FURNITURE_LINES = 2;
/**
 * A header or footer repeats on at least this share of the pages, and on at least RUNNING_MIN_PAGES
 * (a bit under half: booklets alternate two headers, one on odd and one on even pages).
 */
const RUNNING_MIN_SHARE = 0.4;
const RUNNING_MIN_PAGES = 3;
/** Odd and even pages are measured separately (for mirrored margins) when each has this many lines. */
const MIN_LINES_PER_SIDE = 40;
/** Fewer non-space characters than this per page, on average, means there is no text layer. */
const SCANNED_CHARS_PER_PAGE = 20;
/** Longer PDFs are not work reports, and would take too long to read. */
const MAX_PAGES = 1000;
/** Estimated advance of a narrow (Latin, digit) character, in em, for judging whether a word could fit. */
const NARROW_CHAR_EM = 0.55;
/** Allowance for that estimate: a word estimated this much narrower than the room left still did not fit. */
const WRAP_SLACK = 0.5;

const MESSAGES = {
  encrypted: '这份 PDF 设有密码,无法读取。请发送未加密的 PDF,或报告的 DOCX 文件。',
  scanned: '这份 PDF 是扫描件,没有可复制的文字。请发送报告的 DOCX 文件、网页,或可复制文字的 PDF。',
  corrupt: '无法读取这份 PDF,文件可能已损坏。请重新导出后再试。',
  tooLarge: `这份 PDF 超过 ${MAX_PAGES} 页,不像是一份政府工作报告。请只发送报告本身。`,
  empty: '这份 PDF 是空的,没有内容。请重新导出后再试。',
} as const;

type PdfTextContent = Awaited<ReturnType<PDFPageProxy['getTextContent']>>;
type PdfTextItem = Extract<PdfTextContent['items'][number], { str: string }>;

/** A run of text at its place on the page, in top-down page coordinates. */
interface Piece {
  str: string;
  x: number;
  /** Baseline, measured from the top of the page. */
  y: number;
  width: number;
  size: number;
}

/** A line of text as a reader sees it. */
interface Line {
  page: number;
  text: string;
  x0: number;
  x1: number;
  y: number;
  size: number;
}

interface Page {
  number: number;
  height: number;
  lines: Line[];
  /** Text set at an angle (a diagonal watermark, a sideways margin note), left out of the lines. */
  rotated: string[];
}

/** Where body text sits, measured once per document. */
interface Layout {
  /** Body font size, also the width of one CJK character. */
  em: number;
  left: number;
  right: number;
  /** Usual distance between baselines of consecutive lines of a paragraph. */
  pitch: number;
}

/** Reads a PDF's text as paragraphs; throws IngestError when the file cannot give any. */
export async function extractPdf(data: Uint8Array): Promise<Extracted> {
  if (data.length === 0) throw new IngestError('empty', MESSAGES.empty, 'zero bytes');
  const doc = await openPdf(data);
  try {
    if (doc.numPages > MAX_PAGES) throw new IngestError('too-large', MESSAGES.tooLarge, `${doc.numPages} pages`);
    if (doc.numPages === 0) throw new IngestError('empty', MESSAGES.empty, 'no pages');
    const pages = await readPages(doc);
    assertHasTextLayer(pages);
    const dropped: Dropped[] = [];
    for (const page of pages) for (const text of page.rotated) noteDropped(dropped, 'rotated-text', text);
    const body = removeFurniture(pages, dropped);
    const paragraphs = buildParagraphs(body, measureLayouts(body));
    const title = await readTitle(doc);
    return { format: 'pdf', paragraphs, dropped, ...(title ? { title } : {}), pages: doc.numPages };
  } finally {
    await doc.destroy();
  }
}

// ---------------------------------------------------------------------------------------------
// Opening the file

/** pdfjs looks up CMaps (needed by many Chinese fonts) and standard fonts on disk, next to its build. */
const PDFJS_DIR = dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'));

async function openPdf(data: Uint8Array): Promise<PDFDocumentProxy> {
  const task = getDocument({
    // pdfjs transfers (detaches) the buffer it is given, and refuses Node Buffers: hand it a plain copy.
    data: new Uint8Array(data),
    isEvalSupported: false,
    disableFontFace: true,
    useSystemFonts: false,
    verbosity: 0,
    cMapUrl: join(PDFJS_DIR, 'cmaps') + '/',
    cMapPacked: true,
    standardFontDataUrl: join(PDFJS_DIR, 'standard_fonts') + '/',
  });
  try {
    return await task.promise;
  } catch (err) {
    await task.destroy().catch(() => undefined);
    throw openError(err);
  }
}

/** Sorts pdfjs's refusals into what the sender can do about them. */
function openError(err: unknown): IngestError {
  const name = err instanceof Error ? err.name : '';
  const detail = err instanceof Error ? `${name}: ${err.message}` : String(err);
  if (name === 'PasswordException') return new IngestError('encrypted', MESSAGES.encrypted, detail, { cause: err });
  return new IngestError('corrupt', MESSAGES.corrupt, detail, { cause: err });
}

async function readTitle(doc: PDFDocumentProxy): Promise<string | undefined> {
  const { info } = await doc.getMetadata().catch(() => ({ info: undefined }));
  const title = (info as { Title?: unknown } | undefined)?.Title;
  if (typeof title !== 'string') return undefined;
  const t = title.trim();
  // Word and LibreOffice often store the file name ("报告.docx", "Microsoft Word - 报告.doc") as the title.
  if (!t || /\.(?:docx?|wps|wpt|pdf|rtf|odt|txt|html?|xlsx?|pptx?)$/i.test(t) || /^Microsoft Word\s*-/i.test(t)) return undefined;
  return t;
}

// ---------------------------------------------------------------------------------------------
// Lines

async function readPages(doc: PDFDocumentProxy): Promise<Page[]> {
  const pages: Page[] = [];
  for (let n = 1; n <= doc.numPages; n++) {
    try {
      const page = await doc.getPage(n);
      const viewport = page.getViewport({ scale: 1 });
      const content = await page.getTextContent();
      const pieces: Piece[] = [];
      const rotated: string[] = [];
      for (const item of content.items) {
        // pdfjs's synthetic blank items are skipped: word spaces are decided from the gaps between pieces.
        if (!('str' in item) || !item.str.trim()) continue;
        const piece = toPiece(item, viewport.transform);
        if (piece) pieces.push(piece);
        else rotated.push(item.str);
      }
      pages.push({ number: n, height: viewport.height, lines: groupLines(pieces, n), rotated });
      page.cleanup();
    } catch (err) {
      // A page that cannot be read means the file is damaged (often truncated): better to refuse than
      // to add a report with pages missing.
      throw new IngestError('corrupt', MESSAGES.corrupt, `page ${n}: ${err instanceof Error ? err.message : String(err)}`, {
        cause: err,
      });
    }
  }
  return pages;
}

/**
 * Places a text item on the page as a reader sees it (the viewport undoes page rotation and crop box
 * offsets). Text that does not run left to right on the upright page gives no piece.
 */
function toPiece(item: PdfTextItem, viewport: number[]): Piece | undefined {
  const [a = 0, b = 0, c = 0, d = 0, x = 0, y = 0] = Util.transform(viewport, item.transform) as number[];
  if (a <= 0 || Math.abs(b) > 0.1 * a) return undefined;
  return { str: restoreRadicals(item.str), x, y, width: item.width, size: Math.hypot(c, d) || item.height || 1 };
}

/**
 * Some Chinese fonts map common characters to Kangxi radicals (⽣ U+2F63 for 生), which look the same
 * but match nothing: they are read as the ideographs they stand for.
 */
function restoreRadicals(s: string): string {
  return s.replace(/[\u2f00-\u2fd5]/gu, (ch) => ch.normalize('NFKC'));
}

/** Groups pieces by baseline into lines, top to bottom, each read left to right. */
function groupLines(pieces: Piece[], page: number): Line[] {
  const sorted = [...pieces].sort((p, q) => p.y - q.y || p.x - q.x);
  const groups: Piece[][] = [];
  let current: Piece[] = [];
  let baseline = -Infinity;
  let size = 0;
  for (const piece of sorted) {
    if (current.length && Math.abs(piece.y - baseline) <= LINE_BASELINE_TOLERANCE * Math.max(size, piece.size)) {
      current.push(piece);
      continue;
    }
    if (current.length) groups.push(current);
    current = [piece];
    baseline = piece.y;
    size = piece.size;
  }
  if (current.length) groups.push(current);
  return groups.map((g) => toLine(withoutOverprint(g.sort((p, q) => p.x - q.x)), page)).filter((l) => l.text);
}

/** Some PDF writers fake bold or shadow by drawing the same text twice, a hair apart: keep one copy. */
function withoutOverprint(pieces: Piece[]): Piece[] {
  return pieces.filter(
    (p, i) => !pieces.slice(0, i).some((q) => q.str === p.str && Math.abs(q.x - p.x) < 0.2 * p.size && Math.abs(q.y - p.y) < 0.2 * p.size),
  );
}

function toLine(pieces: Piece[], page: number): Line {
  const main = pieces.reduce((best, p) => (p.str.length > best.str.length ? p : best));
  const last = pieces[pieces.length - 1] ?? main;
  return {
    page,
    text: joinPieces(pieces),
    x0: pieces[0]?.x ?? main.x,
    x1: Math.max(...pieces.map((p) => p.x + p.width), last.x),
    y: main.y,
    size: main.size,
  };
}

/**
 * The text of a line. pdfjs reports visual gaps as spaces, and LibreOffice and Word leave a visual gap
 * between Chinese and Latin text ("2026 年"): no space is kept next to Chinese text, and between pieces
 * a space is put only between two Latin letters or digits set a word space apart.
 */
function joinPieces(pieces: Piece[]): string {
  let text = '';
  let prev: Piece | undefined;
  for (const piece of pieces) {
    const str = tidySpaces(piece.str);
    if (prev && str) {
      const spaced = /\s$/.test(prev.str) || /^\s/.test(piece.str) || piece.x - (prev.x + prev.width) > LATIN_WORD_GAP * piece.size;
      if (spaced && isWordChar(text.at(-1)) && isWordChar(str[0])) text += ' ';
    }
    text += str;
    prev = piece;
  }
  return text;
}

const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\u2e80-\u2fff\u3000-\u303f\u3100-\u312f\ufe30-\ufe4f\uff00-\uffef]/u;
const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;
/** Symbols that Chinese fonts set one em wide although they are not CJK characters: quotes, dashes, ℃, ①… */
const WIDE_SYMBOL = /[\u2014-\u2027\u2030-\u2033\u2100-\u2bff°±×÷§№]/u;

/** A Latin (or other alphabetic) letter or digit: the only characters a space is put between. */
function isWordChar(ch: string | undefined): boolean {
  return ch !== undefined && LETTER_OR_DIGIT.test(ch) && !isCjkLike(ch);
}

/** Chinese characters and the symbols Chinese text sets full width (quotes, dashes): no space touches them. */
function isCjkLike(ch: string | undefined): boolean {
  return ch !== undefined && (CJK.test(ch) || WIDE_SYMBOL.test(ch));
}

/**
 * Collapses the white space inside a piece and drops it next to Chinese text, where it is only the
 * visual gap pdfjs saw ("2026 年"); between Latin text ("AI PC", "1+ N") it is the document's own.
 */
function tidySpaces(s: string): string {
  const collapsed = s.replace(/\s+/gu, ' ').trim();
  return collapsed.replace(/ /g, (_, at: number) => (isCjkLike(collapsed[at - 1]) || isCjkLike(collapsed[at + 1]) ? '' : ' '));
}

/** Joins two pieces of text that a line break separated: with a space only between two word characters. */
function joinText(a: string, b: string): string {
  return isWordChar(a.at(-1)) && isWordChar(b[0]) ? `${a} ${b}` : a + b;
}

function nonSpaceLength(s: string): number {
  return s.replace(/\s+/gu, '').length;
}

/** Characters a font without a usable Unicode map leaves behind: private-use codes, U+FFFD, controls. */
const UNREADABLE = /[\p{Co}\p{Cc}\ufffd\s]/gu;

/**
 * A PDF of page images (a scan, a photo) has pages but next to no text; so, for a reader, has one whose
 * fonts map their glyphs to nothing readable.
 */
function assertHasTextLayer(pages: Page[]): void {
  const chars = pages.reduce((n, p) => n + p.lines.reduce((m, l) => m + l.text.replace(UNREADABLE, '').length, 0), 0);
  if (chars < SCANNED_CHARS_PER_PAGE * pages.length) {
    throw new IngestError('scanned', MESSAGES.scanned, `${chars} characters on ${pages.length} pages`);
  }
}

// ---------------------------------------------------------------------------------------------
// Page furniture

const PAGE_NUMBER = [
  /^[-—–－―~～·•\s]*\d{1,4}[-—–－―~～·•\s]*$/u, // 3, -3-, - 12 -, — 3 —
  /^第\s*\d{1,4}\s*页(?:\s*[,，、/]?\s*共\s*\d{1,4}\s*页)?$/u, // 第3页, 第3页 共20页
  /^共\s*\d{1,4}\s*页\s*[,，、/]?\s*第\s*\d{1,4}\s*页$/u, // 共20页 第3页
  /^\d{1,4}\s*[/／]\s*\d{1,4}$/u, // 3/20
  /^(?:page|p\.)\s*\d{1,4}(?:\s*(?:of|\/)\s*\d{1,4})?$/iu, // Page 3 of 20
  /^[-—–\s]*[ivxlc]{1,6}[-—–\s]*$/iu, // front matter: ii, - iv -
];

function isPageNumber(text: string): boolean {
  return PAGE_NUMBER.some((re) => re.test(text.trim()));
}

/** A header's identity across pages: digits vary (dates, page numbers), the rest repeats. */
function runningKey(text: string): string {
  return text.replace(/\s+/gu, '').replace(/\d+/g, '#');
}

interface Candidate {
  page: Page;
  line: Line;
  edge: 'top' | 'bottom';
}

/** The lines nearest the top and the bottom edge of a page, inside the band where furniture lives, outermost first. */
function furnitureCandidates(page: Page): Candidate[] {
  const out: Candidate[] = [];
  const band = FURNITURE_BAND * page.height;
  const { lines } = page;
  for (const line of lines.slice(0, FURNITURE_LINES)) if (line.y <= band) out.push({ page, line, edge: 'top' });
  for (const line of lines.slice(-FURNITURE_LINES).reverse()) {
    if (line.y >= page.height - band && !out.some((c) => c.line === line)) out.push({ page, line, edge: 'bottom' });
  }
  return out;
}

/**
 * Leaves out page numbers and running headers and footers, counting them in `dropped`. A line is a
 * running header or footer when, with its digits ignored, it sits near the same edge on at least half
 * the pages. Returns the remaining lines of all pages, in reading order.
 */
function removeFurniture(pages: Page[], dropped: Dropped[]): Line[] {
  const candidates = pages.flatMap(furnitureCandidates);
  const pagesByKey = new Map<string, Set<number>>();
  for (const c of candidates) {
    const key = `${c.edge}:${runningKey(c.line.text)}`;
    const set = pagesByKey.get(key) ?? new Set<number>();
    set.add(c.page.number);
    pagesByKey.set(key, set);
  }
  const minPages = Math.max(RUNNING_MIN_PAGES, Math.ceil(RUNNING_MIN_SHARE * pages.length));
  const furniture = new Set<Line>();
  // A header is printed once per page: when the title on the first page reads the same, it stays.
  const printed = new Set<string>();
  for (const c of candidates) {
    const key = `${c.edge}:${runningKey(c.line.text)}`;
    if (isPageNumber(c.line.text)) {
      noteDropped(dropped, 'page-number', c.line.text);
    } else if ((pagesByKey.get(key)?.size ?? 0) >= minPages && !printed.has(`${c.page.number}:${key}`)) {
      noteDropped(dropped, c.edge === 'top' ? 'running-header' : 'running-footer', c.line.text);
      printed.add(`${c.page.number}:${key}`);
    } else continue;
    furniture.add(c.line);
  }
  return pages.flatMap((p) => p.lines.filter((l) => !furniture.has(l)));
}

// ---------------------------------------------------------------------------------------------
// Paragraphs

/** The most frequent value after rounding to `step`, each value weighted. */
function mode(values: Array<[value: number, weight: number]>, step: number): number | undefined {
  const counts = new Map<number, number>();
  for (const [v, w] of values) {
    const k = Math.round(v / step);
    counts.set(k, (counts.get(k) ?? 0) + w);
  }
  let best: number | undefined;
  let bestCount = -1;
  for (const [k, n] of counts) {
    if (n > bestCount || (n === bestCount && best !== undefined && k < best)) [best, bestCount] = [k, n];
  }
  return best === undefined ? undefined : best * step;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
}

/**
 * Body font size, left margin, right edge and line pitch of the document. Most lines of a report are
 * continuation lines of long paragraphs: they start at the margin and end at the right edge, so the
 * most frequent start and end (of body-size lines) are the text block's edges, whatever the indents,
 * headings and short last lines.
 */
function measureLayout(lines: Line[]): Layout {
  const em = mode(lines.map((l) => [l.size, nonSpaceLength(l.text)]), 0.5) ?? 12;
  const body = lines.filter((l) => Math.abs(l.size - em) <= FONT_SIZE_CHANGE * em);
  const left = mode(body.map((l) => [l.x0, 1]), 1) ?? 0;
  // Ends of long lines only: short last lines end anywhere.
  const far = percentile(body.map((l) => l.x1), 0.95);
  const long = body.filter((l) => l.x1 >= left + 0.6 * (far - left));
  const right = mode(long.map((l) => [l.x1, 1]), 1) ?? far;
  const steps: Array<[number, number]> = [];
  for (let i = 1; i < body.length; i++) {
    const [a, b] = [body[i - 1], body[i]];
    if (a && b && a.page === b.page && b.y > a.y) steps.push([b.y - a.y, 1]);
  }
  return { em, left, right, pitch: mode(steps, 0.5) ?? em * 1.5 };
}

type LayoutOf = (line: Line) => Layout;

/**
 * The layout for each line. Reports printed as booklets mirror their margins: odd and even pages have
 * their text blocks in different places, so each is measured on its own when it has lines enough.
 * Font size and line pitch do not change with the page side.
 */
function measureLayouts(lines: Line[]): LayoutOf {
  const whole = measureLayout(lines);
  const sides = [0, 1].map((side) => {
    const own = lines.filter((l) => l.page % 2 === side);
    return own.length >= MIN_LINES_PER_SIDE ? { ...measureLayout(own), em: whole.em, pitch: whole.pitch } : whole;
  });
  return (line) => sides[line.page % 2] ?? whole;
}

function isIndented(line: Line, layout: Layout): boolean {
  return line.x0 - layout.left > INDENT_MIN * layout.em;
}

/** Inset from both edges of the text block by about as much (at least `minInset` em): set centred. */
function isCentred(line: Line, layout: Layout, minInset = CENTRED_INSET): boolean {
  const [before, after] = [line.x0 - layout.left, layout.right - line.x1];
  return Math.min(before, after) > minInset * line.size && Math.abs(before - after) < CENTRED_SYMMETRY * line.size;
}

function isBodySize(line: Line, layout: Layout): boolean {
  return Math.abs(line.size - layout.em) <= FONT_SIZE_CHANGE * layout.em;
}

/**
 * A centred title or heading set larger than the body and too long for one line: its first line spans
 * the text block, the next is centred. (At body size such a first line looks like any body line, so
 * this is only trusted for larger or smaller type.)
 */
function continuesCentredHeading(prev: Line, line: Line, layout: Layout): boolean {
  if (isBodySize(line, layout) || prev.page !== line.page) return false;
  const spans = prev.x0 - layout.left < INDENT_MIN * prev.size && layout.right - prev.x1 < CENTRED_INSET * prev.size;
  return spans && isCentred(line, layout, CENTRED_SYMMETRY);
}

function sizeChanges(a: Line, b: Line): boolean {
  return Math.abs(a.size - b.size) > FONT_SIZE_CHANGE * Math.max(a.size, b.size);
}

/**
 * Whether a line stops short of the right edge because its paragraph ends there. A line also stops
 * short when the next word (a number like "14.9%", with the punctuation that may not begin a line)
 * did not fit in the space left: that is a wrap, not a paragraph end.
 */
function endsParagraph(line: Line, next: Line, layout: Layout): boolean {
  const room = layout.right - line.x1;
  if (room <= SHORT_LINE_MIN * layout.em) return false;
  return estimateWidth(firstUnbreakable(next.text), next.size) + WRAP_SLACK * layout.em < room;
}

/**
 * The start of a line that the line breaker kept together, so it could not go on the line before. Line
 * breakers may break before a Chinese character but not inside a run of digits, Latin letters and
 * punctuation ("40.9％、27.1％，", "地”2.4"), nor after an opening quote or bracket.
 */
function firstUnbreakable(text: string): string {
  const lead = /^[^\p{Script=Han}\s]*/u.exec(text)?.[0] ?? '';
  if (lead && !/^[“‘「『（(《〈【〔[]+$/u.test(lead)) return lead;
  return lead + (/^\p{Script=Han}[^\p{Script=Han}\s]*/u.exec(text.slice(lead.length))?.[0] ?? '');
}

/** Rough advance of a piece of text: CJK characters and wide symbols are one em, the rest narrower. */
function estimateWidth(text: string, em: number): number {
  let w = 0;
  for (const ch of text) w += CJK.test(ch) || WIDE_SYMBOL.test(ch) ? em : NARROW_CHAR_EM * em;
  return w;
}

/** Distance from the baseline of the line before on the same page, if any. */
function stepBefore(lines: Line[], i: number): number | undefined {
  const [prev, line] = [lines[i - 1], lines[i]];
  return prev && line && prev.page === line.page ? line.y - prev.y : undefined;
}

/**
 * Whether the vertical spacing says a paragraph begins at line `i`: a step well beyond the usual line
 * pitch (space before a paragraph or heading), or a tighter step right after an ordinary one (a heading
 * set with single spacing among body text set at 1.5 lines; the second line of a wrapped heading comes
 * after the heading's own first step, not after an ordinary one). Across a page break the step means
 * nothing.
 */
function spacingBreaks(lines: Line[], i: number, layout: Layout): boolean {
  const step = stepBefore(lines, i);
  const line = lines[i];
  if (step === undefined || !line) return false;
  const pitch = usualPitch(line, layout);
  if (step > PARAGRAPH_SPACING * pitch) return true;
  const before = stepBefore(lines, i - 1);
  const prev = lines[i - 1];
  if (before === undefined || !prev) return false;
  const beforePitch = usualPitch(prev, layout);
  return step < (1 - PITCH_TOLERANCE) * pitch && Math.abs(before - beforePitch) <= PITCH_TOLERANCE * beforePitch;
}

/** The body's line pitch, scaled to the line's type size (a heading set larger has wider line steps). */
function usualPitch(line: Line, layout: Layout): number {
  return (layout.pitch * line.size) / layout.em;
}

/**
 * Whether line `i` begins a new paragraph. A paragraph continues onto the next page when the last line
 * of the page runs to the right edge and the first line of the next is not indented: the same horizontal
 * signs as within a page.
 */
function startsParagraph(lines: Line[], i: number, layoutOf: LayoutOf): boolean {
  const [prev, line] = [lines[i - 1], lines[i]];
  if (!prev || !line) return true;
  const [before, here] = [layoutOf(prev), layoutOf(line)];
  if (sizeChanges(prev, line)) return true;
  if (continuesCentredHeading(prev, line, here)) return spacingBreaks(lines, i, here);
  if (isIndented(line, here) || isCentred(prev, before)) return true;
  if (endsParagraph(prev, line, before)) return true;
  return spacingBreaks(lines, i, here);
}

function buildParagraphs(lines: Line[], layoutOf: LayoutOf): string[] {
  const paragraphs: string[] = [];
  let current = '';
  lines.forEach((line, i) => {
    if (i > 0 && !startsParagraph(lines, i, layoutOf)) {
      current = joinText(current, line.text);
    } else {
      if (current) paragraphs.push(current);
      current = line.text;
    }
  });
  if (current) paragraphs.push(current);
  return paragraphs;
}
