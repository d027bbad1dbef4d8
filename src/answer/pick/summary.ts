import { normalizeText } from '../../corpus/normalize.ts';
import type { Period, Report, Section, Span } from '../../corpus/types.ts';
import type { SearchIndex } from '../../search/store.ts';
import type { Query } from '../analyze.ts';
import { factPick } from '../clauses.ts';
import { compose, joinSpans, type Draft } from '../compose.ts';
import { messages } from '../messages.ts';
import type { Ranked } from '../rank.ts';
import { SPAN_BUDGET, SUMMARY } from '../tuning.ts';
import { conceptShare, strength, type SentenceView, type SentenceViews } from '../views.ts';
import type { PickContext } from './context.ts';

/**
 * Summary questions. A whole section (第五部分, 民生那一块) is answered with its heading and the topics of
 * its paragraphs; a paragraph (怎么优化营商环境) with its topic and the opening clause(s) of each of its
 * sentences, which is how these reports are written: every sentence leads with its measure.
 */
export function pickSummary({ q, ranked, index, views }: PickContext): Draft {
  let best = ranked[0]!;
  // A part's heading (二、“十五五”时期目标任务) is too broad when a passage inside it says more of what is asked.
  if (best.view.paragraph.kind === 'part-heading') {
    const inside = ranked.find((r) => r !== best && r.view.paragraph.kind === 'body' && r.view.reportIndex === best.view.reportIndex && r.view.paragraph.sectionPath[0] === best.view.paragraph.text && r.coverage >= best.coverage - 0.1);
    if (inside) best = inside;
  }
  const report = best.view.report;
  const section = targetSection(q, best, report);
  if (section) return sectionSummary(section, report, index, views, ranked);
  const lead = leadIn(best.view, best.score);
  if (lead) return lead;
  // A one-line heading over a paragraph (这是…的五年。): the paragraph it heads.
  const headed = report.paragraphs[best.view.paragraph.index + 1];
  if (headed?.leadLine === best.view.paragraph.index) {
    const first = views.sibling(best.view, headed.sentences[0]!.index);
    if (first) return paragraphSummary({ ...best, view: first }, views, ranked);
  }
  return paragraphOrClauses(q, best, views, ranked);
}

/** The best sentence is a short topic line itself: of its paragraph (提高基层治理效能。) or of a block in it. */
export function isTopicLine(r: Ranked): boolean {
  const p = r.view.paragraph;
  const bare = r.view.sentence.text.replace(/[。!?！？;；]$/, '').replace(/^——/, '');
  return (Boolean(p.topic) && bare === p.topic && p.sentences.length > 1) || (Boolean(r.view.sentence.topic) && bare === r.view.sentence.topic);
}

/** The sentences of the block a sentence belongs to: from its topic sentence to the next block's. */
function blockOf(v: SentenceView): { first: number; last: number } | undefined {
  const topic = v.sentence.topic;
  if (!topic) return undefined;
  const ss = v.paragraph.sentences;
  const at = ss.findIndex((s) => s.index === v.sentence.index);
  let first = at;
  while (first > 0 && ss[first - 1]!.topic === topic && !ss[first]!.text.startsWith(topic)) first--;
  if (!ss[first]!.text.replace(/^——/, '').startsWith(topic)) return undefined;
  let last = at;
  while (last + 1 < ss.length && ss[last + 1]!.topic === topic) last++;
  return { first: ss[first]!.index, last: ss[last]!.index };
}

/**
 * A question about what a paragraph's topic names (营商环境怎么优化 → 持续优化营商环境) is answered with
 * the paragraph's summary; one about something inside it (养老 under 强化社会兜底保障) with its sentence.
 */
