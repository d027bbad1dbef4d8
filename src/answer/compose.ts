import { extractQuantities, normalizeText } from '../corpus/normalize.ts';
import type { Report, Section, Span } from '../corpus/types.ts';
import { retrieve, type RetrievalWeights } from '../search/retrieve.ts';
import type { IdentifiedEmbeddings, SearchIndex } from '../search/store.ts';
import { analyzeQuestion, MAX_QUESTION_LENGTH, type AnalyzeContext, type Query } from './analyze.ts';
import { messages } from './messages.ts';
import {
  factPick,
  figureClauses,
  focusCovered,
  hasDate,
  hasPlace,
  incrementOnly,
  pickFromClauses,
  rank,
  statesQuestionFigures,
  strength,
  type Pick,
  type Ranked,
  type SentenceView,
  SentenceViews,
} from './select.ts';
import type { Answer, AskOptions, Citation, Intent, RefusalReason } from './types.ts';

/**
 * The answering pipeline: analyse → refuse what the report cannot answer → retrieve → rank → cut the
 * answer from the report → cite. Refusal comes first and is specific: a wrong number is worse than
 * "the report does not say".
 */

/** Coverage of the question's concepts below which the report is taken not to answer. */
const MIN_COVERAGE = 0.4;

export interface PipelineDeps {
  index: SearchIndex;
  ctx: AnalyzeContext;
  embeddings: IdentifiedEmbeddings;
  views: SentenceViews;
  weights?: RetrievalWeights;
  /** Called when the dense half fails (the answer then comes from lexical retrieval alone). */
  onDenseError?: (err: unknown) => void;
}

interface Draft {
  found: boolean;
  intent: Intent;
  answer: string;
  highlights: string[];
  /** Verbatim spans to cite first, in order, then related passages. */
  primary: Array<{ view: SentenceView; quote: Span; score: number }>;
  related: Ranked[];
  reason?: RefusalReason;
}

export async function answerQuestion(question: string, options: AskOptions, deps: PipelineDeps): Promise<Answer> {
  const q = analyzeQuestion(question, deps.ctx);
  const maxCitations = Math.min(3, Math.max(1, options.maxCitations ?? 3));
  const draft = await draftAnswer(q, deps);
  return {
    question: q.raw,
    found: draft.found,
    answer: draft.answer,
    citations: citationsOf(draft, maxCitations),
    latencyMs: 0,
    intent: draft.intent,
    ...(draft.reason ? { reason: draft.reason } : {}),
    highlights: draft.highlights,
    ...(q.truncated ? { notice: messages.truncated(MAX_QUESTION_LENGTH) } : {}),
  };
}

function refuse(q: Query, reason: RefusalReason, answer: string, related: Ranked[] = []): Draft {
  return { found: false, intent: q.intent, answer, highlights: [], primary: [], related, reason };
}

