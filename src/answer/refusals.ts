import type { Query } from './analyze.ts';
import { messages } from './messages.ts';
import type { Ranked } from './rank.ts';
import { coverageOf, loadedDescription, subjectOf, type Deployment, type Scope } from './scope.ts';
import { MIN_COVERAGE, PERIOD_WEIGHT } from './tuning.ts';
import type { RefusalReason } from './types.ts';

/**
 * Every way the bot declines to answer, in one ordered table. Each rule has one name, one reason code
 * (what channels and the query log see), one stage and one message:
 *
 *   question   decided from the question alone (empty, personal data)
 *   scope      decided from what is loaded (a year no report covers, which of several places)
 *   retrieval  decided from the best passages found (another place, another period, nothing close)
 *   pick       decided by the picker of the question's kind (a figure, a date, a place the passage lacks)
 *
 * The rule that fired travels in the Answer (`refusal: {rule, reason}`) and the query log, so a clerk
 * can tell "the report does not say" from "the bot did not find it". A message that names a term as
 * absent is only used when the term is absent from the reports searched: see `absenceTopic`.
 */
export type RefusalRuleName =
  | 'empty'
  | 'personal-data'
  | 'year-not-covered'
  | 'which-place'
  | 'greeting'
  | 'nothing-asked'
  | 'english-unknown'
  | 'injection'
  | 'opinion'
  | 'how-to'
  | 'other-place'
  | 'sub-place'
  | 'year-not-named'
  | 'period'
  | 'ranking'
  | 'not-found'
  | 'other-entity'
  | 'absent-subject'
  | 'no-items'
  | 'no-date'
  | 'no-count'
  | 'no-price'
  | 'no-total'
  | 'no-figure'
  | 'no-place'
  | 'no-entity';

export type RefusalStage = 'question' | 'scope' | 'retrieval' | 'pick';

/** What a message may use: the question, its scope, the deployment and the best passage. */
export interface RefusalContext {
  q: Query;
  scope?: Scope;
  deployment?: Deployment;
  best?: Ranked;
  /** A term the refusal may name (the subject), already checked against the reports. */
  topic?: string;
  /** Free text a rule passes to its message (a region list, a coverage line, a greeting). */
  detail?: string;
  /**
   * Whether the reports searched write `topic` (set by `truthful`): a message may call a term absent
   * only when it is, and may speak of a term's missing detail only when the term is there.
   */
  mentioned?: boolean;
}

export interface RefusalRule {
  reason: RefusalReason;
  stage: RefusalStage;
  /** Why the rule exists, for the README table and reviews. */
  about: string;
  message(ctx: RefusalContext): string;
}

