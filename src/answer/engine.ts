import { performance } from 'node:perf_hooks';
import { loadLexicon, type Lexicon } from '../corpus/lexicon.ts';
import { readReportSources } from '../corpus/load.ts';
import { parseReport } from '../corpus/parse.ts';
import type { Report, Section } from '../corpus/types.ts';
import { IndexError } from '../errors.ts';
import { LocalHashEmbeddings } from '../search/embeddings.ts';
import { retrieve, type RetrievalWeights } from '../search/retrieve.ts';
import {
  buildIndex,
  loadIndex,
  saveIndex,
  sha256,
  type IdentifiedEmbeddings,
  type IndexIdentity,
  type SearchIndex,
} from '../search/store.ts';
import { createTokenizer, type Tokenizer } from '../search/tokenizer.ts';
import { analyzeQuestion, MAX_QUESTION_LENGTH, type AnalyzeContext, type Query } from './analyze.ts';
import { exampleQuestions, messages } from './messages.ts';
import {
  coverage,
  factClauses,
  figureClauses,
  focusCovered,
  hasDate,
  matches,
  rank,
  SentenceViews,
  type Ranked,
  type SentenceView,
} from './select.ts';
import type {
  Answer,
  AskOptions,
  Citation,
  DocumentInfo,
  Intent,
  OutlineNode,
  ParagraphView,
  RefusalReason,
} from './types.ts';

/** The smallest logging surface the engine needs (pino fits). */
export interface EngineLogger {
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
}

export interface EngineOptions {
  reportsDir: string;
  dictDir: string;
  indexDir: string;
  logger?: EngineLogger;
  /** Replaces the local embedder (e.g. a neural one); its `id` goes into the index manifest. */
  embeddings?: (parts: { tokenizer: Tokenizer; lexicon: Lexicon }) => IdentifiedEmbeddings;
  /** Rebuild even when the saved index is current. */
  rebuild?: boolean;
  /** Do not write the index to disk (benchmarks, read-only deployments). */
  readOnly?: boolean;
  onProgress?: (done: number, total: number) => void;
  weights?: RetrievalWeights;
}

/** What a channel may use besides `ask`: the outline, paragraphs, document info and examples. */
export type ChannelEngine = Pick<Engine, 'outline' | 'paragraph' | 'info' | 'examples'>;

export interface EngineInfo {
  documents: DocumentInfo[];
  units: number;
  paragraphs: number;
  embedder: string;
  indexBuiltAt: string;
  /** Whether this start built the index (missing, stale or corrupt) rather than loading it. */
  rebuilt: boolean;
  rebuildReason?: string;
  startMs: number;
}

/**
 * The answer engine: one `ask()` for every channel. Built once per process; answering is in-process
 * and synchronous apart from the vector look-up, a few milliseconds.
 *
 * ```ts
 * const engine = await createEngine({ reportsDir: 'data/reports', dictDir: 'data/dict', indexDir: 'data/index' });
 * const a = await engine.ask('今年新增多少托位');
 * a.answer; // 增加普惠托位300个,每千人口托位数达到4.6个。
 * ```
 */
export interface Engine {
  ask(question: string, options?: AskOptions): Promise<Answer>;
  outline(): OutlineNode[];
  paragraph(docId: string, paragraph: number): ParagraphView | undefined;
  readonly info: EngineInfo;
  readonly examples: readonly string[];
  /** Internals for benchmarks and tests of the engine itself; channels must not use them. */
  readonly internals: { index: SearchIndex; tokenizer: Tokenizer; lexicon: Lexicon };
}

/** Coverage of the question's concepts below which the report is taken not to answer. */
const MIN_COVERAGE = 0.5;

