import { factPick, joinSpansOf } from '../clauses.ts';
import { compose, refuse, type Draft } from '../compose.ts';
import { SPAN_BUDGET } from '../tuning.ts';
import { withAnnouncedItems } from './announced.ts';
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
  // 那30项民生实事具体是哪些: a passage that only counts them (办好30项民生实事) lists none of them.
  if (asksCountedItems(q) && itemsIn(joinSpansOf(best.view, pick.spans)) < 3) return refuse('no-items', { q }, related);
  return compose(q, best, withAnnouncedItems(q, pick), ranked);
}

/** Asks for the particular items of a set it counts (那30项…具体是哪些, 十大工程都是哪十个). */
function asksCountedItems(q: PickContext['q']): boolean {
  const counted = q.quantities.some((n) => n.value >= 3 && n.value <= 200) || /[十百]大|哪[三四五六七八九十]/.test(q.text);
  return counted && /具体|分别|都是|是哪|有哪|哪[几三四五六七八九十\d]/.test(q.text);
}

/** How many items a text lists: parts between 、 ; ① … (an item may hold commas). */
function itemsIn(text: string): number {
  return text.split(/[、;；]|[①-⑳]/).filter((t) => t.trim().length >= 2).length;
}