export const REFUSALS: Record<RefusalRuleName, RefusalRule> = {
  empty: { reason: 'empty', stage: 'question', about: 'nothing was typed', message: () => messages.empty },
  'personal-data': { reason: 'personal-data', stage: 'question', about: 'a person’s name, phone, address or pay', message: () => messages.personalData },
  'year-not-covered': { reason: 'other-year', stage: 'scope', about: 'a year more than ten years from any loaded report', message: ({ detail, q }) => messages.otherYear(q.time.marker ?? '这一时期', detail ?? '') },
  'which-place': { reason: 'which-place', stage: 'scope', about: 'several places loaded, none named, none clearly answers', message: ({ detail }) => detail ?? '' },
  greeting: { reason: 'chitchat', stage: 'scope', about: 'a greeting, thanks or small talk', message: ({ detail }) => detail ?? '' },
  'nothing-asked': { reason: 'chitchat', stage: 'scope', about: 'no word of the question names a subject', message: ({ detail }) => detail ?? '' },
  'english-unknown': { reason: 'not-found', stage: 'scope', about: 'an English question with no word the glossary knows', message: () => messages.notUnderstood },
  injection: { reason: 'injection', stage: 'retrieval', about: 'asks the bot to invent, pretend or ignore its rules', message: () => messages.injection },
  opinion: { reason: 'opinion', stage: 'retrieval', about: 'asks for a view, a forecast or advice, which a report does not give', message: () => messages.opinion },
  'how-to': { reason: 'how-to', stage: 'retrieval', about: 'asks how to apply or where to register', message: () => messages.noProcedure },
  'other-place': { reason: 'other-place', stage: 'retrieval', about: 'a place no loaded report governs, which the best passage does not name', message: ({ detail }) => detail ?? '' },
  'sub-place': { reason: 'other-place', stage: 'retrieval', about: 'a place inside a loaded region that the best passage does not single out', message: ({ detail }) => detail ?? '' },
  'year-not-named': { reason: 'other-year', stage: 'retrieval', about: 'a year no report covers as a whole, which the best passage does not name', message: ({ q, detail }) => messages.otherYear(q.time.marker ?? '这一时期', detail ?? '') },
  period: { reason: 'other-year', stage: 'retrieval', about: 'the best passage speaks of another period than the one asked', message: ({ q, topic, mentioned }) => (mentioned ? messages.notAnswered(topic!) : messages.notInPeriod(q.time.marker ?? '这一时期', topic ?? '')) },
  ranking: { reason: 'no-ranking', stage: 'retrieval', about: 'asks which is first or largest; the passage ranks nothing', message: () => messages.noRanking },
  'not-found': { reason: 'not-found', stage: 'retrieval', about: 'no passage carries enough of the question', message: absentOrNot },
  'other-entity': { reason: 'not-found', stage: 'retrieval', about: 'a numbered name (9号线) the passage does not carry', message: absentOrNot },
  'absent-subject': { reason: 'not-found', stage: 'retrieval', about: 'a figure about a thing the report never mentions', message: absentOrNot },
  'no-items': { reason: 'no-items', stage: 'pick', about: 'asks for every item of a set the report only counts (具体是哪30项)', message: () => messages.noItems },
  'no-date': { reason: 'no-date', stage: 'pick', about: 'asks when; the passage gives no date', message: () => messages.noDate },
  'no-count': { reason: 'no-figure', stage: 'pick', about: 'asks a total; the report gives only what is added', message: (c) => (c.mentioned === false ? absentOrNot(c) : messages.noCount(c.topic ?? '')) },
  'no-price': { reason: 'no-price', stage: 'pick', about: 'asks a price, fee or subsidy rate', message: () => messages.noPrice },
  'no-total': { reason: 'no-figure', stage: 'pick', about: 'asks an amount; the report gives only its growth', message: (c) => (c.mentioned === false ? absentOrNot(c) : messages.noTotal(c.topic ?? '', c.detail)) },
  'no-figure': { reason: 'no-figure', stage: 'pick', about: 'asks a figure; the passage about it gives none', message: (c) => (c.mentioned === false ? absentOrNot(c) : messages.noFigure(c.topic ?? '', c.detail ?? '')) },
  'no-place': { reason: 'no-place', stage: 'pick', about: 'asks where; the passage names no place', message: () => messages.noPlace },
  'no-entity': { reason: 'no-entity', stage: 'pick', about: 'asks which company, city, school …; the answer names none', message: ({ detail }) => messages.noEntity(detail ?? '') },
};

/** 没有找到关于“X” only when X is absent; else that the reports speak of X without answering. */
function absentOrNot({ topic, mentioned }: RefusalContext): string {
  return topic && mentioned ? messages.notAnswered(topic) : messages.notFound(topic ?? '');
}

/**
 * A refusal's message made true of the reports searched: whether they write the topic it names is
 * read from their text, so "没有找到关于X" is never said of a report that writes X. `writes` takes a
 * term, or pieces that must stand together in one paragraph.
 */
export function truthful(ctx: RefusalContext, writes: (term: string | string[]) => boolean): RefusalContext {
  if (!ctx.topic) return ctx;
  // A compound the report writes apart counts when its pieces stand in one paragraph.
  return { ...ctx, mentioned: writes(ctx.topic) || conceptsOf(ctx).every((c) => c.forms.some((f) => writes(f)) || (c.parts.length > 0 && writes(c.parts))) };
}

/** The question's concepts that the topic names (all of it when it names none of them). */
function conceptsOf({ q, topic }: RefusalContext): Query['concepts'] {
  const inTopic = q.concepts.filter((c) => topic!.includes(c.text));
  return inTopic.length ? inTopic : [{ text: topic!, forms: [topic!], parts: [], weight: 1, noun: true, focus: true }];
}

/** The rules in the order they are tried, stage by stage. */
export const REFUSAL_ORDER = Object.keys(REFUSALS) as RefusalRuleName[];

// — the retrieval stage: tried in table order on the best passage —

export interface RuleContext {
  q: Query;
  scope: Scope;
  deployment: Deployment;
  best?: Ranked;
}

const passageText = (r: Ranked): string => `${r.view.norm} ${r.view.paragraphNorm}`;

/** Does the best passage name the place, as asked (深圳) or in Chinese when asked in English (Shenzhen)? */
function namesPlace({ best, deployment }: RuleContext, m: Scope['mustName'][number]): boolean {
  if (!best) return false;
  const text = passageText(best);
  return [m.form.toLowerCase(), m.name, deployment.gazetteer.shortName(m.name)].some((f) => [...f].length >= 2 && text.includes(f));
}

