import { Readability } from '@mozilla/readability';
import { parseHTML } from 'linkedom';
import { decodeText, sniffHtmlCharset } from './decode.ts';
import { IngestError, noteDropped, type Dropped, type Extracted } from './types.ts';

/**
 * A report saved from a government web page ("Save as… Web page, HTML only" or complete), rebuilt
 * as paragraphs.
 *
 * 1. Bytes are decoded (BOM, the page's own `<meta charset>`, UTF-8, else GB18030) and parsed with
 *    linkedom. Scripts, styles, hidden elements and the page's semantic chrome (`<nav>`, `<header>`,
 *    `<footer>`, `<aside>`, ARIA roles) are removed and counted.
 * 2. The report is found twice: by Readability, and by a density heuristic (the element whose `<p>`
 *    and text children hold the most CJK characters outside links, widened to ancestors whose other
 *    children hold substantial text too, for reports split over several blocks). Readability's answer
 *    is used unless it is missing or holds clearly less text than the dense block.
 * 3. Paragraphs are rebuilt from block elements (p, div, headings, li, table rows; `<br>` breaks a
 *    block into paragraphs), indents of spaces, `&nbsp;` and U+3000 are trimmed, and the characters
 *    are otherwise the page's own. Page chrome that sits among the text (breadcrumbs, info lines,
 *    share bars, 上一篇/下一篇, related links, copyright and ICP lines, photo credits) is dropped by its
 *    shape and counted.
 */

const NO_REPORT = '这个网页里没有找到报告正文。请在浏览器中打开报告全文页面后另存为网页,或发送报告的 DOCX/PDF 文件。';
const CORRUPT = '这个网页文件无法读取,可能已损坏。请在浏览器中重新另存为网页,或发送报告的 DOCX/PDF 文件。';
const EMPTY = '这个网页文件是空的。请在浏览器中打开报告全文页面后另存为网页,或发送报告的 DOCX/PDF 文件。';

/** Fewer CJK characters than this in the rebuilt text: the page holds no report. */
const MIN_REPORT_CJK = 500;

const TEXT_NODE = 3;
const ELEMENT_NODE = 1;

const BLOCK = new Set([
  'address', 'article', 'aside', 'blockquote', 'body', 'caption', 'center', 'dd', 'details', 'dialog', 'dir',
  'div', 'dl', 'dt', 'fieldset', 'figcaption', 'figure', 'footer', 'form', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6',
  'header', 'hgroup', 'hr', 'html', 'legend', 'li', 'main', 'menu', 'nav', 'ol', 'p', 'pre', 'section',
  'summary', 'table', 'tbody', 'tfoot', 'thead', 'tr', 'ul',
]);

/** Never text of a page. */
const SKIP = new Set([
  'script', 'noscript', 'style', 'template', 'head', 'title', 'meta', 'link', 'svg', 'math', 'canvas', 'iframe',
  'frame', 'frameset', 'object', 'embed', 'applet', 'img', 'picture', 'video', 'audio', 'source', 'track', 'map',
  'input', 'select', 'option', 'textarea', 'button',
]);

/** Children whose text counts as the parent's own when looking for the densest block. */
const PARAGRAPH_LIKE = new Set([
  'p', 'span', 'font', 'strong', 'b', 'em', 'i', 'u', 'big', 'small', 'label', 'sub', 'sup', 's', 'strike', 'ins',
  'mark', 'cite', 'q', 'abbr', 'time', 'center',
]);

const HAN = /\p{Script=Han}/gu;
const cjk = (s: string): number => s.match(HAN)?.length ?? 0;
const nonSpace = (s: string): number => s.replace(/\s+/g, '').length;
const compact = (s: string): string => s.replace(/\s+/g, '');

/** CJK characters and punctuation: a source line break between two of these is no space. */
const WIDE = /[\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\u201c\u201d\u2018\u2019\u2014\u2026]/;

const CELL = '\u0001';

function tagOf(el: Element): string {
  return el.tagName.toLowerCase();
}

/** A link one follows (a named anchor `<a name>` around a heading is no link). */
function isLink(el: Element): boolean {
  return tagOf(el) === 'a' && el.hasAttribute('href');
}

