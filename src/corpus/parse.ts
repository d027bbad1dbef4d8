import { createHash } from 'node:crypto';
import { findFrontMatter, splitLines, type FrontMatter } from './front.ts';
import { annexPeriod, headingPeriods, leadPeriod } from './periods.ts';
import { foldWidth, TERMINATOR } from './text.ts';
import type { Paragraph, ParagraphKind, Period, Report, ReportMeta, Section, Sentence, Span } from './types.ts';

/**
 * Turns a stored report (one paragraph per line, as published) into front matter, parts, sections,
 * paragraphs and sentences with exact character offsets into the stored text, and labels every part
 * with the period it speaks of.
 *
 * The genre, as written by provinces, cities and districts alike:
 *   2026年山东省政府工作报告 / ——2026年1月27日在…会议上 / 山东省省长 周乃翔      front matter
 *   一、2025年及“十四五”时期工作回顾                                      part (一、 or an unnumbered heading)
 *   (一)经济增长迈出坚实步伐。抓好国家政策落实,……                          section, often written inline
 *   一是联合港澳承办十五运会和残特奥会。                                   a heading line inside a section
 *   多点发力提振消费。积极创新消费场景,……                                 body; a short lead sentence is its topic
 *   附件 / 名词解释                                                       annexes
 * Full-width and ASCII punctuation are both read (detection runs on width-folded text of the same length).
 */
export interface ParseOptions {
  /** Page-chrome vocabulary (data/dict/chrome.txt). */
  chrome?: string[];
  /** The front matter already found when the report was read (else it is found here). */
  front?: FrontMatter;
}