export function paragraphOrClauses(q: Query, best: Ranked, views: SentenceViews, ranked: Ranked[]): Draft {
  const p = best.view.paragraph;
  const topic = normalizeText(p.topic ?? '').toLowerCase();
  const share = conceptShare(q, topic);
  // Several subjects spread over the paragraph's sentences (就业养老托育这些兜底的事) ask about it as a whole.
  const spread = q.concepts.length >= 2 && best.coverage < 0.6 && conceptShare(q, best.view.paragraphNorm) >= 0.7;
  const aboutTopic = isTopicLine(best) || share >= 0.5 || spread;
  // Long paragraphs of provincial reports hold many blocks: summarise the block, not the whole.
  const block = blockOf(best.view);
  const wholeParagraph = block !== undefined && block.first === p.sentences[0]!.index && Boolean(p.topic);
  if (block && !wholeParagraph && block.last > block.first && (isTopicLine(best) || conceptShare(q, normalizeText(best.view.sentence.topic!).toLowerCase()) >= 0.5)) {
    return blockSummary(best, block, views, ranked);
  }
  if (p.kind === 'body' && p.topic && p.sentences.length > 1 && p.sentences.length <= 12 && aboutTopic) return paragraphSummary(best, views, ranked);
  // A summary question that lands on a paragraph's opening statement (这五年,我们持续扩大高水平对外开放,…):
  // the statement and what the paragraph's sentences lead with.
  if (q.intent === 'summary' && p.kind === 'body' && best.view.sentence.index === p.sentences[0]?.index && p.sentences.length > 1 && !block) {
    return openingSummary(best, views, ranked);
  }
  if (q.intent === 'summary') return subTopicSummary(q, best, views, ranked);
  return compose(q, best, factPick(q, best.view, views, SPAN_BUDGET.paragraph), ranked);
}

/**
 * Something inside a paragraph (教育 under 优化公共服务供给): the sentence that introduces it and the
 * following sentences that stay on it, each by its leading clauses.
 */
function subTopicSummary(q: Query, best: Ranked, views: SentenceViews, ranked: Ranked[]): Draft {
  let v = best.view;
  // A block opened by a short topic sentence (全力释放消费潜能。) is summarised from its topic on.
  const topicStart = v.sentence.topic ? v.paragraph.sentences.findLast((s) => s.index <= v.sentence.index && s.text.startsWith(v.sentence.topic!)) : undefined;
  if (topicStart && topicStart.index < v.sentence.index && v.sentence.index - topicStart.index <= 2 && conceptShare(q, normalizeText(v.sentence.topic!).toLowerCase()) >= 0.5) {
    v = views.sibling(v, topicStart.index) ?? v;
  }
  // A lead-in (总体要求是:…, 短板和不足,主要是:…) announces its own list: give all of it.
  const named = v.clauses.findIndex((c) => q.concepts.some((x) => strength(x, c.norm) > 0));
  if (named >= 0 && v.clauses.slice(named, named + 2).some((c) => /[:：]$/.test(c.text))) {
    return compose(q, best, factPick(q, v, views, SPAN_BUDGET.leadIn), ranked);
  }
  const spans: Span[] = [];
  let last = v;
  const fromTopic = v !== best.view;
  for (let i = v.sentence.index, n = 0; n < (fromTopic ? SUMMARY.subTopicSentences + 1 : SUMMARY.subTopicSentences); i++, n++) {
    const sv = i === v.sentence.index ? v : views.sibling(v, i);
    if (!sv || sv.sentence.paragraph !== v.sentence.paragraph) break;
    // A new block (another topic sentence) ends this one.
    if (sv !== v && sv.sentence.topic && sv.sentence.topic !== v.sentence.topic && sv.sentence.text.startsWith(sv.sentence.topic)) break;
    // Follow the subject, not a generic word it shares (发展, 产业).
    if (sv !== v && !fromTopic && conceptShare(q, sv.norm) < 0.5) break;
    // Start at the clause that names the subject (启动汽车贸易大道先导区建设), not at the sentence start.
    const from = sv === v && !fromTopic ? Math.max(0, sv.clauses.findIndex((c) => q.concepts.some((x) => strength(x, c.norm) >= 0.8))) : 0;
    let used = 0;
    for (const c of sv.clauses.slice(from)) {
      if (used > 0 && used + c.text.length > SUMMARY.clauseCap) break;
      spans.push({ start: c.start, end: c.end });
      used += c.text.length;
    }
    last = sv;
  }
  const answer = joinSpans(v.report.text, spans);
  return {
    found: true,
    intent: 'summary',
    answer,
    highlights: [],
    primary: [{ view: v, quote: { start: v.sentence.start, end: last.sentence.end }, score: best.score }],
    related: ranked.filter((r) => r !== best),
  };
}