// ---------------------------------------------------------------------------------------------------
// Paragraphs from a DOM subtree

interface Line {
  text: string;
  /** Non-space characters inside links. */
  link: number;
  /** Non-space characters. */
  chars: number;
}

class LineBuilder {
  readonly lines: Line[] = [];
  private buf = '';
  private link = 0;

  text(s: string, inLink: boolean): void {
    this.buf += s;
    if (inLink) this.link += nonSpace(s);
  }

  cell(): void {
    if (this.buf.trim()) this.buf += CELL;
  }

  flush(): void {
    const raw = this.buf;
    const link = this.link;
    this.buf = '';
    this.link = 0;
    if (!raw) return;
    // HTML white space collapses; a source line break between CJK characters disappears.
    let t = raw.replace(/[ \t\n\r\f]+/g, (m: string, at: number, s: string) =>
      /[\n\r]/.test(m) && WIDE.test(s.charAt(at - 1)) && WIDE.test(s.charAt(at + m.length)) ? '' : ' ',
    );
    t = t.replace(/^[\s\u200b\u0001]+|[\s\u200b\u0001]+$/g, '').replace(/\s*\u0001[\s\u0001]*/g, '\t');
    if (!t) return;
    this.lines.push({ text: t, link: Math.min(link, nonSpace(t)), chars: nonSpace(t) });
  }
}

function walk(node: Node, b: LineBuilder, inLink: boolean, inPre: boolean): void {
  for (let child = node.firstChild; child; child = child.nextSibling) {
    if (child.nodeType === TEXT_NODE) {
      const s = child.nodeValue ?? '';
      if (!inPre) b.text(s, inLink);
      else {
        const parts = s.split('\n');
        parts.forEach((p, i) => {
          if (i > 0) b.flush();
          b.text(p, inLink);
        });
      }
      continue;
    }
    if (child.nodeType !== ELEMENT_NODE) continue;
    const el = child as Element;
    const tag = tagOf(el);
    if (SKIP.has(tag)) continue;
    if (tag === 'br') {
      b.flush();
      continue;
    }
    if (tag === 'td' || tag === 'th') b.cell();
    const block = BLOCK.has(tag);
    if (block) b.flush();
    walk(el, b, inLink || isLink(el), inPre || tag === 'pre');
    if (block) b.flush();
  }
}

function linesOf(node: Node): Line[] {
  const b = new LineBuilder();
  walk(node, b, false, false);
  b.flush();
  return b.lines;
}

// ---------------------------------------------------------------------------------------------------
// Page chrome by its shape

