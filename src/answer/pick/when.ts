import { factPick, hasDate } from '../clauses.ts';
import { compose, refuse, type Draft } from '../compose.ts';
import { SPAN_BUDGET } from '../tuning.ts';
import type { PickContext } from './context.ts';

/**
 * When-questions: the clause with a date. The report's own date (哪天作的报告) stands in its front
 * matter, which is indexed like any passage; a plan that names no date is refused as such.
 */
export function pickWhen({ q, ranked, related, views }: PickContext): Draft {
  const best = ranked[0]!;
  if (best.view.paragraph.kind === 'front') return compose(q, best, { view: best.view, spans: [{ start: best.view.sentence.start, end: best.view.sentence.end }], quote: { start: best.view.sentence.start, end: best.view.sentence.end } }, ranked);
  if (!hasDate(best.view)) return refuse('no-date', { q }, related);
  return compose(q, best, factPick(q, best.view, views, SPAN_BUDGET.fact), ranked);
}
