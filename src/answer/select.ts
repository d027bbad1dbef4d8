import { extractQuantities, normalizeText, type Quantity } from '../corpus/normalize.ts';
import { splitClauses } from '../corpus/parse.ts';
import type { Paragraph, Report, Sentence } from '../corpus/types.ts';
import type { Candidate } from '../search/retrieve.ts';
import type { SearchIndex } from '../search/store.ts';
import type { Concept, Query } from './analyze.ts';

/**
 * Selection: from the retrieved sentences, the one that answers, and inside it the shortest clause(s)
 * that do. Every span is an offset range in the stored report, so what is quoted is verbatim.
 */

export interface ClauseView {
  start: number;
  end: number;
  text: string;
  norm: string;
  /** Figures that count something (years and ordinals excluded). */
  figures: Quantity[];
}

export interface SentenceView {
  unit: number;
  report: Report;
  sentence: Sentence;
  paragraph: Paragraph;
  norm: string;
  paragraphNorm: string;
  /** The headings above the paragraph, normalised. */
  contextNorm: string;
  clauses: ClauseView[];
}

/** Lazily built, cached views of indexed sentences (clauses, figures, normalised text). */
export class SentenceViews {
  private readonly cache = new Map<number, SentenceView>();
  constructor(private readonly index: SearchIndex) {}

  get(unit: number): SentenceView {
    let v = this.cache.get(unit);
    if (v) return v;
    const u = this.index.units[unit]!;
    const report = this.index.reports[u.report]!;
    const sentence = report.sentences[u.sentence]!;
    const paragraph = report.paragraphs[u.paragraph]!;
    const clauses = splitClauses(sentence.text).map((c) => {
      const norm = normalizeText(c.text).toLowerCase();
      return {
        start: sentence.start + c.start,
        end: sentence.start + c.end,
        text: c.text,
        norm,
        figures: extractQuantities(norm).filter((q) => !q.ordinal && q.family !== 'year'),
      };
    });
    v = {
      unit,
      report,
      sentence,
      paragraph,
      norm: this.index.unitText[unit]!,
      paragraphNorm: this.index.paragraphText[this.index.paragraphOf(u.report, u.paragraph)]!,
      contextNorm: normalizeText(paragraph.sectionPath.join(' ')).toLowerCase(),
      clauses,
    };
    if (this.cache.size > 20_000) this.cache.clear();
    this.cache.set(unit, v);
    return v;
  }
}

export function matches(c: Concept, norm: string): boolean {
  return c.forms.some((f) => norm.includes(f));
}

/** Share of the question's concepts (by weight) found in the sentence, its paragraph or its headings. */
export function coverage(q: Query, v: SentenceView): number {
  let total = 0;
  let got = 0;
  for (const c of q.concepts) {
    total += c.weight;
    if (matches(c, v.norm)) got += c.weight;
    else if (matches(c, v.paragraphNorm)) got += 0.6 * c.weight;
    else if (matches(c, v.contextNorm)) got += 0.5 * c.weight;
  }
  return total > 0 ? got / total : 0;
}

/** Concept weight matched inside one clause; the focus (the thing counted) counts double. */
function clauseScore(q: Query, clause: ClauseView): number {
  let s = 0;
  for (const c of q.concepts) if (matches(c, clause.norm)) s += c.weight * (c.focus ? 2 : 1);
  return s;
}

const DATE = /\d{1,2}月|\d{1,2}日|年底|年初|年末|上半年|下半年|季度|月底|月初|春节|国庆|\d{4}年(?:\d|底|内|前)/;

export interface Ranked {
  view: SentenceView;
  candidate: Candidate;
  coverage: number;
  /** How well the sentence can answer this kind of question (0–1). */
  fit: number;
  score: number;
}

export function rank(q: Query, candidates: Candidate[], views: SentenceViews): Ranked[] {
  const out = candidates.map((candidate) => {
    const view = views.get(candidate.unit);
    const cov = coverage(q, view);
    const f = fit(q, view);
    return { view, candidate, coverage: cov, fit: f, score: 0.45 * candidate.score + 0.45 * cov + 0.1 * f };
  });
  return out.sort((a, b) => b.score - a.score || a.candidate.unit - b.candidate.unit);
}

