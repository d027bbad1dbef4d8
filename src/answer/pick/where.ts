import { factPick, hasPlace } from '../clauses.ts';
import { compose, refuse, type Draft } from '../compose.ts';
import { SPAN_BUDGET } from '../tuning.ts';
import type { PickContext } from './context.ts';

/** Where-questions: the clause naming a place (a road, a district, a facility), or a refusal. */
export function pickWhere({ q, ranked, related, views, deployment }: PickContext): Draft {
  const best = ranked[0]!;
  let pick = factPick(q, best.view, views, SPAN_BUDGET.fact);
  if (!hasPlace(q, pick.spans, best.view, deployment.gazetteer)) {
    // The place may stand in the clause next to the one naming the subject (在邮轮港区…,打造“三区互融”).
    const near = best.view.clauses.filter(
      (c) => /^(?:在|于|位于)/.test(c.text) && pick.spans.some((s) => Math.abs(c.start - s.end) <= 1 || Math.abs(c.end - s.start) <= 1),
    );
    const withPlace = near.find((c) => hasPlace(q, [c], best.view, deployment.gazetteer));
    if (!withPlace) return refuse('no-place', { q }, related);
    pick = { ...pick, spans: [...pick.spans, { start: withPlace.start, end: withPlace.end }].sort((a, b) => a.start - b.start) };
  }
  return compose(q, best, pick, ranked);
}