export function parseReport(text: string, meta: ReportMeta, options: ParseOptions = {}): Report {
  const paragraphs: Paragraph[] = [];
  const sentences: Sentence[] = [];
  const sections: Section[] = [];
  const dropped: string[] = [];
  const year = meta.year;

  const all = splitLines(text);
  const front = options.front ?? findFrontMatter(all.map((l) => l.text), options.chrome ?? []);
  const frontLines = new Set<number>([front.title, front.speaker, ...(front.meeting ?? [])].filter((n): n is number => n !== undefined));

  let part: Section | undefined;
  let section: Section | undefined;
  let sub: Section | undefined;
  let period: Period = 'front';
  let allowed: Period[] = [];
  let annex = false;

  const openPart = (title: string, heading: number): Section => {
    const isAnnex = ANNEX.test(foldWidth(title));
    annex = annex || isAnnex;
    if (annex) {
      period = isAnnex ? annexPeriod(title, year) : annexPeriod(title, year) === 'current' ? 'current' : period;
      allowed = [period];
    } else {
      const named = headingPeriods(foldWidth(title), year);
      if (named.length) period = named[0]!;
      else if (period === 'front') period = 'current';
      // A review covers last year and the plan period behind it, and the next period's targets are often
      // set out after a look back at the last one: which, the paragraphs say.
      const review = named.filter((p) => p === 'last-year' || p === 'five-year-review');
      if (review.length && review.length === named.length) allowed = ['last-year', 'five-year-review'];
      else if (named.includes('five-year-plan') && !named.includes('five-year-review')) allowed = [...named, 'five-year-review'];
      else allowed = named;
    }
    part = newSection(sections, 1, title, [title], heading, period);
    section = undefined;
    sub = undefined;
    return part;
  };
  if (meta.leadingPart) openPart(meta.leadingPart, -1);

  all.forEach((line, lineNo) => {
    const content = line.text.trim();
    // A line of nothing but zero-width characters (as some web copies have) is blank.
    if (!content.replace(/[\u200b-\u200d\u2060\ufeff]/g, '')) return;
    if (front.dropped.has(lineNo) || isBoilerplate(content)) {
      dropped.push(content);
      return;
    }
    const lead = line.text.length - line.text.trimStart().length;
    const span: Span = { start: line.start + lead, end: line.start + lead + content.length };
    const index = paragraphs.length;
    const folded = foldWidth(content);
    const pieces = splitSentences(content);

    let kind: ParagraphKind = 'body';
    let owner: Section | undefined;
    let inlineHeading: number | undefined;
    if (frontLines.has(lineNo)) {
      kind = 'front';
    } else {
      const heading = headingOf(folded, pieces, annex, part, section, year);
      if (heading?.level === 1) {
        kind = 'part-heading';
        owner = openPart(content, index);
      } else if (heading?.level === 2) {
        const title = heading.inline ? content.slice(0, heading.inline).replace(/[。.]$/, '') : content;
        const path = part ? [...part.path, title] : [title];
        const p = periodAfter(leadPeriod([folded], year), period, allowed);
        period = p;
        section = newSection(sections, 2, title, path, index, period, heading.inline !== undefined);
        sub = undefined;
        if (part) part.children.push(section.index);
        if (heading.inline) {
          inlineHeading = heading.inline;
          owner = section;
        } else {
          kind = 'section-heading';
          owner = section;
        }
      } else if (heading?.level === 3) {
        const parent = section ?? part;
        const path = parent ? [...parent.path, content.replace(/[。.]$/, '')] : [content];
        period = periodAfter(leadPeriod([folded], year), period, allowed);
        sub = newSection(sections, 3, content.replace(/[。.]$/, ''), path, index, period);
        if (parent) parent.children.push(sub.index);
        kind = 'section-heading';
        owner = sub;
      }
    }

    if (kind === 'body') {
      // An address to the delegates (各位代表!) speaks for the whole part, not the last section.
      if (ADDRESS.test(folded)) {
        section = undefined;
        sub = undefined;
      }
      const opening = pieces.slice(inlineHeading ? 1 : 0, (inlineHeading ? 1 : 0) + 3).map((s) => foldWidth(s.text));
      period = periodAfter(leadPeriod(opening, year), period, allowed);
      owner ??= sub ?? section ?? part;
      owner?.paragraphs.push(index);
    }
    const sectionPath = kind === 'front' ? [] : owner ? [...owner.path] : [];

    const paragraph: Paragraph = {
      index,
      kind,
      text: content,
      ...span,
      sectionPath,
      sentences: [],
      period: kind === 'front' ? 'front' : period,
      ...(owner ? { section: owner.index } : {}),
      ...(inlineHeading ? { inlineHeading } : {}),
    };
    let topic: string | undefined;
    let listLabel: string | undefined;
    pieces.forEach((s, k) => {
      const f = foldWidth(s.text);
      const bare = f.replace(/^——/, '').replace(/[。!?;]+$/, '');
      // A short lead sentence with no comma opens a block (全力释放消费潜能。): the topic of what follows.
      if (kind === 'body' && !(inlineHeading && k === 0) && isTopicSentence(bare) && k + 1 < pieces.length) topic = s.text.replace(/^——/, '').replace(/[。!?;！？；]+$/, '');
      const sentence: Sentence = {
        index: sentences.length,
        paragraph: index,
        start: span.start + s.start,
        end: span.start + s.end,
        text: s.text,
        ...(listLabel ?? topic ? { topic: listLabel ?? topic } : {}),
      };
      // A lead-in whose items run on in sentences ended by ; (主要预期目标是:地区生产总值增长5%;一般公共预算
      // 收入增长2%;…): every item is read with the lead-in's label.
      if (kind === 'body') {
        const colon = f.indexOf(':');
        if (colon > 0 && f.endsWith(';')) listLabel = labelBefore(s.text.slice(0, colon));
        else if (!f.endsWith(';')) listLabel = undefined;
      }
      sentences.push(sentence);
      paragraph.sentences.push(sentence);
    });
    if (kind === 'body' && !ADDRESS.test(folded)) {
      const t = topicOf(paragraph, inlineHeading);
      if (t) {
        paragraph.topic = t;
        paragraph.sectionPath = [...sectionPath, t];
      }
    }
    paragraphs.push(paragraph);
  });

  // A line of one short sentence over a longer paragraph (这是绿美广东生态建设绘就新画卷的五年。 / 这五年,我们
  //持续扩大高水平对外开放,…。) heads that paragraph: it is its topic.
  for (let i = 0; i + 1 < paragraphs.length; i++) {
    const lead = paragraphs[i]!;
    const next = paragraphs[i + 1]!;
    if (lead.kind !== 'body' || next.kind !== 'body' || lead.sentences.length !== 1 || next.sentences.length < 2) continue;
    if (lead.text.length > 60 || next.topic || next.inlineHeading || ADDRESS.test(foldWidth(lead.text)) || next.section !== lead.section) continue;
    const topic = lead.text.replace(/^(?:——)?(?:这五年|五年来|过去五年|一年来|过去一年)[,，]/, '').replace(/[。!?;！？；]+$/, '');
    next.topic = topic;
    next.leadLine = lead.index;
    next.sectionPath = [...next.sectionPath, topic];
    for (const sentence of next.sentences) sentence.topic ??= topic;
  }

  // A part heading that names no period (一、一年接着一年干,…) takes the period its text opens with.
  for (const s of sections) {
    if (s.level !== 1 || s.heading < 0) continue;
    const first = s.paragraphs[0] ?? sections[s.children[0] ?? -1]?.heading;
    const p = first !== undefined ? paragraphs[first]?.period : undefined;
    if (p && p !== s.period && headingPeriods(foldWidth(s.title), year).length === 0) {
      s.period = p;
      paragraphs[s.heading]!.period = p;
    }
  }

  return {
    meta,
    text,
    hash: createHash('sha256').update(text).digest('hex'),
    paragraphs,
    sentences,
    sections,
    dropped,
  };
}

