import type { Answer } from '../answer/types.ts';
import { normalizeText } from '../corpus/normalize.ts';

/**
 * Eval metrics over the Answer JSON contract only, so the same code scores any engine that speaks it.
 *
 * A question is answerable when it names its gold paragraph (a substring that occurs in exactly one
 * paragraph of the stored report). Retrieval is judged by where the citations' quotes stand; the answer by
 * whether every gold substring is in `answer`, figures matched on digit boundaries so 300个 is not found
 * inside 3300个 and 5%以上 not inside 5.5%以上.
 */
export interface EvalQuestion {
  id: string;
  q: string;
  type: 'number' | 'list' | 'fact' | 'summary' | 'unanswerable';
  style?: string;
  paragraph: string | null;
  gold: string[];
  /** The report (file name without .txt) the question is about, in sets over many reports. */
  report?: string;
  /** The same question naming the place, for deployments that hold many regions. */
  qPlace?: string;
  /** The period asked: current, last-year, five-year-review, five-year-plan, none. */
  time?: string;
  /** Why an unanswerable question is (absent-figure, other-place, other-year, price, date …). */
  why?: string;
}

export interface Scored {
  question: EvalQuestion;
  answer: Answer;
  answerable: boolean;
  /** 1-based rank of the first citation inside the gold paragraph, 0 when none. */
  rank: number;
  correct: boolean;
  /** Correct and, for number and fact questions, at most SHORT_ANSWER characters long. */
  correctShort: boolean;
  refused: boolean;
  /** A figure question (or an absent figure) answered with a figure that is not the gold one. */
  wrongFigure: boolean;
  /** Counts towards the wrong-figure rate: a figure is asked. */
  figureAsked: boolean;
  verbatim: { quotes: number; exact: number };
  /** Refused although a citation shown beside the refusal stands in the gold paragraph. */
  refusedShowingAnswer: boolean;
  /** Terms a refusal says the report lacks (没有找到关于“X”), and those the report does write. */
  absenceClaims: string[];
  falseAbsence: string[];
}

/** How refusals say a term is absent: 没有找到关于“X”的内容, 没有提到“X”, 没有“X”的内容. */
const ABSENCE = [/没有找到关于“([^”]+)”/g, /没有提到“([^”]+)”/g, /没有(?:找到)?“([^”]+)”的(?:内容|情况|安排)/g];

/** The terms a refusal claims are absent. */
export function absenceClaimsOf(answer: Answer): string[] {
  if (answer.found) return [];
  return ABSENCE.flatMap((re) => [...answer.answer.matchAll(re)].map((m) => m[1]!));
}

export const SHORT_ANSWER = 60;

/** Finds `needle` in `hay` where a figure at either end of the needle is not part of a longer figure. */
export function containsOnBoundary(hay: string, needle: string): boolean {
  if (!needle) return true;
  const startsWithDigit = /^[0-9]/.test(needle);
  const endsWithDigit = /[0-9]$/.test(needle);
  let from = 0;
  for (;;) {
    const i = hay.indexOf(needle, from);
    if (i < 0) return false;
    const before = hay[i - 1] ?? '';
    const after = hay[i + needle.length] ?? '';
    const okBefore = !startsWithDigit || !/[0-9.]/.test(before);
    const okAfter = !endsWithDigit || !/[0-9]/.test(after) && !(after === '.' && /[0-9]/.test(hay[i + needle.length + 1] ?? ''));
    if (okBefore && okAfter) return true;
    from = i + 1;
  }
}

/** The paragraph (one line of a stored report) that contains the key, or undefined. */
export function goldParagraph(paragraphs: string[], key: string): string | undefined {
  const hits = paragraphs.filter((p) => p.includes(key));
  return hits.length === 1 ? hits[0] : hits[0];
}

