import { extractQuantities, normalizeText } from '../../corpus/normalize.ts';
import type { Span } from '../../corpus/types.ts';
import type { Query } from '../analyze.ts';
import { CONTINUES, figureClauses, focusCovered, incrementOnly, pickFromClauses, statesQuestionFigures, type Pick } from '../clauses.ts';
import { compose, joinSpans, refuse, type Draft } from '../compose.ts';
import { subjectOf } from '../scope.ts';
import { MIN_COVERAGE } from '../tuning.ts';
import { conceptShare, strength, type SentenceView } from '../views.ts';
import type { PickContext } from './context.ts';

/**
 * Number and cost questions: the clause with the figure asked for, its unit and qualifier. A figure
 * is given only from a passage that names the thing counted and speaks of the period asked; otherwise
 * the refusal says what is missing (a total where only growth is given, an increment where a total is
 * asked, no figure at all). A wrong number is worse than "the report does not say".
 */
export function pickFigure({ q: asked, ranked, related, views }: PickContext): Draft {
  // Two figures asked at once (多少条路、多少处区域; 人数和失业率分别是多少; 各是多少): keep every item,
  // whatever kind of figure each is.
  const twoAsked =
    (asked.text.match(/多少|几(?!种|类)/g) ?? []).length >= 2 ||
    /分别|各是|各为|各多少|各有/.test(asked.text) ||
    joinsTwo(asked) ||
    (asked.text.match(/\b(?:how (?:much|many|fast|big)|what)\b/g) ?? []).length >= 2;
  const { wants: _wants, unit: _unit, ...rest } = asked;
  const q: Query = twoAsked ? rest : asked;
  const best = ranked[0]!;
  const pool = ranked
    .slice(0, 6)
    .filter((r) => r.coverage >= Math.max(MIN_COVERAGE, 0.8 * best.coverage))
    .map((r, order) => ({ r, order, pick: figureClauses(q, r.view, twoAsked, views) }))
    // The passage whose figure clause itself carries most of the question comes first (地区生产总值增长5.3%
    // before 民营经济增加值占地区生产总值比重达58.5%); otherwise the ranking's order.
    // A passage of the period asked comes before one that only may speak of it.
    .sort((a, b) => b.r.period - a.r.period || clauseShare(q, b.r.view, b.pick?.clauses) - clauseShare(q, a.r.view, a.pick?.clauses) || a.order - b.order);
  for (const { r, pick } of pool) {
    if (!focusCovered(q, r.view)) continue;
    if (!q.yesNo && !statesQuestionFigures(q, r.view)) continue;
    // A figure of another period than the one asked is not the answer (the five-year total for this year).
    if (r.period < 0.8) continue;
    if (!pick) continue;
    if (incrementOnly(q, r.view, pick.clauses)) return refuse('no-count', { q, topic: subjectOf(q) }, related);
    const whole = pickFromClauses(r.view, pick.clauses);
    const narrowed = twoAsked ? whole : narrowToItems(q, whole);
    if (!narrowed) continue;
    return compose(asked, r, narrowed, ranked);
  }
  // 没有提出全年经济增速具体目标: the report says itself that it sets no figure; that is the answer.
  for (const { r } of pool) {
    const none = r.view.clauses.findIndex((c) => NO_TARGET.test(c.text));
    if (none >= 0 && focusCovered(q, r.view)) return compose(asked, r, pickFromClauses(r.view, [none]), ranked);
  }
  if (q.intent === 'cost') return refuse('no-price', { q }, related);
  // Asked for an amount where the report gives only a growth rate (in the best passages that name the
  // thing and speak of the period asked) …
  const rated = q.total || q.wants === 'money'
    ? pool.map(({ r }) => r).filter((r) => r.period >= 0.8 && focusCovered(q, r.view)).map((r) => ({ r, rates: figureClauses({ ...q, wants: 'percent' }, r.view, false, views) })).find((x) => x.rates)
    : undefined;
  // …and says what it does give: 报告没有给出总量,只给出了增速:社会消费品零售总额增长4.2%。
  if (rated?.rates) {
    const given = joinSpans(rated.r.view.report.text, pickFromClauses(rated.r.view, rated.rates.clauses).spans);
    return refuse('no-total', { q, topic: subjectOf(q), detail: given }, [rated.r, ...related.filter((r) => r !== rated.r)]);
  }
  return refuse('no-figure', { q, topic: subjectOf(q), detail: q.time.kind === 'none' || q.time.kind === 'current' ? '' : q.time.marker ?? '' }, related);
}

