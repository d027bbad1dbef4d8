import { factPick, joinSpansOf } from '../clauses.ts';
import { compose, refuse, type Draft } from '../compose.ts';
import { SPAN_BUDGET } from '../tuning.ts';
import type { PickContext } from './context.ts';
import { isTopicLine, paragraphOrClauses, pickSummary } from './summary.ts';

/**
 * List and who-questions: the enumeration next to the clause that names the subject, the list a
 * lead-in announces, or a paragraph's topics; a count the report gives without listing the items
 * (具体是哪30项) is refused.
 */
export function pickList(ctx: PickContext): Draft {
  const { q, ranked, related, views } = ctx;
  const best = ranked[0]!;
  // A section heading (also one written inline, (二)重点任务。主要包括:…) lists what the section holds.
  const p = best.view.paragraph;
  const onHeading = p.kind === 'section-heading' || (p.inlineHeading !== undefined && best.view.sentence.index === p.sentences[0]?.index);
  if (q.section || onHeading) return pickSummary(ctx);
  if (isTopicLine(best)) return paragraphOrClauses(q, best, views, ranked);
  const pick = factPick(q, best.view, views, SPAN_BUDGET.list);
  if (q.asksEnumeration && !/、/.test(joinSpansOf(best.view, pick.spans))) return refuse('no-items', { q }, related);
  return compose(q, best, pick, ranked);
}