async function draftAnswer(q: Query, deps: PipelineDeps): Promise<Draft> {
  const { index, views } = deps;
  const title = index.reports[0]!.meta.title;
  if (!q.text) return refuse(q, 'empty', messages.empty);
  if (q.flags.personal) return refuse(q, 'personal-data', messages.personalData);

  if (q.ordinal !== undefined && q.section) {
    // 第三部分讲啥: the section itself, whatever else the question says.
    const report = index.reports[0]!;
    const chapter = report.sections.filter((s) => s.level === 2)[q.ordinal - 1];
    if (chapter) return sectionSummary(chapter, report, index, views, []);
  }
  if (q.concepts.length === 0 && !q.flags.injection) {
    if (!q.flags.greeting && !q.english && (q.intent === 'summary' || q.intent === 'list' || q.section)) {
      return overview(q, index, views);
    }
    if (q.english && !q.flags.greeting) return refuse(q, 'not-found', messages.notFound(''));
    return refuse({ ...q, intent: 'chitchat' }, 'chitchat', messages.chitchat(title));
  }

  let vector: number[] | undefined;
  try {
    vector = await deps.embeddings.embedQuery(q.concepts.flatMap((c) => c.forms.slice(0, 3)).join(' ') || q.text);
  } catch (err) {
    // A neural embedder that is down or misconfigured must not take answers down: lexical retrieval stands alone.
    deps.onDenseError?.(err);
  }
  const candidates = await retrieve(index, { terms: q.terms, ...(vector ? { vector } : {}) }, { limit: 24, ...(deps.weights ? { weights: deps.weights } : {}) });
  const ranked = rank(q, candidates, views);
  const best = ranked[0];
  const related = ranked.filter((r) => r.coverage >= 0.3);

  if (q.flags.injection) return refuse(q, 'injection', messages.injection, related);
  if (q.flags.howTo) return refuse(q, 'not-found', messages.noProcedure, related);
  // Out of scope (another place, another year) is the more useful thing to say, so it is said first.
  const outOfScope = scopeRefusal(q, best, related, index.reports[0]!);
  if (outOfScope) return outOfScope;
  // 投资最大的是哪一个: the report must rank things itself.
  if (best && q.superlative && !/最|首|第一|之最|龙头/.test(best.view.sentence.text)) {
    return refuse(q, 'not-found', messages.noRanking, related);
  }
  if (!best || best.coverage < MIN_COVERAGE) {
    if (q.flags.greeting) return refuse({ ...q, intent: 'chitchat' }, 'chitchat', messages.chitchat(title));
    return refuse(q, 'not-found', messages.notFound(topicOf(q)), related);
  }

  switch (q.intent) {
    case 'summary':
      return summary(q, ranked, index, views);
    case 'number':
    case 'cost':
      return figure(q, ranked, related);
    case 'when': {
      if (!hasDate(best.view)) return refuse(q, 'no-date', messages.noDate, related);
      return compose(q, best, factPick(q, best.view, views, 60), ranked);
    }
    case 'where': {
      let pick = factPick(q, best.view, views, 60);
      if (!hasPlace(q, pick.spans, best.view)) {
        // The place may stand in the clause next to the one naming the subject (在邮轮港区…,打造“三区互融”).
        const near = best.view.clauses.filter(
          (c) => /^(?:在|于|位于)/.test(c.text) && pick.spans.some((s) => Math.abs(c.start - s.end) <= 1 || Math.abs(c.end - s.start) <= 1),
        );
        const withPlace = near.find((c) => hasPlace(q, [c], best.view));
        if (!withPlace) return refuse(q, 'no-place', messages.noPlace, related);
        pick = { ...pick, spans: [...pick.spans, { start: withPlace.start, end: withPlace.end }].sort((a, b) => a.start - b.start) };
      }
      return compose(q, best, pick, ranked);
    }
    case 'list':
    case 'who': {
      if (q.section) return summary(q, ranked, index, views);
      if (isTopicLine(best)) return paragraphOrClauses(q, best, views, ranked);
      const pick = factPick(q, best.view, views, 140);
      // 具体是哪30项: a count the report gives without listing the items.
      if (q.asksEnumeration && !/、/.test(joinSpans(best.view.report.text, pick.spans))) {
        return refuse(q, 'not-found', messages.noItems, related);
      }
      return compose(q, best, pick, ranked);
    }
    default:
      // A question that lands on a section heading (民生方面总的安排) is about the section.
      if (q.section || q.ordinal !== undefined || best.view.paragraph.kind === 'section-heading') return summary(q, ranked, index, views);
      if (isTopicLine(best)) return paragraphOrClauses(q, best, views, ranked);
      return compose(q, best, factPick(q, best.view, views, 60), ranked);
  }
}