const RE = {
  prevNext: /^[【\[]?(?:上一篇|下一篇|上一条|下一条|上篇|下篇|返回顶部|返回首页|返回列表|返回上一页|回到顶部)/,
  breadcrumb: /^(?:您的位置|您现在的位置|您当前的位置|您所在的位置|当前位置|所在位置|位置)\s*[:：]|^首页\s*[>＞›»/]/,
  /** Never in a report's text. */
  footer:
    /版权所有|Copyright|©|ICP\s*备|ICP\s*证|公网安备|网站标识码|网站识别码|主办单位\s*[:：]|承办单位\s*[:：]|主办\s*[:：]|承办\s*[:：]|协办\s*[:：]|技术支持\s*[:：]|运行维护\s*[:：]|网站维护\s*[:：]/i,
  /** Footer and top-bar words a report may use too (无障碍设施): only on short lines without sentences. */
  footerWeak: /联系我们|网站地图|网站声明|隐私政策|政府网站找错|我要纠错|无障碍|适老化|长者模式|关于我们|设为首页|加入收藏/,
  prose: /[。，；！？,;!?]/,
  share:
    /^(?:分享到|分享\s*[:：]|分享$)|^(?:微信|微博|QQ空间|QQ好友|新浪微博|腾讯微博|朋友圈|人民微博|抖音|今日头条|二维码)$|扫一扫|扫码(?:关注|阅读|分享|打开|下载|查看)|扫描二维码/,
  toolbar:
    /^[【\[]?\s*字[号体]\s*[:：]|^[【\[]?\s*(?:打印|关闭|收藏|打印本页|关闭窗口|打印正文|下载|全屏|加大|还原|减小|默认|大|中|小|放大|缩小|分享|纠错|我要纠错|阅读模式)\s*[】\]]?$/,
  infoStart:
    /^[【\[]?\s*(?:来源|信息来源|文章来源|稿件来源|发布时间|发表时间|发布日期|成文日期|更新时间|时间|日期|作者|责任编辑|编辑|审核|校对|浏览次数|浏览量|阅读量|阅读次数|点击数|点击量|访问量)\s*[:：]/,
  infoField: /(?:来源|发布时间|发表时间|发布日期|责任编辑|作者|浏览次数|点击数|阅读量)\s*[:：]/g,
  date: /^[【\[(（]?\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?[】\])）]?$/,
  related:
    /^[【\[]?(?:相关链接|相关文章|相关阅读|相关新闻|相关报道|相关文档|相关附件|相关稿件|相关信息|相关专题|延伸阅读|推荐阅读|热点推荐|热门文章|猜你喜欢|更多|往期回顾)\s*[】\]]?\s*[:：]?$/,
  caption: /(?:记者|摄影|通讯员|供图|图\s*[/／])\s*\S{0,12}(?:\s*[、，,]\s*\S{1,10})*\s*摄$/,
  /** Separators and widget glyphs (|, >, ×, 】), but not an opening bracket or quote a broken line left alone. */
  symbols: /^[^\p{L}\p{N}（(“‘《「『〔［]+$/u,
};

/** Why a line of a page is not report text, or undefined when it may be. */
function chromeKind(line: Line): string | undefined {
  const t = line.text;
  const n = t.length;
  if (line.chars > 0 && line.link / line.chars >= 0.6 && n <= 200) return 'navigation';
  if (RE.symbols.test(t)) return 'symbol';
  if (n <= 60 && RE.prevNext.test(t)) return 'navigation';
  if (n <= 200 && RE.breadcrumb.test(t)) return 'navigation';
  if (n <= 200 && RE.footer.test(t)) return 'footer';
  if (n <= 60 && RE.footerWeak.test(t) && !RE.prose.test(t)) return 'footer';
  if (n <= 60 && RE.share.test(t)) return 'share';
  if (n <= 60 && RE.toolbar.test(t)) return 'toolbar';
  if (n <= 120 && (RE.infoStart.test(t) || (t.match(RE.infoField)?.length ?? 0) >= 2 || RE.date.test(t))) return 'info';
  if (n <= 20 && RE.related.test(t)) return 'related';
  if (n <= 80 && RE.caption.test(t)) return 'caption';
  return undefined;
}

// ---------------------------------------------------------------------------------------------------
// Removing chrome elements

const HIDDEN_STYLE = /(?:^|;)\s*(?:display\s*:\s*none|visibility\s*:\s*hidden)\s*(?:!important)?\s*(?:;|$)/i;

/** Elements that are page chrome by their tag or role, with the kind they are counted as. */
const CHROME_SELECTORS: [string, string][] = [
  ['nav, [role="navigation"], [role="menu"], [role="menubar"], select', 'navigation'],
  ['header, [role="banner"]', 'header'],
  ['footer, [role="contentinfo"]', 'footer'],
  ['aside, [role="complementary"]', 'related'],
];

function noteLines(dropped: Dropped[] | null, kind: string, el: Element): void {
  if (!dropped) return;
  const lines = linesOf(el);
  if (lines.length === 0) noteDropped(dropped, kind, '');
  for (const l of lines) noteDropped(dropped, kind, l.text);
}

function nonLinkCjk(el: Element): number {
  let n = 0;
  const visit = (node: Node, inLink: boolean): void => {
    for (let c = node.firstChild; c; c = c.nextSibling) {
      if (c.nodeType === TEXT_NODE) {
        if (!inLink) n += cjk(c.nodeValue ?? '');
      } else if (c.nodeType === ELEMENT_NODE) {
        const tag = tagOf(c as Element);
        if (!SKIP.has(tag)) visit(c, inLink || isLink(c as Element));
      }
    }
  };
  visit(el, false);
  return n;
}

/** Removes what is never report text, counting it in `dropped` (when given). */
function preClean(doc: Document, dropped: Dropped[] | null, keepHidden = false): void {
  for (const el of [...doc.querySelectorAll('script, noscript, template')]) {
    if (dropped) noteDropped(dropped, 'script', el.textContent ?? '');
    el.remove();
  }
  for (const el of [...doc.querySelectorAll('style, link[rel="stylesheet"]')]) {
    if (dropped) noteDropped(dropped, 'style', el.textContent ?? '');
    el.remove();
  }
  const body = doc.body;
  if (!body) return;
  for (const el of keepHidden ? [] : [...body.querySelectorAll('[style], [hidden], [aria-hidden="true"]')]) {
    if (!el.isConnected) continue;
    const hidden =
      el.hasAttribute('hidden') || el.getAttribute('aria-hidden') === 'true' || HIDDEN_STYLE.test(el.getAttribute('style') ?? '');
    if (!hidden) continue;
    noteLines(dropped, 'hidden', el);
    el.remove();
  }
  // Semantic chrome, unless a site wrapped its article in one of these (it then holds most of the text).
  const total = nonLinkCjk(body);
  for (const [selector, kind] of CHROME_SELECTORS) {
    for (const el of [...body.querySelectorAll(selector)]) {
      if (!el.isConnected) continue;
      // An <article>'s own <header>/<footer> (its title, date, editor) is not the site's.
      if ((kind === 'header' || kind === 'footer') && el.parentElement?.closest('article, main, [role="main"]')) continue;
      const own = nonLinkCjk(el);
      if (own >= MIN_REPORT_CJK && own >= total * 0.5) continue;
      noteLines(dropped, kind, el);
      el.remove();
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// The densest block

/** Whether an element has no block-level children (a <div> used as a paragraph). */
function isLeafBlock(el: Element): boolean {
  for (const c of el.children) if (BLOCK.has(tagOf(c)) && tagOf(c) !== 'br') return false;
  return true;
}

function densestBlock(body: Element): Element | undefined {
  // CJK outside links, for every element (post-order).
  const deep = new Map<Element, number>();
  const own = new Map<Element, number>();
  const visit = (el: Element, inLink: boolean): number => {
    const link = inLink || isLink(el);
    let total = 0;
    let mine = 0;
    for (let c = el.firstChild; c; c = c.nextSibling) {
      if (c.nodeType === TEXT_NODE) {
        const n = link ? 0 : cjk(c.nodeValue ?? '');
        total += n;
        mine += n;
      } else if (c.nodeType === ELEMENT_NODE) {
        const child = c as Element;
        const ctag = tagOf(child);
        if (SKIP.has(ctag)) continue;
        const n = visit(child, link);
        total += n;
        if (PARAGRAPH_LIKE.has(ctag) || (ctag === 'div' && isLeafBlock(child))) mine += n;
      }
    }
    deep.set(el, total);
    own.set(el, mine);
    return total;
  };
  visit(body, false);

  let best: Element | undefined;
  let bestScore = 0;
  for (const [el, score] of own) {
    if (score > bestScore && !PARAGRAPH_LIKE.has(tagOf(el))) {
      best = el;
      bestScore = score;
    }
  }
  if (!best) return undefined;

  // A report split over several blocks: take in ancestors whose other children hold substantial text.
  let content = best;
  for (let from: Element = best, a = best.parentElement; a; from = a, a = a.parentElement) {
    const need = Math.max(150, (deep.get(content) ?? 0) * 0.1);
    let other = 0;
    for (const c of a.children) if (c !== from) other = Math.max(other, deep.get(c) ?? 0);
    if (other >= need) content = a;
    if (a === body) break;
  }
  return content;
}

// ---------------------------------------------------------------------------------------------------
// Title

const SITE_LIKE = /(?:网|网站|门户|人民政府|政府|频道|首页|新闻|日报|客户端|政务服务)$/;

/** The article's title from `<title>`, without the site's name. */
function stripSiteName(title: string): string {
  const t = title.replace(/\s+/g, ' ').trim();
  const parts = t
    .split(/\s*(?:[_|｜]|\s[-–—－]\s|(?<!\d)[-－](?!\d))\s*/)
    .map((p) => p.trim())
    .filter(Boolean);
  if (parts.length <= 1) return t;
  return parts.find((p) => !SITE_LIKE.test(p)) ?? parts[0] ?? t;
}

function oneLine(el: Element): string {
  return linesOf(el)
    .map((l) => l.text)
    .join('');
}

/** The `<h1>` of the article, else `<title>` without the site name. */
function findTitle(doc: Document, content: Element | undefined): string | undefined {
  const stripped = stripSiteName(doc.querySelector('title')?.textContent ?? '');
  // A <title> that is only the site's name names no article.
  const fromTitle = stripped && !SITE_LIKE.test(stripped) ? stripped : '';
  const h1s = [...doc.querySelectorAll('h1')].filter((h) => {
    const text = oneLine(h);
    if (!text || cjk(text) === 0 || text.length > 120) return false;
    if (h.closest('nav, footer, aside, a')) return false;
    const line = linesOf(h);
    const link = line.reduce((s, l) => s + l.link, 0);
    const chars = line.reduce((s, l) => s + l.chars, 0);
    return link / Math.max(1, chars) < 0.6;
  });
  const ft = compact(fromTitle);
  const matching = ft
    ? h1s.find((h) => {
        const ht = compact(oneLine(h));
        return ht.length >= 4 && (ft.includes(ht) || ht.includes(ft));
      })
    : undefined;
  const inContent = content ? h1s.find((h) => content.contains(h)) : undefined;
  // A site's logo is often an <h1> too (贵州省人民政府): it names the site, not the article.
  const notLogo = h1s.find((h) => !SITE_LIKE.test(oneLine(h)));
  const chosen = matching ?? inContent ?? (fromTitle ? undefined : notLogo);
  if (chosen) return oneLine(chosen);
  return fromTitle || undefined;
}

// ---------------------------------------------------------------------------------------------------

function parse(html: string): Document {
  let source = html;
  if (!/<html[\s>]/i.test(source)) {
    source = /<body[\s>]/i.test(source) ? `<html>${source}</html>` : `<html><head></head><body>${source}</body></html>`;
  }
  const { document } = parseHTML(source);
  if (!document.body) throw new Error('no <body> after parsing');
  return document;
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Raw bytes that cannot be a web page: control characters a text never has. */
function looksBinary(bytes: Uint8Array): boolean {
  const utf16 = (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff);
  if (utf16) return false;
  const n = Math.min(bytes.length, 65536);
  let bad = 0;
  for (let i = 0; i < n; i++) {
    const b = bytes[i]!;
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c && b !== 0x1b) bad++;
  }
  return bad > 0 && bad / n > 0.002;
}

function cleanParagraphs(lines: Line[], dropped: Dropped[]): string[] {
  const out: string[] = [];
  for (const l of lines) {
    const kind = chromeKind(l);
    if (kind) noteDropped(dropped, kind, l.text);
    else out.push(l.text);
  }
  return out;
}

export function extractHtml(bytes: Uint8Array): Extracted {
  try {
    return extract(bytes);
  } catch (e) {
    if (e instanceof IngestError) throw e;
    throw new IngestError('corrupt', CORRUPT, e instanceof Error ? e.message : String(e), { cause: e });
  }
}

function extract(bytes: Uint8Array): Extracted {
  const html = decodePage(bytes);
  try {
    return extractFrom(html, false);
  } catch (e) {
    // A page saved as "HTML only" may hold its text in a block its scripts would have shown.
    if (e instanceof IngestError && e.reason === 'no-report' && hiddenCjk(html) >= MIN_REPORT_CJK) return extractFrom(html, true);
    throw e;
  }
}

function hiddenCjk(html: string): number {
  const doc = parse(html);
  let n = 0;
  for (const el of doc.querySelectorAll('[style], [hidden]')) {
    if (el.hasAttribute('hidden') || HIDDEN_STYLE.test(el.getAttribute('style') ?? '')) n += nonLinkCjk(el);
  }
  return n;
}

/** The page's text, or IngestError when the bytes are no page. */
function decodePage(bytes: Uint8Array): string {
  if (!(bytes instanceof Uint8Array)) throw new IngestError('corrupt', CORRUPT, 'not bytes');
  if (looksBinary(bytes)) throw new IngestError('corrupt', CORRUPT, 'binary data');
  let html = decodeText(bytes, sniffHtmlCharset(bytes));
  if (!html.trim()) throw new IngestError('empty', EMPTY, 'no text');
  const replaced = (html.match(/\ufffd/g)?.length ?? 0) + (html.match(/[\u0000-\u0008\u000e-\u001a\u001c-\u001f]/g)?.length ?? 0);
  if (replaced > 16 && replaced / html.length > 0.01) throw new IngestError('corrupt', CORRUPT, 'undecodable text');
  // A text file given as a page: one paragraph a line, as it was written.
  if (!/<(?:[a-z][a-z0-9]*[\s/>]|!doctype|!--)/i.test(html)) {
    html = html
      .split('\n')
      .map((l) => `<p>${escapeHtml(l)}</p>`)
      .join('\n');
  }
  return html;
}

function extractFrom(html: string, keepHidden: boolean): Extracted {
  const dropped: Dropped[] = [];
  const doc = parse(html);
  preClean(doc, dropped, keepHidden);
  const body = doc.body;
  const dense = densestBlock(body);
  const title = findTitle(doc, dense);

  const denseLines = dense ? linesOf(dense) : [];
  const denseKept = denseLines.filter((l) => !chromeKind(l));
  const denseCjk = denseKept.reduce((s, l) => s + cjk(l.text), 0);

  // Readability on a second copy (it rewrites the document it reads).
  let readLines: Line[] = [];
  try {
    const copy = parse(html);
    preClean(copy, null, keepHidden);
    const article = new Readability<Node>(copy, { charThreshold: 200, serializer: (n) => n }).parse();
    if (article?.content) readLines = linesOf(article.content);
  } catch {
    readLines = [];
  }
  const readCjk = readLines.filter((l) => !chromeKind(l)).reduce((s, l) => s + cjk(l.text), 0);

  const useReadability = readCjk > 0 && readCjk >= denseCjk * 0.85;
  const contentLines = useReadability ? readLines : denseLines;
  const paragraphs = cleanParagraphs(contentLines, dropped);

  // The rest of the page: counted by what it looks like.
  // (Keyed by kind too: a table of contents of links repeats the headings, and is navigation.)
  const key = (l: Line): string => `${chromeKind(l) ?? ''}|${l.text}`;
  const inContent = new Map<string, number>();
  for (const l of contentLines) inContent.set(key(l), (inContent.get(key(l)) ?? 0) + 1);
  if (title) inContent.set(`|${title}`, (inContent.get(`|${title}`) ?? 0) + 1);
  for (const l of linesOf(body)) {
    const n = inContent.get(key(l)) ?? 0;
    if (n > 0) inContent.set(key(l), n - 1);
    else noteDropped(dropped, chromeKind(l) ?? 'outside-content', l.text);
  }

  const reportCjk = paragraphs.reduce((s, p) => s + cjk(p), 0);
  if (reportCjk < MIN_REPORT_CJK) {
    throw new IngestError('no-report', NO_REPORT, `${reportCjk} CJK characters of content`);
  }
  // Prose has sentences: Chinese-looking noise (binary read as GB18030) has hardly any punctuation.
  const stops = paragraphs.reduce((s, p) => s + (p.match(/[。，；！？：,;!?]/g)?.length ?? 0), 0);
  if (stops < reportCjk / 200) throw new IngestError('no-report', NO_REPORT, `${stops} punctuation marks in ${reportCjk} CJK characters`);

  if (title && compact(paragraphs[0] ?? '') !== compact(title)) paragraphs.unshift(title);
  return { format: 'html', paragraphs, dropped, ...(title ? { title } : {}) };
}
