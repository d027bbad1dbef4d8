import { createHash } from 'node:crypto';
import type { Paragraph, ParagraphKind, Report, ReportMeta, Section, Sentence, Span } from './types.ts';

/**
 * Turns a stored report (one paragraph per line, as published) into sections, paragraphs and
 * sentences with exact character offsets into the stored text.
 *
 * Structure of a Chinese government work report:
 *   二、2025年工作安排                      part heading (Chinese numeral + 、)
 *   (一)坚持扩大需求、提质增效,……           section heading ((一) … (十), half- or full-width brackets)
 *   多点发力提振消费。积极创新消费场景,……    body paragraph whose short lead sentence is its topic
 */
export function parseReport(text: string, meta: ReportMeta): Report {
  const paragraphs: Paragraph[] = [];
  const sentences: Sentence[] = [];
  const sections: Section[] = [];
  const dropped: string[] = [];

  let part: Section | undefined;
  let section: Section | undefined;
  if (meta.leadingPart) {
    part = newSection(sections, 1, meta.leadingPart, [meta.leadingPart], -1);
  }

  for (const line of lines(text)) {
    const content = line.text.trim();
    if (!content) continue;
    if (isBoilerplate(content)) {
      dropped.push(content);
      continue;
    }
    const lead = line.text.length - line.text.trimStart().length;
    const span: Span = { start: line.start + lead, end: line.start + lead + content.length };
    const index = paragraphs.length;
    const kind = headingKind(content);

    let sectionPath: string[];
    let owner: Section | undefined;
    if (kind === 'part-heading') {
      part = newSection(sections, 1, content, [content], index);
      section = undefined;
      sectionPath = part.path;
      owner = part;
    } else if (kind === 'section-heading') {
      const path = part ? [...part.path, content] : [content];
      section = newSection(sections, 2, content, path, index);
      if (part) part.children.push(section.index);
      sectionPath = section.path;
      owner = section;
    } else {
      // An address to the delegates (各位代表!) speaks for the whole part, not the last section.
      if (ADDRESS.test(content)) section = undefined;
      owner = section ?? part;
      owner?.paragraphs.push(index);
      sectionPath = owner ? [...owner.path] : [];
    }

    const paragraph: Paragraph = {
      index,
      kind,
      text: content,
      ...span,
      sectionPath,
      sentences: [],
      ...(owner ? { section: owner.index } : {}),
    };
    for (const s of splitSentences(content)) {
      const sentence: Sentence = {
        index: sentences.length,
        paragraph: index,
        start: span.start + s.start,
        end: span.start + s.end,
        text: s.text,
      };
      sentences.push(sentence);
      paragraph.sentences.push(sentence);
    }
    if (kind === 'body' && !ADDRESS.test(content)) {
      const topic = topicOf(paragraph);
      if (topic) {
        paragraph.topic = topic;
        paragraph.sectionPath = [...sectionPath, topic];
      }
    }
    paragraphs.push(paragraph);
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
const SECTION_HEADING = /^[((][一二三四五六七八九十]{1,3}[))]/;
const ADDRESS = /^各位代表[!!,,]/;
/** Sentence terminators; closing quotes and brackets that follow stay with the sentence. */
const TERMINATOR = /[。!?;!?;]+[”’」』))]*/g;
const BOILERPLATE = [/免责声明/, /不代表本站/, /本站为/, /未经许可,?不得转载/, /侵权/, /版权所有/, /来源于网络/];

function headingKind(content: string): ParagraphKind {
  // Headings are short and carry no full stop; a body paragraph can start with 一、 in a list.
  if (content.length > 60 || /[。]/.test(content)) return 'body';
  if (PART_HEADING.test(content)) return 'part-heading';
  if (SECTION_HEADING.test(content)) return 'section-heading';
  return 'body';
}

export function isBoilerplate(line: string): boolean {
  return BOILERPLATE.some((re) => re.test(line));
}

function newSection(
  sections: Section[],
  level: 1 | 2,
  title: string,
  path: string[],
  heading: number,
): Section {
  const section: Section = { index: sections.length, level, title, path, heading, paragraphs: [], children: [] };
  sections.push(section);
  return section;
}

function* lines(text: string): Generator<{ text: string; start: number }> {
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    const raw = text.slice(start, end);
    yield { text: raw.endsWith('\r') ? raw.slice(0, -1) : raw, start };
    start = end + 1;
  }
}

/** Splits on 。!?; (half- and full-width); offsets are relative to `text`. */
export function splitSentences(text: string): Array<Span & { text: string }> {
  const out: Array<Span & { text: string }> = [];
  let start = 0;
  for (const m of text.matchAll(TERMINATOR)) {
    const end = (m.index ?? 0) + m[0].length;
    pushTrimmed(out, text, start, end);
    start = end;
  }
  pushTrimmed(out, text, start, text.length);
  return out;
}

/** Splits a sentence into clauses on , : (and their full-width forms); offsets relative to `text`. */
export function splitClauses(text: string): Array<Span & { text: string }> {
  const out: Array<Span & { text: string }> = [];
  let start = 0;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '“' || ch === '「' || ch === '(' || ch === '(') depth++;
    else if ((ch === '”' || ch === '」' || ch === ')' || ch === ')') && depth > 0) depth--;
    else if (depth === 0 && (ch === ',' || ch === ',' || ch === ':' || ch === ':')) {
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

/**
 * A body paragraph's topic: a short lead sentence with no comma (多点发力提振消费。), or the label
 * of an opening "X是:" (主要预期目标是:…).
 */
function topicOf(p: Paragraph): string | undefined {
  const first = p.sentences[0];
  if (first && p.sentences.length > 1) {
    const bare = first.text.replace(/[。!?;!?;]+$/, '');
    if (bare.length >= 4 && bare.length <= 20 && !/[,,::、]/.test(bare)) return bare;
  }
  const label = /^([^,,。::]{2,12}?)(?:是)?[::]/.exec(p.text);
  if (label?.[1]) return label[1];
  return undefined;
}