/** Another place, or a year the report does not cover, must be named by the text itself. */
function scopeRefusal(q: Query, best: Ranked | undefined, related: Ranked[], report: Report): Draft | undefined {
  const meta = best?.view.report.meta ?? report.meta;
  const norm = best ? `${best.view.norm} ${best.view.paragraphNorm}` : '';
  for (const place of q.places) {
    if (!norm.includes(place.toLowerCase())) {
      return refuse(q, 'other-place', messages.otherPlace(place, meta.region), related);
    }
  }
  if (q.time.scope === 'past' || q.time.scope === 'future') {
    const marker = q.time.marker ?? '';
    const named = marker !== '' && norm.includes(marker);
    // Text under a part about an earlier year (一、2024年工作回顾) does speak of that year.
    const partYear = /(?:19|20)\d{2}/.exec(best?.view.paragraph.sectionPath[0] ?? '')?.[0];
    const pastPart = q.time.scope === 'past' && partYear !== undefined && Number(partYear) < meta.year;
    if (!named && !(pastPart && q.intent !== 'number' && q.intent !== 'cost')) {
      return refuse(q, 'other-year', messages.otherYear(marker || '该年度', meta.year, meta.region), related);
    }
  }
  return undefined;
}

/** The best sentence is the paragraph's short topic line itself (提高基层治理效能。). */
function isTopicLine(r: Ranked): boolean {
  const p = r.view.paragraph;
  return Boolean(p.topic) && r.view.sentence.text.replace(/[。!?!?]$/, '') === p.topic && p.sentences.length > 1;
}

/** How the question itself names its subject (地铁5号线), for refusal messages. */
function topicOf(q: Query): string {
  if (q.english) return '';
  const focus = q.concepts.filter((c) => c.focus);
  const named = focus.length ? focus : q.concepts.slice(0, 3);
  const at = named.map((c) => ({ start: q.text.indexOf(c.text), end: q.text.indexOf(c.text) + c.text.length })).filter((x) => x.start >= 0);
  if (at.length === named.length && at.length > 0) {
    const span = q.text.slice(Math.min(...at.map((x) => x.start)), Math.max(...at.map((x) => x.end)));
    if ([...span].length <= 12 && !/[,,。??!!\s]/.test(span)) return span;
  }
  return named.map((c) => c.text).join('');
}

/** Number and cost questions: the clause with the figure, its unit and qualifier. */
function figure(q: Query, ranked: Ranked[], related: Ranked[]): Draft {
  const best = ranked[0]!;
  const pool = ranked.slice(0, 6).filter((r) => r.coverage >= Math.max(MIN_COVERAGE, 0.8 * best.coverage));
  for (const r of pool) {
    if (!focusCovered(q, r.view)) continue;
    if (!q.yesNo && !statesQuestionFigures(q, r.view)) continue;
    const pick = figureClauses(q, r.view);
    if (!pick) continue;
    if (incrementOnly(q, r.view, pick.clauses)) return refuse(q, 'no-figure', messages.noCount(topicOf(q)), related);
    // Two figures asked at once (多少条路、多少处区域): keep every item.
    const twoAsked = (q.text.match(/多少|几(?!种|类)/g) ?? []).length >= 2;
    const whole = pickFromClauses(r.view, pick.clauses);
    const narrowed = twoAsked ? whole : narrowToItems(q, whole);
    if (!narrowed) continue;
    return compose(q, r, narrowed, ranked);
  }
  if (q.intent === 'cost') return refuse(q, 'no-price', messages.noPrice, related);
  // Asked for an amount where the report gives only a growth rate.
  const rates = figureClauses({ ...q, wants: 'percent' }, best.view);
  if (rates && (q.total || q.wants === 'money')) return refuse(q, 'no-figure', messages.noTotal(topicOf(q)), related);
  return refuse(q, 'no-figure', messages.noFigure(topicOf(q)), related);
}

/**
 * One clause can list several figures (认定省级瞪羚企业3家、专精特新企业15家、高新技术企业70家): when the
 * question is about some of the items, answer with those items only.
 */