/** A report that says it sets no figure: 没有提出…具体目标, 不设…目标. */
const NO_TARGET = /(?:没有|未|不再|不)(?:提出|设定|设置|设|定)(?:全年)?.{0,10}(?:具体)?(?:预期)?目标/;

/**
 * 游客人数和旅游收入的目标, 人大建议和政协提案各多少: two things joined by 和 / 与 / 及 / 、 before the
 * question word, each a noun the question names (a short attribute word may follow the first).
 */
function joinsTwo(q: Query): boolean {
  if (/占|同步|比重|之比/.test(q.text)) return false;
  const text = q.places.rest;
  const at = q.concepts
    .filter((c) => c.noun)
    .map((c) => ({ start: text.indexOf(c.text), end: text.indexOf(c.text) + c.text.length }))
    .filter((x) => x.start >= 0)
    .sort((a, b) => a.start - b.start);
  for (let i = 0; i + 1 < at.length; i++) {
    const gap = text.slice(at[i]!.end, at[i + 1]!.start);
    if (/^\p{Script=Han}{0,3}?(?:和|与|及|以及|、)$/u.test(gap) && !/[和与及]/.test(gap.slice(0, -1))) return true;
  }
  return false;
}

/**
 * One clause can list several figures (认定省级瞪羚企业3家、专精特新企业15家、高新技术企业70家): when the
 * question is about some of the items, answer with those items only.
 */
function narrowToItems(q: Query, pick: Pick): Pick | undefined {
  if (pick.spans.length !== 1) return pick;
  const text = pick.view.report.text;
  const span = pick.spans[0]!;
  const items: Span[] = [];
  let start = span.start;
  for (let i = span.start; i <= span.end; i++) {
    if (i === span.end || text[i] === '、') {
      // An item that opens with the verb of a figure (达到5.67万亿元、增长5.4%) goes on about the one before.
      const prev = items[items.length - 1];
      if (prev && CONTINUES.test(text.slice(start, i))) prev.end = i;
      else items.push({ start, end: i });
      start = i + 1;
    }
  }
  if (items.length < 2) return pick;
  // 第几届 / 排第几 are answered by an ordinal (第十七届, 第5位); other questions by a count or amount.
  const hasFigure = (it: Span) => extractQuantities(text.slice(it.start, it.end)).some((f) => (q.asksOrdinal ? f.ordinal : !f.ordinal));
  const withFigure = items.every(hasFigure);
  const focus = q.concepts.filter((c) => c.focus);
  const about = (it: Span) => focus.length > 0 && focus.every((c) => strength(c, normalizeText(text.slice(it.start, it.end)).toLowerCase()) >= 0.8);
  // 访问港航次再创新高 beside 邮轮航次40个以上: the item asked about has no figure of its own.
  if (!withFigure && items.some(about) && items.filter(about).every((it) => !hasFigure(it))) return undefined;
  if (!withFigure || (focus.length === 0 && !q.unit)) return pick;
  const unitOf = (it: Span) => extractQuantities(text.slice(it.start, it.end)).some((f) => f.unit === q.unit);
  // 专精特新和瞪羚企业各几家: each item about one of them.
  const subjects = q.concepts.filter((c) => c.noun);
  const each = /各|分别/.test(q.text) && subjects.length > 1;
  const matchesItem = (it: Span, c: (typeof focus)[number]) => strength(c, normalizeText(text.slice(it.start, it.end)).toLowerCase()) >= 0.8;
  let hits = each
    ? items.filter((it) => subjects.some((c) => matchesItem(it, c)))
    : focus.length
      ? items.filter((it) => focus.every((c) => matchesItem(it, c)))
      : [];
  // 星级示范路今年搞几条: the item counted in 条.
  if (q.unit && items.some(unitOf) && !items.every(unitOf) && (hits.length === 0 || !hits.some(unitOf))) hits = items.filter(unitOf);
  // The item named may not hold the kind of figure asked (开通3条地铁新线、新增运营里程30公里 for 多少公里).
  if (q.wants && hits.length && !hits.some((it) => extractQuantities(text.slice(it.start, it.end)).some((f) => familyMatches(q.wants!, f.family)))) return pick;
  if (hits.length === 0 || hits.length === items.length) return pick;
  return { ...pick, spans: hits };
}

const LOOSE = new Set(['count', 'people', 'times', 'none']);
function familyMatches(wants: string, family: string): boolean {
  return wants === family || (LOOSE.has(wants) && LOOSE.has(family));
}

/** Share of the question's concept weight that the chosen clauses themselves carry. */
function clauseShare(q: Query, v: SentenceView, clauses: number[] | undefined): number {
  return clauses?.length ? conceptShare(q, clauses.map((i) => v.clauses[i]!.norm).join(' ')) : 0;
}