/** A passage that ranks things itself: 最, 首位, 居全国第二, 第5位, 前列. */
const RANKS = /最|首[位个家批艘座条架次届台款]|第一|之最|龙头|前列|首位|居全国|全国第|第[一二三四五六七八九十\d]+[位名]|[西中东]部第/;

/** Numbers that are part of a name: 9号线, 5号楼, 二期, 第十届. */
const NAME_NUMBER = /(?:号线|号|期|届)$/;

/** Does the report write the concept anywhere (any form, its pieces, or its stem)? */
function mentions(text: string, c: Query['concepts'][number]): boolean {
  const lower = text.toLowerCase();
  if (c.forms.some((f) => lower.includes(f))) return true;
  if (c.parts.length && c.parts.every((p) => lower.includes(p))) return true;
  return Boolean(c.stem && lower.includes(c.stem));
}

const absentNoun = ({ q, best }: RuleContext) => (best ? q.concepts.find((c) => c.noun && c.focus && !c.glued && !mentions(best.view.report.text, c)) : undefined);

/** The retrieval-stage rules' tests, by rule; what each message needs is computed by `detailOf`. */
export const RETRIEVAL_TESTS: Partial<Record<RefusalRuleName, (ctx: RuleContext) => boolean>> = {
  injection: ({ q }) => q.flags.injection,
  opinion: ({ q }) => q.flags.opinion,
  'how-to': ({ q }) => q.flags.howTo,
  'other-place': (ctx) => ctx.scope.mustName.some((m) => m.kind === 'other-place' && !namesPlace(ctx, m)),
  'sub-place': (ctx) => ctx.scope.mustName.some((m) => m.kind === 'sub-place' && !namesPlace(ctx, m)),
  'year-not-named': ({ scope, best }) => scope.requireMarker && !(best && scope.markers.some((m) => best.view.norm.includes(m))),
  // Asked about a time (2024年, 十四五) and the best passage speaks of another part without naming it.
  period: ({ scope, best }) => Boolean(best && scope.periods && best.period < PERIOD_WEIGHT.namesAsked && !scope.periods.get(best.view.reportIndex)?.includes(best.view.period)),
  // 投资最大的是哪一个: the report must rank things itself.
  ranking: ({ q, best }) => Boolean(best && q.superlative && !RANKS.test(best.view.sentence.text)),
  'not-found': ({ best }) => !best || best.coverage < MIN_COVERAGE,
  // 地铁9号线 asked where the report has 5号线 and 8号线: a numbered name is a different thing.
  'other-entity': ({ q, best }) =>
    Boolean(best && q.quantities.some((n) => NAME_NUMBER.test(q.text.slice(n.start, n.end + 1)) && !best.view.clauses.some((c) => [...c.figures, ...c.ordinals].some((f) => f.value === n.value)) && !new RegExp(`(?<!\\d)${n.value}(?!\\d)`).test(best.view.norm))),
  // A figure about something the report never mentions (生娃补贴 where it has none): a nearby figure
  // about something else must not stand in.
  'absent-subject': (ctx) => Boolean(ctx.best && (ctx.q.intent === 'number' || ctx.q.intent === 'cost') && absentNoun(ctx)),
};

/** The first retrieval-stage rule that refuses, with what its message needs. */
export function refusalAfter(ctx: RuleContext): { rule: RefusalRuleName; refusal: RefusalContext } | undefined {
  for (const rule of REFUSAL_ORDER) {
    const test = RETRIEVAL_TESTS[rule];
    if (test?.(ctx)) return { rule, refusal: { ...ctx, ...detailOf(rule, ctx) } };
  }
  return undefined;
}

function detailOf(rule: RefusalRuleName, ctx: RuleContext): Pick<RefusalContext, 'topic' | 'detail'> {
  const { q, scope, deployment } = ctx;
  switch (rule) {
    case 'other-place': {
      const place = scope.mustName.find((m) => m.kind === 'other-place')!;
      return { detail: messages.otherPlace(place.name, loadedDescription(deployment, scope)) };
    }
    case 'sub-place': {
      const place = scope.mustName.find((m) => m.kind === 'sub-place')!;
      const parent = scope.regions[0] ?? deployment.reports[scope.reports[0] ?? 0]?.meta.region ?? '';
      return { detail: messages.subPlace(place.name, parent) };
    }
    case 'year-not-named':
      return { detail: coverageOf(deployment, scope.reports) };
    case 'period':
    case 'not-found':
      return { topic: subjectOf(q) };
    case 'other-entity':
      return { topic: q.text.replace(/[?？吗呢。!！\s]+$/g, '').slice(0, 16) };
    case 'absent-subject':
      return { topic: absentNoun(ctx)!.text };
    default:
      return {};
  }
}