function narrowToItems(q: Query, pick: Pick): Pick | undefined {
  if (pick.spans.length !== 1) return pick;
  const text = pick.view.report.text;
  const span = pick.spans[0]!;
  const items: Span[] = [];
  let start = span.start;
  for (let i = span.start; i <= span.end; i++) {
    if (i === span.end || text[i] === '、') {
      items.push({ start, end: i });
      start = i + 1;
    }
  }
  if (items.length < 2) return pick;
  const hasFigure = (it: Span) => extractQuantities(text.slice(it.start, it.end)).some((f) => !f.ordinal);
  const withFigure = items.every(hasFigure);
  const focus = q.concepts.filter((c) => c.focus);
  const about = (it: Span) => focus.length > 0 && focus.every((c) => strength(c, normalizeText(text.slice(it.start, it.end)).toLowerCase()) >= 0.8);
  // 访问港航次再创新高 beside 邮轮航次40个以上: the item asked about has no figure of its own.
  if (!withFigure && items.some(about) && items.filter(about).every((it) => !hasFigure(it))) return undefined;
  if (!withFigure || (focus.length === 0 && !q.unit)) return pick;
  const unitOf = (it: Span) => extractQuantities(text.slice(it.start, it.end)).some((f) => f.unit === q.unit);
  // 专精特新和瞪羚企业各几家: each item about one of them.
  const subjects = q.concepts.filter((c) => c.noun);
  const each = /各|分别/.test(q.text) && subjects.length > 1;
  const matchesItem = (it: Span, c: (typeof focus)[number]) => strength(c, normalizeText(text.slice(it.start, it.end)).toLowerCase()) >= 0.8;
  let hits = each
    ? items.filter((it) => subjects.some((c) => matchesItem(it, c)))
    : focus.length
      ? items.filter((it) => focus.every((c) => matchesItem(it, c)))
      : [];
  // 星级示范路今年搞几条: the item counted in 条.
  if (q.unit && items.some(unitOf) && !items.every(unitOf) && (hits.length === 0 || !hits.some(unitOf))) hits = items.filter(unitOf);
  if (hits.length === 0 || hits.length === items.length) return pick;
  return { ...pick, spans: hits };
}

/** Builds the answer text from verbatim spans (adjacent spans stay joined as in the source). */
function compose(q: Query, chosen: Ranked, pick: Pick, ranked: Ranked[]): Draft {
  const answer = joinSpans(pick.view.report.text, pick.spans);
  const highlights = figuresIn(pick).filter((h) => answer.includes(h));
  return {
    found: true,
    intent: q.intent,
    answer: q.yesNo && !q.asksEnumeration ? yesNoPrefix(q, pick, answer) + answer : answer,
    highlights,
    primary: [{ view: pick.view, quote: pick.quote, score: chosen.score }],
    related: ranked.filter((r) => r !== chosen),
  };
}

function joinSpans(text: string, spans: Span[]): string {
  const parts: string[] = [];
  let cur: Span | undefined;
  for (const s of spans) {
    if (cur && /^[\s,,::;;、]*$/.test(text.slice(cur.end, s.start))) cur = { start: cur.start, end: s.end };
    else {
      if (cur) parts.push(text.slice(cur.start, cur.end));
      cur = { ...s };
    }
  }
  if (cur) parts.push(text.slice(cur.start, cur.end));
  const answer = parts.map((p) => p.replace(/[,,::;;、]$/, '')).join(',');
  return /[。!?!?]$/.test(answer) ? answer : `${answer}。`;
}

/** Figures as written in the source, for emphasis. */
function figuresIn(pick: Pick): string[] {
  const out: string[] = [];
  for (const c of pick.view.clauses) {
    if (!pick.spans.some((s) => s.start <= c.start && c.end <= s.end)) continue;
    for (const f of c.figures) out.push(c.text.slice(f.start, f.end));
  }
  return [...new Set(out)];
}

/** 是不是两万多? → 是的 when the figure in the question agrees with the report, else the report's figure. */
const LEVEL = /国家级|全国|省级|市级|区级/;