/** The section a summary question is about, if it is about a whole section. */
function targetSection(q: Query, best: Ranked, report: Report): Section | undefined {
  const chapters = chaptersOf(report, best.view.paragraph.period);
  if (q.ordinal !== undefined && /部分|方面|章|节|项|块/.test(q.text)) {
    const s = chapters[q.ordinal - 1];
    if (s) return s;
  }
  if (best.view.paragraph.kind === 'section-heading' || best.view.paragraph.kind === 'part-heading') {
    return report.sections.find((s) => s.heading === best.view.paragraph.index);
  }
  let top: { s: Section; share: number } | undefined;
  for (const s of chapters) {
    const share = conceptShare(q, normalizeText(s.title).toLowerCase());
    if (!top || share > top.share) top = { s, share };
  }
  // 营商环境这块: when a paragraph's topic names the subject at least as well as any heading, the
  // question is about that paragraph, not the whole section.
  const topic = normalizeText(best.view.paragraph.topic ?? best.view.sentence.topic ?? '').toLowerCase();
  const topicShare = conceptShare(q, topic);
  if (top && top.share >= 0.6 && top.share >= topicShare) return top.s;
  // 那一部分 / 这块: the section the best passage belongs to.
  if (q.section && best.view.paragraph.section !== undefined && topicShare < 0.5) {
    const owner = report.sections[best.view.paragraph.section];
    if (owner && owner.level >= 2 && (!best.view.paragraph.topic || (top?.share ?? 0) > 0)) return owner.level === 3 ? report.sections.find((s) => s.children.includes(owner.index)) ?? owner : owner;
  }
  return undefined;
}

/** The sections of the second level, in the part of the given period (this year's plan by default). */
export function chaptersOf(report: Report, period: Period = 'current'): Section[] {
  const inPeriod = report.sections.filter((s) => s.level === 2 && s.period === period);
  return inPeriod.length ? inPeriod : report.sections.filter((s) => s.level === 2);
}

/** The heading's own words: its line, or the first sentence of the paragraph it opens inline. */
function headingSpan(report: Report, section: Section): { paragraph: number; span: Span } | undefined {
  const p = report.paragraphs[section.heading];
  if (!p) return undefined;
  if (section.inline) {
    const s = p.sentences[0]!;
    return { paragraph: p.index, span: { start: s.start, end: s.end } };
  }
  return { paragraph: p.index, span: { start: p.start, end: p.end } };
}