const PART_HEADING = /^[一二三四五六七八九十]{1,3}、/;
const SECTION_HEADING = /^\([一二三四五六七八九十]{1,3}\)/;
/** 一是…, 第一, …: a heading line of the third level when it stands alone. */
const ITEM_HEADING = /^(?:[一二三四五六七八九十]{1,3}是|第[一二三四五六七八九十]{1,3}[,、])/;
/** Unnumbered part headings (“十四五”时期发展成就和2025年工作回顾). */
const PART_WORDS = /回顾|发展成就|目标任务|主要目标|重点工作|工作安排|主要任务|重点任务|自身建设|政府治理/;
const ANNEX = /^(?:附件\s*[\d一二三四五六七八九十]*|附表\s*\d*|名词解释|名词注释|注释|注解|.{0,24}名词(?:解释|注释))$/;
const ADDRESS = /^各位代表[!:,]/;
const BOILERPLATE = [/免责声明/, /不代表本站/, /本站为/, /未经许可,?不得转载/, /侵权/, /版权所有/, /来源于网络/];

interface Heading {
  level: 1 | 2 | 3;
  /** Length of an inline heading (the first sentence) when the line goes on with body text. */
  inline?: number;
}

function headingOf(
  folded: string,
  pieces: Array<Span & { text: string }>,
  annex: boolean,
  part: Section | undefined,
  section: Section | undefined,
  year: number,
): Heading | undefined {
  const single = pieces.length <= 1;
  const short = folded.length <= 60 && !/[。!?;].+/.test(folded.replace(/[。]$/, ''));
  if (ANNEX.test(folded) && folded.length <= 30) return { level: 1 };
  if (annex) {
    // Inside an annex numbered lines are its items; only a short unnumbered line heads a list (2026年民生实事).
    if (folded.length <= 30 && single && !/^[\d一二三四五六七八九十]+[、.]/.test(folded) && !/[。]$/.test(folded)) return { level: 3 };
    return undefined;
  }
  if (PART_HEADING.test(folded) && short && !/。/.test(folded)) return { level: 1 };
  if (SECTION_HEADING.test(folded)) {
    if (short) return { level: 2 };
    const first = pieces[0];
    if (first && first.end <= 50 && pieces.length > 1) return { level: 2, inline: first.end };
    return undefined;
  }
  if (folded.length <= 40 && single && !/[。!?;]$/.test(folded) && !/[,:]/.test(folded) && !ADDRESS.test(folded)) {
    // An unnumbered line that names a period and a part of the genre heads a part; any other heads a block.
    if (PART_WORDS.test(folded) && headingPeriods(folded, year).length > 0) return { level: 1 };
    if (folded.length <= 24 && (part || section)) return { level: 3 };
  }
  if (ITEM_HEADING.test(folded) && folded.length <= 40 && single) return { level: section ? 3 : 2 };
  return undefined;
}

/** A cue in a paragraph's opening moves the period, within those the part heading names. */
function periodAfter(cue: Period | undefined, current: Period, allowed: Period[]): Period {
  if (!cue || cue === current) return current;
  if (allowed.length && !allowed.includes(cue)) return current;
  return cue;
}

/** A disclaimer line of the hosting site (short; a report paragraph can mention 侵权 too). */
export function isBoilerplate(line: string): boolean {
  const f = foldWidth(line);
  return f.length <= 160 && BOILERPLATE.some((re) => re.test(f)) && !/人民政府|各位代表/.test(f);
}

function newSection(
  sections: Section[],
  level: 1 | 2 | 3,
  title: string,
  path: string[],
  heading: number,
  period: Period,
  inline = false,
): Section {
  const section: Section = { index: sections.length, level, title, path, heading, paragraphs: [], children: [], period, ...(inline ? { inline } : {}) };
  sections.push(section);
  return section;
}