function yesNoPrefix(q: Query, pick: Pick, answer: string): string {
  // 争创国家级步行街吗 where the report says 省级: say what the report says instead.
  const askedLevel = LEVEL.exec(q.text)?.[0];
  const statedLevel = LEVEL.exec(answer)?.[0];
  if (askedLevel && statedLevel && askedLevel !== statedLevel) return messages.reportSays;
  if (q.quantities.length === 0) {
    // 是的 only when the clause states what was asked; 够吗 / 好不好 are judgements the report does not make.
    if (/够|足够|多不多|高不高|好不好|行不行|合理|满意/.test(q.text)) return '';
    const norm = normalizeText(answer).toLowerCase();
    const total = q.concepts.reduce((a, c) => a + c.weight, 0) || 1;
    const share = q.concepts.reduce((a, c) => a + c.weight * strength(c, norm), 0) / total;
    return share >= 0.7 ? messages.yes : '';
  }
  const figures = pick.view.clauses
    .filter((c) => pick.spans.some((s) => s.start <= c.start && c.end <= s.end))
    .flatMap((c) => c.figures);
  const agrees = q.quantities.every((asked) =>
    figures.some((f) => {
      if (asked.qualifier === '多' || asked.qualifier === '余' || asked.qualifier === '以上') {
        const magnitude = 10 ** Math.floor(Math.log10(Math.max(1, asked.value)));
        return f.value >= asked.value && f.value < asked.value + magnitude;
      }
      return Math.abs(f.value - asked.value) < 1e-9;
    }),
  );
  return agrees ? messages.yes : messages.figureDiffers;
}

/**
 * Summary questions. A whole section (第五部分, 民生那一块) is answered with its heading and the topics of
 * its paragraphs; a paragraph (怎么优化营商环境) with its topic and the opening clause(s) of each of its
 * sentences, which is how these reports are written: every sentence leads with its measure.
 */
function summary(q: Query, ranked: Ranked[], index: SearchIndex, views: SentenceViews): Draft {
  const best = ranked[0]!;
  const report = best.view.report;
  const section = targetSection(q, best, report);
  if (section) return sectionSummary(section, report, index, views, ranked);

  const lead = leadIn(best.view, best.score);
  if (lead) return lead;
  return paragraphOrClauses(q, best, views, ranked);
}

/**
 * A question about what a paragraph's topic names (营商环境怎么优化 → 持续优化营商环境) is answered with
 * the paragraph's summary; one about something inside it (养老 under 强化社会兜底保障) with its sentence.
 */
function paragraphOrClauses(q: Query, best: Ranked, views: SentenceViews, ranked: Ranked[]): Draft {
  const p = best.view.paragraph;
  const topic = normalizeText(p.topic ?? '').toLowerCase();
  const total = q.concepts.reduce((a, c) => a + c.weight, 0) || 1;
  const share = q.concepts.reduce((a, c) => a + c.weight * strength(c, topic), 0) / total;
  // Several subjects spread over the paragraph's sentences (就业养老托育这些兜底的事) ask about it as a whole.
  const spread = q.concepts.length >= 2 && best.coverage < 0.6 && coverageOf(q, best.view.paragraphNorm) >= 0.7;
  const aboutTopic = isTopicLine(best) || share >= 0.5 || spread;
  if (p.kind === 'body' && p.topic && p.sentences.length > 1 && aboutTopic) return paragraphSummary(best, views, ranked);
  if (q.intent === 'summary') return subTopicSummary(q, best, views, ranked);
  return compose(q, best, factPick(q, best.view, views, 120), ranked);
}

function coverageOf(q: Query, norm: string): number {
  const total = q.concepts.reduce((a, c) => a + c.weight, 0) || 1;
  return q.concepts.reduce((a, c) => a + c.weight * strength(c, norm), 0) / total;
}

/**
 * Something inside a paragraph (教育 under 优化公共服务供给): the sentence that introduces it and the
 * following sentences that stay on it, each by its leading clauses.
 */
