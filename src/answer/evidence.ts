import type { Query } from './analyze.ts';
import { figureClauses } from './clauses.ts';
import type { Ranked } from './rank.ts';
import { strength, type SentenceViews } from './views.ts';

/**
 * What the best passage offers a question, in a few numbers: how much of the question it carries, how
 * plainly it names the thing asked about, whether it states a figure of the kind asked, and whether it
 * speaks of the period asked. The answer/refuse decision for a close passage is made from these.
 */
export interface Evidence {
  /** Share of the question's concepts (by weight) in the sentence, its paragraph or headings. */
  coverage: number;
  /** How plainly the sentence names the weakest of the things asked about (1: in its own words). */
  focus: number;
  /** The sentence states a figure of the kind asked in a clause about the question. */
  figure: boolean;
  /** Weight of the passage's period for the time asked (1: the period asked). */
  period: number;
  /** The ranking score. */
  score: number;
  /** The passages a refused figure could have been answered from (with `explain`). */
  candidates?: Array<{ features: number[]; p: number; answer: string; quote: string }>;
}

/** `figure`: when the caller has already looked for the figure clauses. */
export function evidenceOf(q: Query, best: Ranked, views: SentenceViews, figure?: boolean): Evidence {
  const focus = q.concepts.filter((c) => c.focus);
  const asked = focus.length ? focus : q.concepts;
  const weakest = asked.length ? Math.min(...asked.map((c) => Math.max(strength(c, best.view.norm), 0.8 * strength(c, best.view.contextNorm)))) : 0;
  return {
    coverage: round(best.coverage),
    focus: round(weakest),
    figure: figure ?? Boolean(figureClauses(q, best.view, true, views)),
    period: round(best.period),
    score: round(best.score),
  };
}

const round = (x: number): number => Math.round(x * 1000) / 1000;

/** A candidate passage for a refused figure, with what the closest-answer model reads of it. */
export interface CandidateEvidence extends Evidence {
  /** Position in the ranking (0: the best). */
  rank: number;
  /** Its ranking score over the best one's. */
  relative: number;
  /** Its figure clause names the thing asked itself (else it stands earlier in the measure). */
  direct: boolean;
}

/** The model's inputs, in the order of CLOSEST.weights. */
export function closestFeatures(e: CandidateEvidence): number[] {
  return [e.coverage, e.focus, e.period, e.relative, e.rank, e.direct ? 1 : 0];
}

/** Probability that answering from the candidate is right: a logistic model fitted on the dev writers. */
export function closestProbability(e: CandidateEvidence, model: { bias: number; weights: readonly number[] }): number {
  const x = closestFeatures(e);
  const z = model.bias + x.reduce((sum, v, i) => sum + v * (model.weights[i] ?? 0), 0);
  return 1 / (1 + Math.exp(-z));
}
