import { factPick } from '../clauses.ts';
import { compose, refuse, type Draft } from '../compose.ts';
import { greeting } from '../scope.ts';
import { SPAN_BUDGET } from '../tuning.ts';
import { withAnnouncedItems } from './announced.ts';
import type { PickContext } from './context.ts';
import { isTopicLine, paragraphOrClauses, pickSummary } from './summary.ts';

/** Fact questions (what, which, whether): the clause carrying most of the question. */
export function pickFact(ctx: PickContext): Draft {
  const { q, ranked, views } = ctx;
  const best = ranked[0]!;
  // A question that lands on a heading (民生方面总的安排) is about the section.
  if (q.section || q.ordinal !== undefined || best.view.paragraph.kind === 'section-heading' || best.view.paragraph.kind === 'part-heading') return pickSummary(ctx);
  if (isTopicLine(best)) return paragraphOrClauses(q, best, views, ranked);
  return compose(q, best, withAnnouncedItems(q, factPick(q, best.view, views, SPAN_BUDGET.fact)), ranked);
}

/** Chat that is not a question about the reports. */
export function pickChitchat(ctx: PickContext): Draft {
  return refuse('greeting', { q: ctx.q, detail: greeting(ctx.scope, ctx.deployment) }, ctx.related);
}