/** Longest quotation (“你好!重庆”) whose inner 。!?; do not end the sentence; past it, a quote is taken as unclosed. */
const MAX_QUOTE = 40;

/** Splits on 。!?; (half- and full-width), not inside a short quotation; offsets are relative to `text`. */
export function splitSentences(text: string): Array<Span & { text: string }> {
  const out: Array<Span & { text: string }> = [];
  const folded = foldWidth(text);
  let start = 0;
  for (const m of folded.matchAll(TERMINATOR)) {
    const at = m.index ?? 0;
    // “你好!重庆” goes on; a quotation that ends with the sentence (…。”) does not.
    if (!/[”」]/.test(m[0]) && insideQuote(folded, start, at)) continue;
    const end = at + m[0].length;
    pushTrimmed(out, text, start, end);
    start = end;
  }
  pushTrimmed(out, text, start, text.length);
  return out;
}

/** Whether `at` stands inside a quotation opened after `from` and closed within MAX_QUOTE characters. */
function insideQuote(s: string, from: number, at: number): boolean {
  const open = Math.max(s.lastIndexOf('“', at), s.lastIndexOf('「', at));
  if (open < from || open < Math.max(s.lastIndexOf('”', at), s.lastIndexOf('」', at))) return false;
  const close = s.slice(at, open + MAX_QUOTE + 1).search(/[”」]/);
  return close > 0;
}

/** Splits a sentence into clauses on , : (and their full-width forms); offsets relative to `text`. */
export function splitClauses(text: string): Array<Span & { text: string }> {
  const out: Array<Span & { text: string }> = [];
  const folded = foldWidth(text);
  let start = 0;
  let depth = 0;
  for (let i = 0; i < folded.length; i++) {
    const ch = folded[i]!;
    if (ch === '“' || ch === '「' || ch === '(' || ch === '《') depth++;
    else if ((ch === '”' || ch === '」' || ch === ')' || ch === '》') && depth > 0) depth--;
    else if (depth === 0 && (ch === ',' || ch === ':')) {
      pushTrimmed(out, text, start, i + 1);
      start = i + 1;
    }
  }
  pushTrimmed(out, text, start, text.length);
  return out;
}

function pushTrimmed(out: Array<Span & { text: string }>, text: string, start: number, end: number): void {
  let s = start;
  let e = end;
  while (s < e && /\s/.test(text[s]!)) s++;
  while (e > s && /\s/.test(text[e - 1]!)) e--;
  if (e > s) out.push({ start: s, end: e, text: text.slice(s, e) });
}

/** The words just before a colon, as a label: 今年经济社会发展主要预期目标是 → 今年经济社会发展主要预期目标. */
function labelBefore(text: string): string | undefined {
  const last = text.split(/[,，。;；]/).pop()!.replace(/(?:为|是)$/, '').trim();
  return last.length >= 2 && last.length <= 24 ? last : undefined;
}

function isTopicSentence(bare: string): boolean {
  return bare.length >= 4 && bare.length <= 20 && !/[,:、]/.test(bare);
}

/**
 * A body paragraph's topic: a short lead sentence with no comma (多点发力提振消费。, ——经济综合实力实现
 * 新跃升。), or the label of an opening "X是:" (主要预期目标是:…). An inline section heading is the
 * section's title, not the paragraph's topic.
 */
function topicOf(p: Paragraph, inlineHeading: number | undefined): string | undefined {
  const k = inlineHeading ? 1 : 0;
  const first = p.sentences[k];
  if (first && p.sentences.length > k + 1) {
    // 这五年，城市核心功能迈上新台阶。: a period said first does not make the lead sentence less of a topic.
    const lead = /^(?:——)?(?:这五年|五年来|过去五年|一年来|过去一年|今年|我们)[,，]/.exec(first.text)?.[0] ?? '';
    const bare = foldWidth(first.text.slice(lead.length)).replace(/^——/, '').replace(/[。!?;]+$/, '');
    if (isTopicSentence(bare)) return first.text.slice(lead.length).replace(/^——/, '').replace(/[。!?;！？；]+$/, '');
  }
  if (inlineHeading) return undefined;
  const label = /^([^,。:]{2,12}?)(?:是)?:/.exec(foldWidth(p.text));
  if (label?.[1]) return p.text.slice(0, label[1].length);
  return undefined;
}
