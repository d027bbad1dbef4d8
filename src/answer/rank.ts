import type { Candidate } from '../search/retrieve.ts';
import type { Query } from './analyze.ts';
import { figureClauses, DATE } from './clauses.ts';
import { coverage, type SentenceView, type SentenceViews } from './views.ts';
import { RANK } from './tuning.ts';

/**
 * Ranking: retrieval's score, the share of the question the sentence covers, how well it can answer
 * this kind of question, and whether it speaks of the period asked (this year's plan unless the
 * question says otherwise).
 */
export interface Ranked {
  view: SentenceView;
  candidate: Candidate;
  coverage: number;
  /** How well the sentence can answer this kind of question (0–1). */
  fit: number;
  /** Weight for the period the passage speaks of (1 when it is the one asked). */
  period: number;
  score: number;
}


export function rank(q: Query, candidates: Candidate[], views: SentenceViews, periodWeight: (v: SentenceView) => number): Ranked[] {
  const out = candidates.map((candidate) => {
    const view = views.get(candidate.unit);
    const cov = coverage(q, view);
    const f = fit(q, view, views);
    // A passage about another period than the one asked (or, unasked, than this year's plan) yields.
    const period = periodWeight(view);
    return { view, candidate, coverage: cov, fit: f, period, score: period * (RANK.retrieval * candidate.score + RANK.coverage * cov + RANK.fit * f) };
  });
  return out.sort((a, b) => b.score - a.score || a.candidate.unit - b.candidate.unit);
}

function fit(q: Query, v: SentenceView, views: SentenceViews): number {
  switch (q.intent) {
    case 'number':
    case 'cost': {
      const pick = figureClauses(q, v, false, views);
      return pick ? (pick.direct ? 1 : 0.6) : 0;
    }
    case 'when':
      return DATE.test(v.norm) ? 1 : 0;
    case 'list':
    case 'who':
      // An enumeration (量子科技、生物制造、氢能…) answers a list; a colon announces one.
      return (v.sentence.text.match(/、/g) ?? []).length >= 2 ? 1 : /[、:：]/.test(v.sentence.text) ? 0.5 : 0;
    case 'summary':
      return v.paragraph.kind !== 'body'
        ? 0.6
        : v.paragraph.topic && v.sentence.index === v.paragraph.sentences[0]?.index
          ? 0.5
          : 0;
    default:
      return 0;
  }
}