export function score(
  question: EvalQuestion,
  answer: Answer,
  paragraphs: string[],
  sources: string[],
): Scored {
  const answerable = question.type !== 'unanswerable' && Boolean(question.paragraph);
  const gold = answerable ? goldParagraph(paragraphs, question.paragraph!) : undefined;
  let rank = 0;
  if (gold) {
    const i = answer.citations.findIndex((c) => gold.includes(c.quote.trim()));
    rank = i >= 0 ? i + 1 : 0;
  }
  const refused = !answer.found;
  const correct = answerable && !refused && question.gold.every((g) => containsOnBoundary(answer.answer, g));
  const short = question.type === 'number' || question.type === 'fact' ? [...answer.answer].length <= SHORT_ANSWER : true;
  const exact = answer.citations.filter((c) => sources.some((s) => s.includes(c.quote))).length;
  const figureAsked = (answerable && question.type === 'number') || (!answerable && question.why === 'absent-figure');
  const absenceClaims = absenceClaimsOf(answer);
  const own = absenceClaims.length ? normalizeText(paragraphs.join('\n')).toLowerCase() : '';
  const falseAbsence = absenceClaims.filter((t) => own.includes(normalizeText(t).toLowerCase()));
  return {
    refusedShowingAnswer: answerable && refused && rank > 0,
    absenceClaims,
    falseAbsence,
    figureAsked,
    wrongFigure: figureAsked && !refused && !correct,
    question,
    answer,
    answerable,
    rank,
    correct,
    correctShort: correct && short,
    refused,
    verbatim: { quotes: answer.citations.length, exact },
  };
}

export interface Summary {
  questions: number;
  answerable: number;
  unanswerable: number;
  hit1: number;
  hit3: number;
  mrr: number;
  accuracy: number;
  accuracyShort: number;
  refusalPrecision: number;
  refusalRecall: number;
  falseRefusalRate: number;
  verbatimRate: number;
  /** Share of figure questions answered with a wrong figure. */
  wrongFigureRate: number;
  /** Share of answerable questions refused while a citation beside the refusal stands in the gold paragraph. */
  refusedShowingAnswerRate: number;
  /** Refusals that name a term as absent, and how many of those the report in fact writes. */
  absenceClaims: number;
  falseAbsenceClaims: number;
  byType: Record<string, { n: number; hit1: number; accuracy: number }>;
}

const ratio = (a: number, b: number): number => (b === 0 ? 0 : a / b);

export function summarize(rows: Scored[]): Summary {
  const answerable = rows.filter((r) => r.answerable);
  const unanswerable = rows.filter((r) => !r.answerable);
  const refused = rows.filter((r) => r.refused);
  const quotes = rows.reduce((a, r) => a + r.verbatim.quotes, 0);
  const exact = rows.reduce((a, r) => a + r.verbatim.exact, 0);
  const byType: Summary['byType'] = {};
  for (const r of rows) {
    const t = (byType[r.question.type] ??= { n: 0, hit1: 0, accuracy: 0 });
    t.n++;
    if (r.answerable) {
      t.hit1 += r.rank === 1 ? 1 : 0;
      t.accuracy += r.correct ? 1 : 0;
    } else {
      t.accuracy += r.refused ? 1 : 0;
    }
  }
  for (const t of Object.values(byType)) {
    t.hit1 = ratio(t.hit1, t.n);
    t.accuracy = ratio(t.accuracy, t.n);
  }
  return {
    questions: rows.length,
    answerable: answerable.length,
    unanswerable: unanswerable.length,
    hit1: ratio(answerable.filter((r) => r.rank === 1).length, answerable.length),
    hit3: ratio(answerable.filter((r) => r.rank >= 1 && r.rank <= 3).length, answerable.length),
    mrr: ratio(answerable.reduce((a, r) => a + (r.rank ? 1 / r.rank : 0), 0), answerable.length),
    accuracy: ratio(answerable.filter((r) => r.correct).length, answerable.length),
    accuracyShort: ratio(answerable.filter((r) => r.correctShort).length, answerable.length),
    refusalPrecision: ratio(refused.filter((r) => !r.answerable).length, refused.length),
    refusalRecall: ratio(unanswerable.filter((r) => r.refused).length, unanswerable.length),
    falseRefusalRate: ratio(answerable.filter((r) => r.refused).length, answerable.length),
    verbatimRate: quotes === 0 ? 1 : exact / quotes,
    wrongFigureRate: ratio(rows.filter((r) => r.wrongFigure).length, rows.filter((r) => r.figureAsked).length),
    refusedShowingAnswerRate: ratio(answerable.filter((r) => r.refusedShowingAnswer).length, answerable.length),
    absenceClaims: rows.filter((r) => r.absenceClaims.length).length,
    falseAbsenceClaims: rows.filter((r) => r.falseAbsence.length).length,
    byType,
  };
}