function fit(q: Query, v: SentenceView): number {
  switch (q.intent) {
    case 'number':
    case 'cost': {
      const pick = figureClauses(q, v);
      return pick ? (pick.direct ? 1 : 0.6) : 0;
    }
    case 'when':
      return DATE.test(v.norm) ? 1 : 0;
    case 'list':
      return /[、::]/.test(v.sentence.text) ? 0.5 : 0;
    case 'summary':
      return v.paragraph.kind !== 'body' ? 0.6 : v.paragraph.topic && v.sentence.index === v.paragraph.sentences[0]?.index ? 0.5 : 0;
    default:
      return 0;
  }
}

function wantedFigure(q: Query, f: Quantity): boolean {
  if (!q.wants) return true;
  if (q.wants === 'people' && f.family === 'count') return true;
  if (q.wants === 'count' && f.family === 'people') return true;
  return f.family === q.wants;
}

/**
 * The clauses of a sentence that carry the figure asked for: a clause with a wanted figure and a concept
 * of the question (direct), or a figure clause next to the clause naming the concept.
 */
export function figureClauses(q: Query, v: SentenceView): { clauses: number[]; direct: boolean } | undefined {
  const scores = v.clauses.map((c) => clauseScore(q, c));
  const withFigure = v.clauses.map((c) => c.figures.some((f) => wantedFigure(q, f)));
  const direct = v.clauses.map((_, i) => i).filter((i) => withFigure[i] && scores[i]! > 0);
  if (direct.length) {
    const best = Math.max(...direct.map((i) => scores[i]!));
    // Keep clauses that are about as relevant as the best (托位300个 and 托位数4.6个 both).
    const keep = direct.filter((i) => scores[i]! >= 0.5 * best).slice(0, 3);
    return { clauses: keep, direct: true };
  }
  const named = v.clauses.map((_, i) => i).filter((i) => scores[i]! > 0);
  for (const i of named) {
    if (withFigure[i + 1]) return { clauses: [i, i + 1], direct: false };
  }
  return undefined;
}

/** Does the selected sentence contain every focus concept (the thing counted)? */
export function focusCovered(q: Query, v: SentenceView): boolean {
  return q.concepts.filter((c) => c.focus).every((c) => matches(c, v.norm) || matches(c, v.paragraph.topic ?? ''));
}

export function hasDate(v: SentenceView): boolean {
  return DATE.test(v.norm);
}

/** The best clause(s) for a fact, list or who question, extended to neighbours that add concepts. */
export function factClauses(q: Query, v: SentenceView, maxChars: number): number[] {
  const n = v.clauses.length;
  if (n === 0) return [];
  const scores = v.clauses.map((c) => clauseScore(q, c));
  let best = 0;
  for (let i = 1; i < n; i++) {
    const a = scores[i]!;
    const b = scores[best]!;
    if (a > b || (a === b && a > 0 && v.clauses[i]!.text.length < v.clauses[best]!.text.length)) best = i;
  }
  let lo = best;
  let hi = best;
  const width = (): number => v.clauses[hi]!.end - v.clauses[lo]!.start;
  // A lead-in (主要预期目标是:) or a very short clause says nothing alone: take what follows.
  while (hi + 1 < n && (/[::]$/.test(v.clauses[hi]!.text) || v.clauses[hi]!.text.length <= 6) && width() < maxChars) hi++;
  // Concepts still missing may sit in a neighbouring clause.
  const covered = (i: number, j: number): number => {
    let s = 0;
    for (const c of q.concepts) if (v.clauses.slice(i, j + 1).some((cl) => matches(c, cl.norm))) s += c.weight;
    return s;
  };
  for (let step = 0; step < 2; step++) {
    const now = covered(lo, hi);
    const right = hi + 1 < n ? covered(lo, hi + 1) : now;
    const left = lo > 0 ? covered(lo - 1, hi) : now;
    if (right > now && (right >= left || lo === 0) && v.clauses[hi + 1]!.end - v.clauses[lo]!.start <= maxChars) hi++;
    else if (left > now && v.clauses[hi]!.end - v.clauses[lo - 1]!.start <= maxChars) lo--;
    else break;
  }
  const out: number[] = [];
  for (let i = lo; i <= hi; i++) out.push(i);
  return out;
}