export function sectionSummary(section: Section, report: Report, index: SearchIndex, views: SentenceViews, ranked: Ranked[]): Draft {
  const r = index.reports.indexOf(report);
  const head = headingSpan(report, section);
  const topics = [
    ...section.children.map((c) => report.sections[c]!).filter((s) => s.level === 3).map((s) => s.title),
    ...section.paragraphs.map((i) => report.paragraphs[i]!.topic).filter((t): t is string => Boolean(t)),
    // An inline section's blocks (全力释放消费潜能。…) are its topics.
    ...(section.inline ? (report.paragraphs[section.heading]?.sentences ?? []).flatMap((s, k, all) => (s.topic && k > 0 && s.text.startsWith(s.topic) && k + 1 < all.length ? [s.topic] : [])) : []),
  ];
  const title = section.title.replace(/[。.]$/, '');
  const primary: Draft['primary'] = [];
  let answer = topics.length ? `${title}:${[...new Set(topics)].join(';')}。` : `${title}。`;
  if (head) {
    const first = report.paragraphs[head.paragraph]!.sentences[0]!;
    primary.push({ view: views.get(index.unitOf(r, first.index)), quote: head.span, score: 1 });
  }
  // A section with few topics of its own (a review section written as one paragraph, a heading line
  // over a paragraph): what its sentences lead with.
  const bodies = section.inline
    ? [report.paragraphs[section.heading]!]
    : section.paragraphs.map((i) => report.paragraphs[i]!).filter((p) => p.kind === 'body');
  const sentences = bodies.flatMap((p, k) => p.sentences.slice(section.inline && k === 0 ? 1 : 0));
  if (topics.length < 2 && sentences.length > 0) {
    const v = views.get(index.unitOf(r, sentences[0]!.index));
    const pieces = leadingClauses(v, views, sentences.map((x) => x.index), SUMMARY.budget);
    if (pieces.length) {
      answer = headed(title, report.text, pieces);
      const first = sentences[0]!;
      const inPara = sentences.filter((x) => x.paragraph === first.paragraph);
      const last = inPara[Math.min(inPara.length - 1, 6)]!;
      primary.length = 0;
      if (section.inline) primary.push({ view: views.get(index.unitOf(r, report.paragraphs[section.heading]!.sentences[0]!.index)), quote: { start: report.paragraphs[section.heading]!.start, end: last.end }, score: 1 });
      else {
        if (head) primary.push({ view: views.get(index.unitOf(r, report.paragraphs[head.paragraph]!.sentences[0]!.index)), quote: head.span, score: 1 });
        primary.push({ view: v, quote: { start: first.start, end: last.end }, score: 0.95 });
      }
      return { found: true, intent: 'summary', answer, highlights: [title], primary, related: ranked };
    }
  }
  const intro = section.paragraphs.map((i) => report.paragraphs[i]!).find((p) => !p.topic && p.index !== section.heading);
  if (intro) {
    const s = intro.sentences[0]!;
    primary.push({ view: views.get(index.unitOf(r, s.index)), quote: { start: s.start, end: s.end }, score: 0.9 });
  }
  return { found: true, intent: 'summary', answer, highlights: [title], primary, related: ranked };
}

/**
 * The opening clause(s) of each sentence, and the clauses that carry a figure or a named programme
 * (“两个确立”), within a budget: these reports lead every sentence with its measure.
 */
function leadingClauses(v: SentenceView, views: SentenceViews, sentences: number[], budget = Infinity): Span[] {
  const pieces: Span[] = [];
  let total = 0;
  for (const i of sentences) {
    const sv = views.sibling(v, i);
    if (!sv) continue;
    let used = 0;
    for (const c of sv.clauses) {
      if (used < SUMMARY.leadChars || ((/[“「]/.test(c.text) || c.figures.length > 0) && used + c.text.length <= SUMMARY.clauseCap)) {
        pieces.push({ start: c.start, end: c.end });
        used += c.text.length;
      }
    }
    total += used;
    if (total >= budget) break;
  }
  return pieces;
}

/** 标题:要点一,要点二。 — a heading, topic or opening, then the pieces it leads to. */
function headed(label: string, text: string, pieces: Span[]): string {
  return `${label}:${joinSpans(text, pieces).replace(/。$/, '')}。`;
}

/** A paragraph's opening statement, then what its other sentences lead with. */
function openingSummary(best: Ranked, views: SentenceViews, ranked: Ranked[]): Draft {
  const v = best.view;
  const p = v.paragraph;
  const rest = p.sentences.slice(1).map((s) => s.index);
  const pieces = leadingClauses(v, views, rest, SUMMARY.budget);
  const last = p.sentences[Math.min(p.sentences.length - 1, 7)]!;
  const opening = v.sentence.text.replace(/[。!?！？;；]+$/, '');
  return {
    found: true,
    intent: 'summary',
    answer: headed(opening, v.report.text, pieces),
    highlights: [],
    primary: [{ view: v, quote: { start: v.sentence.start, end: last.end }, score: best.score }],
    related: ranked.filter((r) => r.view.paragraph !== p),
  };
}

