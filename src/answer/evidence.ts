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
}

export function evidenceOf(q: Query, best: Ranked, views: SentenceViews): Evidence {
  const focus = q.concepts.filter((c) => c.focus);
  const asked = focus.length ? focus : q.concepts;
  const weakest = asked.length ? Math.min(...asked.map((c) => Math.max(strength(c, best.view.norm), 0.8 * strength(c, best.view.contextNorm)))) : 0;
  return {
    coverage: round(best.coverage),
    focus: round(weakest),
    figure: Boolean(figureClauses(q, best.view, true, views)),
    period: round(best.period),
    score: round(best.score),
  };
}

const round = (x: number): number => Math.round(x * 1000) / 1000;