export async function createEngine(options: EngineOptions): Promise<Engine> {
  const started = performance.now();
  const log = options.logger;
  const lexicon = loadLexicon(options.dictDir);
  const sources = readReportSources(options.reportsDir);
  const reports = sources.map((s) => parseReport(s.text, s.meta));
  const tokenizer = createTokenizer({ words: [...lexicon.dictionary, ...quotedTerms(reports)] });
  const embeddings =
    options.embeddings?.({ tokenizer, lexicon }) ??
    new LocalHashEmbeddings({ tokenizer, synonymGroups: lexicon.synonymGroups });
  const identity: IndexIdentity = {
    sources: sources.map((s) => ({ file: s.file, sha256: sha256(`${s.text}\u0000${JSON.stringify(s.meta)}`) })),
    lexicon: lexicon.hash,
    tokenizer: tokenizer.id,
    embedder: embeddings.id,
  };

  let index: SearchIndex | undefined;
  let rebuildReason: string | undefined = options.rebuild ? 'rebuild requested' : undefined;
  if (!options.rebuild) {
    try {
      index = await loadIndex(options.indexDir, reports, identity, embeddings);
    } catch (err) {
      if (!(err instanceof IndexError)) throw err;
      rebuildReason = err.reason;
      log?.warn({ dir: options.indexDir, reason: err.reason }, 'index unusable, rebuilding');
    }
  }
  if (!index) {
    const t = performance.now();
    index = await buildIndex({
      reports,
      tokenizer,
      embeddings,
      identity,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    if (!options.readOnly) {
      try {
        await saveIndex(index, options.indexDir);
      } catch (cause) {
        log?.error({ dir: options.indexDir, err: cause }, 'could not save the index; serving it from memory');
      }
    }
    log?.info({ dir: options.indexDir, units: index.units.length, ms: Math.round(performance.now() - t) }, 'index built');
  }

  const { createVocabulary } = await import('./vocabulary.ts');
  const ctx: AnalyzeContext = {
    tokenizer,
    lexicon,
    vocabulary: createVocabulary(index.sentenceIndex),
    region: regionNames(reports),
    year: Math.max(...reports.map((r) => r.meta.year)),
  };
  const views = new SentenceViews(index);
  const searchIndex = index;
  const info: EngineInfo = {
    documents: reports.map((r) => ({
      id: r.meta.id,
      title: r.meta.title,
      region: r.meta.region,
      year: r.meta.year,
      kind: r.meta.kind,
    })),
    units: index.units.length,
    paragraphs: index.paragraphs.length,
    embedder: embeddings.id,
    indexBuiltAt: index.manifest.createdAt,
    rebuilt: rebuildReason !== undefined,
    ...(rebuildReason ? { rebuildReason } : {}),
    startMs: Math.round(performance.now() - started),
  };

  return {
    info,
    examples: exampleQuestions,
    internals: { index, tokenizer, lexicon },
    async ask(question, askOptions = {}) {
      const t0 = performance.now();
      const answer = await answerQuestion(String(question ?? ''), askOptions, searchIndex, ctx, embeddings, views, options.weights);
      answer.latencyMs = Math.round((performance.now() - t0) * 100) / 100;
      return answer;
    },
    outline: () => outlineOf(reports),
    paragraph(docId, paragraph) {
      const report = reports.find((r) => r.meta.id === docId);
      const p = report?.paragraphs[paragraph];
      if (!report || !p) return undefined;
      return {
        docId,
        doc: report.meta.title,
        paragraph,
        section: p.sectionPath.join(' › '),
        ...(p.topic ? { topic: p.topic } : {}),
        text: p.text,
      };
    },
  };
}

/** Quoted names in a report (“就享家”, “北卫健康云”) are words: the segmenter must keep them whole. */
function quotedTerms(reports: Report[]): string[] {
  const out = new Set<string>();
  for (const r of reports) {
    for (const m of r.text.matchAll(/[“「《]([^”」》\n]{2,12})[”」》]/g)) {
      const term = m[1]!;
      if (/^[\p{Script=Han}A-Za-z0-9·]+$/u.test(term) && /\p{Script=Han}/u.test(term)) out.add(`${term} 2000 nz`);
    }
  }
  return [...out].sort();
}

function regionNames(reports: Report[]): string[] {
  const names = new Set<string>(['全区', '本区', '我区', '区里', '区委', '区级']);
  for (const r of reports) {
    names.add(r.meta.region);
    names.add(r.meta.region.replace(/[区县市]$/, ''));
  }
  return [...names].filter((n) => n.length >= 2).sort((a, b) => b.length - a.length);
}

// ————————————————————————————————— answering —————————————————————————————————

interface Draft {
  found: boolean;
  intent: Intent;
  answer: string;
  highlights: string[];
  /** Verbatim spans to cite first, in order, then related passages. */
  primary: Array<{ view: SentenceView; start: number; end: number; score: number }>;
  related: Ranked[];
  reason?: RefusalReason;
}

async function answerQuestion(
  question: string,
  options: AskOptions,
  index: SearchIndex,
  ctx: AnalyzeContext,
  embeddings: IdentifiedEmbeddings,
  views: SentenceViews,
  weights: RetrievalWeights | undefined,
): Promise<Answer> {
  const q = analyzeQuestion(question, ctx);
  const maxCitations = Math.min(3, Math.max(1, options.maxCitations ?? 3));
  const draft = await draftAnswer(q, index, ctx, embeddings, views, weights);
  const citations = citationsOf(draft, maxCitations);
  return {
    question: q.raw,
    found: draft.found,
    answer: draft.answer,
    citations,
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

async function draftAnswer(
  q: Query,
  index: SearchIndex,
  ctx: AnalyzeContext,
  embeddings: IdentifiedEmbeddings,
  views: SentenceViews,
  weights: RetrievalWeights | undefined,
): Promise<Draft> {
  const report = index.reports[0]!;
  if (!q.text) return refuse(q, 'empty', messages.empty);
  if (q.flags.personal) return refuse(q, 'personal-data', messages.personalData);

  const meaningful = q.concepts.length > 0;
  if (!meaningful && !q.flags.injection) {
    if (!q.flags.greeting && (q.intent === 'summary' || q.intent === 'list')) return overview(q, index, views);
    return refuse({ ...q, intent: 'chitchat' }, 'chitchat', messages.chitchat(report.meta.title));
  }

  const vector = await embeddings.embedQuery(q.concepts.flatMap((c) => c.forms.slice(0, 3)).join(' ') || q.text);
  const candidates = await retrieve(index, { terms: q.terms, vector }, { limit: 24, ...(weights ? { weights } : {}) });
  const ranked = rank(q, candidates, views);
  const best = ranked[0];
  const related = ranked.filter((r) => r.coverage >= 0.3);

  if (q.flags.injection) return refuse(q, 'injection', messages.injection, related);
  if (!best || best.coverage < MIN_COVERAGE) {
    if (q.flags.greeting) return refuse({ ...q, intent: 'chitchat' }, 'chitchat', messages.chitchat(report.meta.title));
    return refuse(q, 'not-found', messages.notFound(topicOf(q)), related);
  }

  // Scope: another place, or a year the report does not cover, must be named by the text itself.
  for (const place of q.places) {
    if (!best.view.norm.includes(place.toLowerCase()) && !best.view.paragraphNorm.includes(place.toLowerCase())) {
      return refuse(q, 'other-place', messages.otherPlace(place, best.view.report.meta.region), related);
    }
  }
  if (q.time.scope === 'past' || q.time.scope === 'future') {
    const marker = q.time.marker ?? '';
    const yearOfPart = /(?:19|20)\d{2}/.exec(best.view.paragraph.sectionPath[0] ?? '')?.[0];
    const named = marker && (best.view.norm.includes(marker) || best.view.paragraphNorm.includes(marker));
    const pastPart = q.time.scope === 'past' && yearOfPart !== undefined && Number(yearOfPart) < best.view.report.meta.year;
    if (!named && !pastPart) {
      return refuse(q, 'other-year', messages.otherYear(marker || '该年度', best.view.report.meta.year, best.view.report.meta.region), related);
    }
  }

  switch (q.intent) {
    case 'summary':
      return summary(q, ranked, index, views);
    case 'number':
    case 'cost':
      return figure(q, ranked, related);
    case 'when':
      if (!hasDate(best.view)) return refuse(q, 'no-date', messages.noDate, related);
      return clausesAnswer(q, best, ranked, 60);
    case 'list':
      return clausesAnswer(q, best, ranked, 120);
    default:
      return clausesAnswer(q, best, ranked, 60);
  }
}

function topicOf(q: Query): string {
  return q.concepts
    .slice(0, 3)
    .map((c) => c.text)
    .join('');
}

/** Number and cost questions: the clause with the figure, its unit and qualifier. */
function figure(q: Query, ranked: Ranked[], related: Ranked[]): Draft {
  const best = ranked[0]!;
  const pool = ranked.slice(0, 6).filter((r) => r.coverage >= Math.max(MIN_COVERAGE, 0.8 * best.coverage));
  for (const r of pool) {
    const pick = figureClauses(q, r.view);
    if (!pick) continue;
    if (!focusCovered(q, r.view)) continue;
    const clauses = pick.clauses.map((i) => r.view.clauses[i]!);
    if (q.total && clauses.every((c) => c.figures.every((f) => f.family === 'percent'))) {
      return refuse(q, 'no-figure', messages.noTotal(topicOf(q)), related);
    }
    return compose(q, r, pick.clauses, ranked);
  }
  if (q.intent === 'cost') return refuse(q, 'no-price', messages.noPrice, related);
  const focus = q.concepts.find((c) => c.focus)?.text ?? topicOf(q);
  return refuse(q, 'no-figure', messages.noFigure(focus), related);
}

function clausesAnswer(q: Query, best: Ranked, ranked: Ranked[], maxChars: number): Draft {
  return compose(q, best, factClauses(q, best.view, maxChars), ranked);
}

/** Builds the answer text from clause indexes of one sentence (joined verbatim when adjacent). */
function compose(q: Query, chosen: Ranked, clauseIdx: number[], ranked: Ranked[]): Draft {
  const v = chosen.view;
  const text = v.report.text;
  const parts: string[] = [];
  let runStart = -1;
  let prev = -2;
  const flush = (endIdx: number): void => {
    if (runStart < 0) return;
    parts.push(text.slice(v.clauses[runStart]!.start, v.clauses[endIdx]!.end).replace(/[,,::;;、]$/, ''));
  };
  for (const i of clauseIdx) {
    if (i !== prev + 1) {
      flush(prev);
      runStart = i;
    }
    prev = i;
  }
  flush(prev);
  let answer = parts.join(',');
  if (!/[。!?!?]$/.test(answer)) answer = `${answer.replace(/[,,;;::、]$/, '')}。`;

  const figures = clauseIdx.flatMap((i) => v.clauses[i]!.figures.map((f) => f.raw));
  const original = clauseIdx.flatMap((i) => {
    // Figures as written in the source (the normalised clause may differ in script, never in digits).
    const c = v.clauses[i]!;
    return c.figures.map((f) => c.text.slice(f.start, f.end));
  });
  const highlights = [...new Set(original.length === figures.length ? original : figures)].filter((h) => answer.includes(h));

  if (q.yesNo) answer = yesNoPrefix(q, clauseIdx.map((i) => v.clauses[i]!.figures).flat()) + answer;

  return {
    found: true,
    intent: q.intent,
    answer,
    highlights,
    primary: [{ view: v, start: v.sentence.start, end: v.sentence.end, score: chosen.score }],
    related: ranked.slice(1),
  };
}

/** 是不是两万多? → 是的 when the figure in the question agrees with the report, else the report's figure. */
function yesNoPrefix(q: Query, figures: Array<{ value: number; qualifier?: string }>): string {
  if (q.quantities.length === 0) return messages.yes;
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
 * Summary questions: a whole section (第五部分, 民生方面) is answered with its heading and the topics of its
 * paragraphs; a paragraph (怎么优化营商环境) with its topic and the sentence that follows.
 */
function summary(q: Query, ranked: Ranked[], index: SearchIndex, views: SentenceViews): Draft {
  const best = ranked[0]!;
  const report = best.view.report;
  const section = targetSection(q, best, report);
  if (section) return sectionSummary(q, section, report, index, views, ranked);

  const p = best.view.paragraph;
  if (p.kind === 'body' && p.topic && p.sentences.length > 1) {
    const lead = p.sentences[0]!;
    const next = p.sentences[1]!;
    const nextView = views.get(index.unitOf(index.reports.indexOf(report), next.index));
    const cut = leadingClauses(nextView, 90);
    const answer = `${p.topic}:${cut}`;
    return {
      found: true,
      intent: 'summary',
      answer,
      highlights: [p.topic],
      primary: [{ view: best.view, start: lead.start, end: next.end, score: best.score }],
      related: ranked.slice(1),
    };
  }
  const lead = leadIn(best, index, views);
  if (lead) return lead;
  return clausesAnswer(q, best, ranked, 150);
}

/** The section a summary question is about, if it is about a whole section. */
function targetSection(q: Query, best: Ranked, report: Report): Section | undefined {
  const chapters = report.sections.filter((s) => s.level === 2);
  if (q.ordinal !== undefined && /部分|方面|章|条|节|项/.test(q.text)) {
    const s = chapters[q.ordinal - 1];
    if (s) return s;
  }
  if (best.view.paragraph.kind === 'section-heading') {
    return report.sections.find((s) => s.heading === best.view.paragraph.index);
  }
  let top: { s: Section; share: number } | undefined;
  const total = q.concepts.reduce((a, c) => a + c.weight, 0) || 1;
  for (const s of chapters) {
    const heading = s.title.toLowerCase();
    const share = q.concepts.filter((c) => matches(c, heading)).reduce((a, c) => a + c.weight, 0) / total;
    if (!top || share > top.share) top = { s, share };
  }
  return top && top.share >= 0.6 ? top.s : undefined;
}

function sectionSummary(
  q: Query,
  section: Section,
  report: Report,
  index: SearchIndex,
  views: SentenceViews,
  ranked: Ranked[],
): Draft {
  const r = index.reports.indexOf(report);
  const heading = report.paragraphs[section.heading]!;
  const headingView = views.get(index.unitOf(r, heading.sentences[0]!.index));
  const topics = section.paragraphs.map((i) => report.paragraphs[i]!.topic).filter((t): t is string => Boolean(t));
  const answer = topics.length ? `${section.title}:${topics.join(';')}。` : `${section.title}。`;
  const primary: Draft['primary'] = [{ view: headingView, start: heading.start, end: heading.end, score: 1 }];
  const intro = section.paragraphs.map((i) => report.paragraphs[i]!).find((p) => !p.topic);
  if (intro) {
    const s = intro.sentences[0]!;
    primary.push({ view: views.get(index.unitOf(r, s.index)), start: s.start, end: s.end, score: 0.9 });
  }
  void q;
  return { found: true, intent: 'summary', answer, highlights: [section.title], primary, related: ranked };
}

/** A sentence ending in a colon introduces what follows: the headings of the next sections. */
function leadIn(best: Ranked, index: SearchIndex, views: SentenceViews): Draft | undefined {
  const v = best.view;
  if (!/[::]$/.test(v.sentence.text.trim())) return undefined;
  const report = v.report;
  const next = report.paragraphs[v.paragraph.index + 1];
  if (!next || next.kind !== 'section-heading') return undefined;
  const siblings = report.sections.filter((s) => s.level === 2 && s.heading > v.paragraph.index);
  if (!siblings.length) return undefined;
  void index;
  void views;
  return {
    found: true,
    intent: 'summary',
    answer: `${v.sentence.text.replace(/[::]$/, ':')}${siblings.map((s) => s.title).join(';')}。`,
    highlights: [],
    primary: [{ view: v, start: v.sentence.start, end: v.sentence.end, score: best.score }],
    related: [],
  };
}

/** Clauses from the start of a sentence up to about `maxChars`, ending on a clause boundary. */
function leadingClauses(v: SentenceView, maxChars: number): string {
  const text = v.report.text;
  let end = v.clauses[0]?.end ?? v.sentence.end;
  for (const c of v.clauses) {
    if (c.end - v.sentence.start > maxChars) break;
    end = c.end;
  }
  const s = text.slice(v.sentence.start, end).replace(/[,,;;::、]$/, '');
  return /[。!?]$/.test(s) ? s : `${s}……`;
}

/** With no subject at all (今年有哪些安排): the report's sections. */
function overview(q: Query, index: SearchIndex, views: SentenceViews): Draft {
  const report = index.reports[0]!;
  const chapters = report.sections.filter((s) => s.level === 2);
  const r = 0;
  const primary: Draft['primary'] = chapters.slice(0, 3).map((s) => {
    const p = report.paragraphs[s.heading]!;
    return { view: views.get(index.unitOf(r, p.sentences[0]!.index)), start: p.start, end: p.end, score: 0.8 };
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
  const push = (view: SentenceView, start: number, end: number, score: number): void => {
    const key = `${view.report.meta.id}#${view.paragraph.index}`;
    if (out.length >= max || paragraphs.has(key)) return;
    paragraphs.add(key);
    out.push(citation(view, start, end, score));
  };
  for (const p of draft.primary) push(p.view, p.start, p.end, p.score);
  const floor = (draft.primary[0]?.score ?? draft.related[0]?.score ?? 0) * 0.5;
  const limit = draft.found ? max : Math.min(max, 2);
  for (const r of draft.related) {
    if (out.length >= limit) break;
    if (r.score < floor) break;
    push(r.view, r.view.sentence.start, r.view.sentence.end, r.score);
  }
  return out;
}

function citation(view: SentenceView, start: number, end: number, score: number): Citation {
  const report = view.report;
  const p = report.paragraphs[view.paragraph.index]!;
  // Only surrounding white space may be trimmed from a quote.
  let s = start;
  let e = end;
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

function outlineOf(reports: Report[]): OutlineNode[] {
  return reports.map((report) => {
    const node = (s: Section): OutlineNode => ({
      docId: report.meta.id,
      title: s.title,
      level: s.level,
      ...(s.heading >= 0 ? { paragraph: s.heading } : {}),
      children: [
        ...s.children.map((c) => node(report.sections[c]!)),
        ...s.paragraphs
          .map((i) => report.paragraphs[i]!)
          .filter((p) => p.topic)
          .map((p): OutlineNode => ({ docId: report.meta.id, title: p.topic!, level: 3, paragraph: p.index, children: [] })),
      ],
    });
    return {
      docId: report.meta.id,
      title: report.meta.title,
      level: 0,
      children: report.sections.filter((s) => s.level === 1).map(node),
    };
  });
}