/** A block's topic, then the opening clause(s) of each of its sentences. */
function blockSummary(best: Ranked, block: { first: number; last: number }, views: SentenceViews, ranked: Ranked[]): Draft {
  const v = best.view;
  const sentences: number[] = [];
  for (let i = block.first + 1; i <= block.last && i <= block.first + SUMMARY.blockSentences; i++) sentences.push(i);
  const pieces = leadingClauses(v, views, sentences);
  const topic = v.sentence.topic!;
  const first = views.sibling(v, block.first) ?? v;
  const last = views.sibling(v, Math.min(block.last, block.first + SUMMARY.blockSentences)) ?? v;
  return {
    found: true,
    intent: 'summary',
    answer: headed(topic, v.report.text, pieces),
    highlights: [topic],
    primary: [{ view: first, quote: { start: first.sentence.start, end: last.sentence.end }, score: best.score }],
    related: ranked.filter((r) => r !== best),
  };
}

/** Topic, then the opening clause(s) of every later sentence of the paragraph. */
function paragraphSummary(best: Ranked, views: SentenceViews, ranked: Ranked[]): Draft {
  const v = best.view;
  const p = v.paragraph;
  // The topic is the first sentence, or a line of its own above the paragraph.
  const from = p.leadLine !== undefined && !p.sentences[0]!.text.replace(/^——/, '').startsWith(p.topic!) ? 0 : 1;
  const pieces = leadingClauses(v, views, p.sentences.slice(from).map((s) => s.index));
  const answer = headed(p.topic!, v.report.text, pieces);
  const last = p.sentences[p.sentences.length - 1]!;
  return {
    found: true,
    intent: 'summary',
    answer,
    highlights: [p.topic!],
    primary: [{ view: views.sibling(v, p.sentences[0]!.index) ?? v, quote: { start: p.sentences[0]!.start, end: last.end }, score: best.score }],
    related: ranked.filter((r) => r.view.paragraph !== p),
  };
}

/** A sentence ending in a colon introduces what follows: the headings of the next sections. */
export function leadIn(v: SentenceView, score: number): Draft | undefined {
  if (!/[:：]$/.test(v.sentence.text.trim())) return undefined;
  const report = v.report;
  const next = report.paragraphs[v.paragraph.index + 1];
  if (!next || (next.kind !== 'section-heading' && next.inlineHeading === undefined)) return undefined;
  const siblings = report.sections.filter((s) => s.level === 2 && s.heading > v.paragraph.index && s.period === v.paragraph.period);
  if (!siblings.length) return undefined;
  return {
    found: true,
    intent: 'summary',
    answer: `${v.sentence.text}${siblings.map((s) => s.title.replace(/[。.]$/, '')).join(';')}。`,
    highlights: [],
    primary: [{ view: v, quote: { start: v.sentence.start, end: v.sentence.end }, score }],
    related: [],
  };
}

/** With no subject at all (今年有哪些安排, 一共分几大块): the sections of the plan of the report in scope. */
export function overview(q: Query, report: Report, index: SearchIndex, views: SentenceViews): Draft {
  const r = index.reports.indexOf(report);
  // The report usually announces them itself (我们将重点做好以下六个方面工作:).
  const announcing = report.sentences.find((s) => {
    const p = report.paragraphs[s.paragraph]!;
    const next = report.paragraphs[s.paragraph + 1];
    return p.period === 'current' && /[:：]$/.test(s.text) && (next?.kind === 'section-heading' || next?.inlineHeading !== undefined) && s === p.sentences.at(-1);
  });
  if (announcing) {
    const lead = leadIn(views.get(index.unitOf(r, announcing.index)), 1);
    if (lead) return { ...lead, intent: q.intent };
  }
  const chapters = chaptersOf(report);
  const primary: Draft['primary'] = chapters.slice(0, 3).flatMap((s) => {
    const head = headingSpan(report, s);
    if (!head) return [];
    const p = report.paragraphs[head.paragraph]!;
    return [{ view: views.get(index.unitOf(r, p.sentences[0]!.index)), quote: head.span, score: 0.8 }];
  });
  return {
    found: true,
    intent: q.intent,
    answer: messages.overview(report.meta.title, chapters.map((s) => s.title.replace(/[。.]$/, ''))),
    highlights: [],
    primary,
    related: [],
  };
}