function subTopicSummary(q: Query, best: Ranked, views: SentenceViews, ranked: Ranked[]): Draft {
  const v = best.view;
  // A lead-in (总体要求是:…, 短板和不足,主要是:…) announces its own list: give all of it.
  const named = v.clauses.findIndex((c) => q.concepts.some((x) => strength(x, c.norm) > 0));
  if (named >= 0 && v.clauses.slice(named, named + 2).some((c) => /[::]$/.test(c.text))) {
    return compose(q, best, factPick(q, v, views, 400), ranked);
  }
  const spans: Span[] = [];
  let last = v;
  for (let i = v.sentence.index, n = 0; n < 3; i++, n++) {
    const sv = i === v.sentence.index ? v : views.sibling(v, i);
    if (!sv || sv.sentence.paragraph !== v.sentence.paragraph) break;
    // Follow the subject, not a generic word it shares (发展, 产业).
    if (sv !== v && coverageOf(q, sv.norm) < 0.5) break;
    // Start at the clause that names the subject (启动汽车贸易大道先导区建设), not at the sentence start.
    const from = sv === v ? Math.max(0, sv.clauses.findIndex((c) => q.concepts.some((x) => strength(x, c.norm) >= 0.8))) : 0;
    let used = 0;
    for (const c of sv.clauses.slice(from)) {
      if (used > 0 && used + c.text.length > 90) break;
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
  const chapters = report.sections.filter((s) => s.level === 2);
  if (q.ordinal !== undefined && /部分|方面|章|节|项|块/.test(q.text)) {
    const s = chapters[q.ordinal - 1];
    if (s) return s;
  }
  if (best.view.paragraph.kind === 'section-heading') {
    return report.sections.find((s) => s.heading === best.view.paragraph.index);
  }
  const total = q.concepts.reduce((a, c) => a + c.weight, 0) || 1;
  let top: { s: Section; share: number } | undefined;
  for (const s of chapters) {
    const heading = s.title.toLowerCase();
    const share = q.concepts.reduce((a, c) => a + c.weight * strength(c, heading), 0) / total;
    if (!top || share > top.share) top = { s, share };
  }
  // 营商环境这块: when a paragraph's topic names the subject at least as well as any heading, the
  // question is about that paragraph, not the whole section.
  const topic = normalizeText(best.view.paragraph.topic ?? '').toLowerCase();
  const topicShare = q.concepts.reduce((a, c) => a + c.weight * strength(c, topic), 0) / total;
  if (top && top.share >= 0.6 && top.share >= topicShare) return top.s;
  // 那一部分 / 这块: the section the best passage belongs to.
  if (q.section && best.view.paragraph.section !== undefined && topicShare < 0.5) {
    const owner = report.sections[best.view.paragraph.section];
    if (owner?.level === 2 && (!best.view.paragraph.topic || (top?.share ?? 0) > 0)) return owner;
  }
  return undefined;
}

function sectionSummary(section: Section, report: Report, index: SearchIndex, views: SentenceViews, ranked: Ranked[]): Draft {
  const r = index.reports.indexOf(report);
  const heading = report.paragraphs[section.heading]!;
  const headingView = views.get(index.unitOf(r, heading.sentences[0]!.index));
  const topics = section.paragraphs.map((i) => report.paragraphs[i]!.topic).filter((t): t is string => Boolean(t));
  const answer = topics.length ? `${section.title}:${topics.join(';')}。` : `${section.title}。`;
  const primary: Draft['primary'] = [{ view: headingView, quote: { start: heading.start, end: heading.end }, score: 1 }];
  const intro = section.paragraphs.map((i) => report.paragraphs[i]!).find((p) => !p.topic);
  if (intro) {
    const s = intro.sentences[0]!;
    primary.push({ view: views.get(index.unitOf(r, s.index)), quote: { start: s.start, end: s.end }, score: 0.9 });
  }
  return { found: true, intent: 'summary', answer, highlights: [section.title], primary, related: ranked };
}

/** Topic, then the opening clause(s) of every later sentence of the paragraph. */
function paragraphSummary(best: Ranked, views: SentenceViews, ranked: Ranked[]): Draft {
  const v = best.view;
  const p = v.paragraph;
  const pieces: Span[] = [];
  for (const s of p.sentences.slice(1)) {
    const sv = views.sibling(v, s.index);
    if (!sv) continue;
    // Each sentence leads with its measure; keep its opening clause(s) (about 16 characters) and the
    // clauses that carry a named programme (“两个确立”), within about 60 characters.
    let used = 0;
    for (const c of sv.clauses) {
      if (used < 40 || ((/[“「]/.test(c.text) || c.figures.length > 0) && used + c.text.length <= 90)) {
        pieces.push({ start: c.start, end: c.end });
        used += c.text.length;
      }
    }
  }
  const answer = `${p.topic}:${joinSpans(v.report.text, pieces).replace(/。$/, '')}。`;
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
function leadIn(v: SentenceView, score: number): Draft | undefined {
  if (!/[::]$/.test(v.sentence.text.trim())) return undefined;
  const report = v.report;
  const next = report.paragraphs[v.paragraph.index + 1];
  if (!next || next.kind !== 'section-heading') return undefined;
  const siblings = report.sections.filter((s) => s.level === 2 && s.heading > v.paragraph.index);
  if (!siblings.length) return undefined;
  return {
    found: true,
    intent: 'summary',
    answer: `${v.sentence.text}${siblings.map((s) => s.title).join(';')}。`,
    highlights: [],
    primary: [{ view: v, quote: { start: v.sentence.start, end: v.sentence.end }, score }],
    related: [],
  };
}

/** With no subject at all (今年有哪些安排, 一共分几大块): the report's sections. */
function overview(q: Query, index: SearchIndex, views: SentenceViews): Draft {
  const report = index.reports[0]!;
  // The report usually announces them itself (我们将重点做好以下六个方面工作:).
  const announcing = report.sentences.find(
    (s) => /[::]$/.test(s.text) && report.paragraphs[s.paragraph + 1]?.kind === 'section-heading' && s === report.paragraphs[s.paragraph]!.sentences.at(-1),
  );
  if (announcing) {
    const lead = leadIn(views.get(index.unitOf(0, announcing.index)), 1);
    if (lead) return { ...lead, intent: q.intent };
  }
  const chapters = report.sections.filter((s) => s.level === 2);
  const primary: Draft['primary'] = chapters.slice(0, 3).map((s) => {
    const p = report.paragraphs[s.heading]!;
    return { view: views.get(index.unitOf(0, p.sentences[0]!.index)), quote: { start: p.start, end: p.end }, score: 0.8 };
  });
  return {
    found: true,
    intent: q.intent,
    answer: `${report.meta.title}的工作安排分为${chapters.length}个方面:${chapters.map((s) => s.title).join(';')}。`,
    highlights: [],
    primary,
    related: [],
  };
}

function citationsOf(draft: Draft, max: number): Citation[] {
  const out: Citation[] = [];
  const paragraphs = new Set<string>();
  const push = (view: SentenceView, quote: Span, score: number): void => {
    const key = `${view.report.meta.id}#${view.paragraph.index}`;
    if (out.length >= max || paragraphs.has(key)) return;
    paragraphs.add(key);
    out.push(citation(view, quote, score));
  };
  for (const p of draft.primary) push(p.view, p.quote, p.score);
  const floor = (draft.primary[0]?.score ?? draft.related[0]?.score ?? 0) * 0.5;
  const limit = draft.found ? max : Math.min(max, 2);
  for (const r of draft.related) {
    if (out.length >= limit || r.score < floor) break;
    // A passage that shares little with the question is noise next to an answer.
    if (draft.found && r.coverage < 0.6) continue;
    push(r.view, { start: r.view.sentence.start, end: r.view.sentence.end }, r.score);
  }
  return out;
}

function citation(view: SentenceView, quote: Span, score: number): Citation {
  const report = view.report;
  const p = report.paragraphs[view.paragraph.index]!;
  // Only surrounding white space may be trimmed from a quote.
  let s = quote.start;
  let e = quote.end;
  while (s < e && /\s/.test(report.text[s]!)) s++;
  while (e > s && /\s/.test(report.text[e - 1]!)) e--;
  return {
    doc: report.meta.title,
    section: p.sectionPath.join(' › '),
    quote: report.text.slice(s, e),
    score: Math.round(Math.min(1, Math.max(0, score)) * 100) / 100,
    docId: report.meta.id,
    paragraph: p.index,
    start: s,
    end: e,
    context: { text: p.text, start: s - p.start, end: e - p.start },
  };
}
