import { retrieve, type RetrievalWeights } from '../search/retrieve.ts';
import type { IdentifiedEmbeddings, SearchIndex } from '../search/store.ts';
import { analyzeQuestion, MAX_QUESTION_LENGTH, type AnalyzeContext, type Query } from './analyze.ts';
import { compareTargets, type CompareDeps } from './compare.ts';
import { answerLevels } from './levels.ts';
import { followUp, readTurn } from './followup.ts';
import { questionParts } from './parts.ts';
import { pickDefinition } from './pick/definition.ts';
import { answerProgress, answerTrend } from './progress.ts';
import { checkedRefusal, citationsOf, compose, labelPeriod, refuse, type Draft } from './compose.ts';
import { figureClauses, pickFromClauses, statesQuestionFigures } from './clauses.ts';
import { messages } from './messages.ts';
import { chaptersOf, overview, PICKERS, sectionSummary } from './pick/index.ts';
import { pickBroad } from './pick/broad.ts';
import { rank, type Ranked } from './rank.ts';
import { refusalAfter } from './refusals.ts';
import { closestFeatures, closestProbability, evidenceOf, type CandidateEvidence, type Evidence } from './evidence.ts';
import { greeting, periodWeight, scopeOf, type Deployment, type Scope } from './scope.ts';
import { CANDIDATES, CLOSEST, REGION_MARGIN } from './tuning.ts';
import type { Answer, AskOptions } from './types.ts';
import type { Period } from '../corpus/types.ts';
import type { SentenceViews } from './views.ts';

/**
 * The answer stage, in order and without rules of its own:
 *
 *   analyse → refuse what no report can answer → scope (reports, parts) → shortcuts (a section by
 *   number, an overview) → retrieve → rank → refusal rules → PICKERS[intent] → compose
 *
 * Rules live in the steps: question understanding in analyze.ts, which reports and which refusals in
 * scope.ts, how an answer is cut in pick/<intent>.ts, the wording in compose.ts and messages.ts.
 */
export interface PipelineDeps {
  index: SearchIndex;
  ctx: AnalyzeContext;
  deployment: Deployment;
  embeddings: IdentifiedEmbeddings;
  views: SentenceViews;
  weights?: RetrievalWeights;
  /** Called when the dense half fails (the answer then comes from lexical retrieval alone). */
  onDenseError?: (err: unknown) => void;
  /** The targets table, for questions across reports (各省…, 哪个省最高, 比去年多多少). */
  compare?: CompareDeps;
  /** Does one of these reports write the term (or all the pieces in one paragraph)? Keeps refusals true. */
  writes: (reports: number[], term: string | string[]) => boolean;
}

export async function answerQuestion(question: string, options: AskOptions, deps: PipelineDeps, part = false): Promise<Answer> {
  const q = analyzeQuestion(question, deps.ctx);
  const notice = q.truncated ? { notice: messages.truncated(MAX_QUESTION_LENGTH) } : {};
  // Two questions in one message: each answered, the second read against the first (幼儿园呢).
  const parts = part || q.flags.injection || q.flags.personal ? undefined : questionParts(q.text);
  if (parts) {
    const both = await answerParts(parts, options, deps);
    if (both) return { ...both, question: q.raw, ...notice };
  }
  // Which reports and parts, decided once for both paths below.
  const scope = q.text && !q.flags.personal
    ? scopeOf(q, deps.deployment, { ...(options.report ? { report: options.report } : {}), ...(options.region ? { region: options.region } : {}) })
    : undefined;
  // A figure across reports comes from the targets table, each row cited (more than three quotes);
  // so do whether a year's targets came true (its targets against the next report's results) and a
  // region against the loaded level above it (比全市高多少), which the scope of one region may refuse.
  if (scope && deps.compare && !q.flags.injection) {
    const compared =
      answerLevels(q, scope, deps.compare) ?? (scope.refusal ? undefined : (answerProgress(q, scope, deps.compare) ?? answerTrend(q, scope, deps.compare) ?? compareTargets(q, scope, deps.compare)));
    if (compared) return { ...compared, ...notice };
  }
  const maxCitations = Math.min(3, Math.max(1, options.maxCitations ?? 3));
  const draft = await draftAnswer(q, scope, deps, Boolean(options.explain));
  return {
    question: q.raw,
    found: draft.found,
    answer: draft.answer,
    citations: citationsOf(draft, maxCitations),
    latencyMs: 0,
    intent: draft.intent,
    ...(draft.reason ? { reason: draft.reason } : {}),
    ...(draft.rule && draft.reason ? { refusal: { rule: draft.rule, reason: draft.reason } } : {}),
    ...(options.explain && draft.evidence ? { evidence: draft.evidence } : {}),
    ...(draft.closest ? { closest: true } : {}),
    highlights: draft.highlights,
    ...notice,
  };
}

async function draftAnswer(q: Query, asked: Scope | undefined, deps: PipelineDeps, explain = false): Promise<Draft> {
  const { index, views } = deps;
  if (!q.text) return refuse('empty', { q });
  if (q.flags.personal || !asked) return refuse('personal-data', { q });

  const scope = asked;
  if (scope.refusal) return refuse(scope.refusal.rule, { q, detail: scope.refusal.detail });

  // Two loaded regions named (浙江和四川的就业目标): each answers for itself.
  if (scope.regions.length >= 2 && !q.superlative) {
    const drafts = await Promise.all(
      scope.regions.map(async (region) => ({ region, draft: await scopedDraft(q, { ...scope, reports: scope.reports.filter((i) => index.reports[i]!.meta.region === region), regions: [region] }, deps) })),
    );
    return mergeRegions(q, drafts, deps);
  }
  // Last year asked where last year's own report is loaded too: its plan set the target, this year's
  // report reviews the result. Both are said, each from its own report.
  const sides = targetAndResult(scope, deps);
  if (sides) {
    const [target, result] = await Promise.all(sides.map((s) => scopedDraft(q, s.scope, deps)));
    return mergeTargetResult(q, target!, result!, sides[0]!.year);
  }
  // Several regions, none named, none by default: a figure or a plan of which region? When one region's
  // report answers clearly better than every other's, answer from it and say which; otherwise ask,
  // rather than give one region's figure as if it were the answer.
  let answerScope = scope;
  if (scope.ambiguous && (AMBIGUOUS_INTENTS.has(q.intent) || q.concepts.length === 0) && !q.flags.greeting && !q.flags.injection) {
    const clear = q.concepts.length ? clearRegion(await retrieveAndRank(q, scope, deps)) : undefined;
    if (!clear) {
      const regions = [...new Set(deps.deployment.reports.map((r) => r.meta.region))];
      return refuse('which-place', { q, detail: messages.whichPlace(regions.map((r) => deps.deployment.gazetteer.shortName(r))) });
    }
    answerScope = { ...scope, reports: scope.reports.filter((i) => index.reports[i]!.meta.region === clear) };
  }
  const draft = await scopedDraft(q, answerScope, deps);
  // An answer from one of several regions says which.
  if (scope.ambiguous && draft.found && draft.primary[0]) {
    return { ...draft, answer: messages.regionLabel(draft.primary[0].view.report.meta.region) + draft.answer };
  }
  return draft;

  async function scopedDraft(q: Query, scope: Scope, deps: PipelineDeps): Promise<Draft> {
    return checkedRefusal(await draftIn(q, scope, deps), (term) => deps.writes(scope.reports, term));
  }

  async function draftIn(q: Query, scope: Scope, deps: PipelineDeps): Promise<Draft> {
    const report = index.reports[scope.reports[0] ?? 0]!;
    if (q.ordinal !== undefined && q.section) {
      // 第三部分讲啥: the section itself, whatever else the question says.
      const chapter = chaptersOf(report)[q.ordinal - 1];
      if (chapter) return sectionSummary(chapter, report, index, views, []);
    }
    // 报告里讲的困难和不足, 今年主要预期目标各是多少: the part every report writes for it.
    if (q.broad && !q.flags.injection) {
      // …unless it asks what a coined name stands for (“1234”发展思路指什么), which a sentence spells out.
      const defined = q.asksDefinition ? pickDefinition(q, await retrieveAndRank(q, scope, deps)) : undefined;
      if (defined) return labelPeriod(defined, q);
      const broad = pickBroad(q, q.broad, scope, index, views);
      if (broad) return labelPeriod(broad, q);
    }
    const chat = { q: { ...q, intent: 'chitchat' as const }, detail: greeting(scope, deps.deployment) };
    if (q.flags.bareGreeting) return refuse('greeting', chat);
    // 深圳今年有什么安排 of a provincial report: its overview is not about the city.
    if (q.concepts.length === 0 && scope.mustName.length) {
      const place = refusalAfter({ q, scope, deployment: deps.deployment });
      if (place) return refuse(place.rule, place.refusal);
    }
    if (q.concepts.length === 0 && !q.flags.injection) {
      if (!q.flags.greeting && !q.english && (q.intent === 'summary' || q.intent === 'list' || q.section)) return overview(q, report, index, views);
      if (q.english && !q.flags.greeting) return refuse('english-unknown', { q });
      return refuse(q.flags.greeting ? 'greeting' : 'nothing-asked', chat);
    }

    const ranked = await retrieveAndRank(q, scope, deps);
    const best = ranked[0];
    const related = ranked.filter((r) => r.coverage >= 0.3);
    const refused = refusalAfter({ q, scope, deployment: deps.deployment, ...(best ? { best } : {}) });
    // What the best passage offered a refusal, only when asked for (the eval): no work on the question's path otherwise.
    const withEvidence = (d: Draft): Draft => (explain && best && !d.found ? { ...d, evidence: evidenceOf(q, best, views) } : d);
    if (refused) {
      if (refused.rule === 'not-found' && q.flags.greeting) return refuse('greeting', chat);
      return withEvidence(refuse(refused.rule, refused.refusal, related));
    }
    // “六保”指的是哪六保: the sentence that spells the term out, whatever kind of answer the words suggest.
    const picked = pickDefinition(q, ranked) ?? PICKERS[q.intent]({ q, ranked, related, index, views, scope, deployment: deps.deployment });
    const near = best && !picked.found ? closest(q, picked, views, ranked, explain) : undefined;
    const draft = near?.draft ?? picked;
    // With `explain`, the candidates the closest-answer model rated, answered or not (scripts/calibrate.ts);
    // the answer itself is decided exactly as without.
    const explained = (d: Draft): Draft => {
      const e = withEvidence(d);
      return near?.candidates.length ? { ...e, evidence: { ...(e.evidence ?? evidenceOf(q, best!, views)), candidates: near.candidates } } : e;
    };
    // 哪家企业投的: an answer that names no company does not answer it.
    if (draft.found && q.asksKind && !namesKind(draft.answer, q)) return explained(refuse('no-entity', { q, detail: q.asksKind.which }, ranked));
    return explained(labelPeriod(draft, q));
  }
}

/**
 * The two parts of a message, each answered as a question of its own (the second completed from the
 * first where it leaves out the subject, place or time), said one after the other with both quotes.
 * A second part that names nothing of its own (国家怎么说的) is not a question: undefined, and the
 * message is answered whole.
 */
async function answerParts(parts: [string, string], options: AskOptions, deps: PipelineDeps): Promise<Answer | undefined> {
  const fdeps = { gazetteer: deps.ctx.lexicon.gazetteer, own: deps.ctx.ownPlaces };
  const firstTurn = readTurn(parts[0], fdeps);
  const second = followUp(parts[1], firstTurn, fdeps);
  if (second.needsContext) return undefined;
  // It must be about a thing of its own, not the first part's again or nothing (国家怎么说的).
  const q1 = analyzeQuestion(parts[0], deps.ctx);
  const q2 = analyzeQuestion(parts[1], deps.ctx);
  const own = q2.concepts.filter((c) => c.noun && !q1.concepts.some((d) => d.text === c.text));
  if ((!own.length && !second.inherited.length) || q2.flags.opinion || q2.flags.greeting) return undefined;
  // A second question that says no time or place is asked of the first one's (去年城镇化率多少？高标准农田呢).
  let asked = second.question;
  if (!second.inherited.length) {
    const turn = readTurn(asked, fdeps);
    asked = `${!turn.place && firstTurn.place ? firstTurn.place : ''}${!turn.time && firstTurn.time ? firstTurn.time : ''}${asked}`;
  }
  const [a, b] = await Promise.all([answerQuestion(parts[0], options, deps, true), answerQuestion(asked, options, deps, true)]);
  // Only when each part has its answer: otherwise the message is answered whole, as one question
  // (a part alone may read worse than the whole: 接待游客多少人次、旅游总收入多少 from one sentence).
  if (!a.found || !b.found) return undefined;
  // The same passage answers both (今年新建改建几所学校，幼儿园呢 in one sentence): said once.
  if (a.found && b.found && a.answer === b.answer) return a;
  // Each part's own quote (the one its answer is cut from), once.
  const quotes = [...a.citations.slice(0, a.found ? 1 : 0), ...b.citations.slice(0, b.found ? 1 : 0)];
  const citations = quotes.filter((c, i) => quotes.findIndex((d) => d.docId === c.docId && d.start === c.start && d.quote === c.quote) === i);
  const { reason: _r, refusal: _f, evidence: _e, closest: _c, ...first } = a;
  return {
    ...first,
    found: true,
    answer: `${a.answer}\n${second.interpretedAs ? messages.partLabel(second.interpretedAs) : ''}${b.answer}`,
    citations,
    highlights: [...a.highlights, ...b.highlights],
    ...(a.closest || b.closest ? { closest: true } : {}),
  };
}

/**
 * A figure refused although a passage near the top is close (see CLOSEST): the candidate the
 * closest-answer model rates highest, answered from its figure clauses and said to be the closest the
 * report comes, rather than a refusal that would show the same sentence as 相关内容. With `explain`,
 * every candidate and the model's view of it.
 */
function closest(
  q: Query,
  refused: Draft,
  views: SentenceViews,
  ranked: Ranked[],
  explain: boolean,
): { draft: Draft | undefined; candidates: NonNullable<NonNullable<Draft['evidence']>['candidates']> } {
  const none = { draft: undefined, candidates: [] };
  if (!refused.rule || !(CLOSEST.rules as readonly string[]).includes(refused.rule)) return none;
  const best = ranked[0];
  if (!best) return none;
  const rated: Array<{ r: Ranked; e: CandidateEvidence; p: number; clauses: number[] }> = [];
  for (const [rank, r] of ranked.slice(0, CLOSEST.candidates).entries()) {
    // 120个亿元项目总投资: a passage that does not state the question's own figure is about other things.
    if (!statesQuestionFigures(q, r.view)) continue;
    const figures = figureClauses(q, r.view, true, views);
    if (!figures) continue;
    const e: CandidateEvidence = { ...evidenceOf(q, r, views, true), rank, relative: best.score > 0 ? Math.round((1000 * r.score) / best.score) / 1000 : 0, direct: figures.direct };
    // It must name the thing asked in so many words: a figure of another subject is a wrong number.
    rated.push({ r, e, p: e.focus >= CLOSEST.focus ? closestProbability(e, CLOSEST) : 0, clauses: figures.clauses });
  }
  const draftOf = (x: (typeof rated)[number]): Draft => compose({ ...q, yesNo: false }, x.r, pickFromClauses(x.r.view, x.clauses), ranked);
  const top = [...rated].sort((a, b) => b.p - a.p)[0];
  const chosen = top && top.p >= CLOSEST.threshold ? draftOf(top) : undefined;
  return {
    draft: chosen ? { ...chosen, answer: messages.closest + chosen.answer, closest: true } : undefined,
    candidates: explain
      ? rated.map((x) => {
          const d = draftOf(x);
          return { features: closestFeatures(x.e), p: Math.round(x.p * 1000) / 1000, answer: d.answer, quote: d.primary[0] ? d.primary[0].view.report.text.slice(d.primary[0].quote.start, d.primary[0].quote.end) : '' };
        })
      : [],
  };
}

/** Does the answer name a thing of the kind asked, beyond the words of the question itself? */
function namesKind(answer: string, q: Query): boolean {
  const re = new RegExp(q.asksKind!.instance.source, 'gu');
  return [...answer.matchAll(re)].some((m) => !q.raw.includes(m[0]));
}

/**
 * The region whose best passage is clearly ahead of every other region's (by REGION_MARGIN of the
 * ranking score, and covering the question well), or undefined when regions answer alike.
 */
function clearRegion(ranked: Ranked[]): string | undefined {
  const best = ranked[0];
  if (!best || best.coverage < 0.7) return undefined;
  const region = best.view.report.meta.region;
  const other = ranked.find((r) => r.view.report.meta.region !== region);
  return !other || best.score - other.score >= REGION_MARGIN ? region : undefined;
}

/** Two reports of one region asked about one year: the one planning it and the one reviewing it. */
function targetAndResult(scope: Scope, deps: PipelineDeps): Array<{ scope: Scope; year: number }> | undefined {
  if (!scope.periods || scope.periods.size < 2) return undefined;
  const entries = [...scope.periods];
  const plan = entries.find(([, ps]) => ps.includes('current'));
  const review = entries.find(([, ps]) => ps.includes('last-year'));
  if (!plan || !review) return undefined;
  const a = deps.deployment.reports[plan[0]]!.meta;
  const b = deps.deployment.reports[review[0]]!.meta;
  if (a.region !== b.region || b.year !== a.year + 1) return undefined;
  const only = (i: number, ps: Period[]): Scope => ({ ...scope, reports: [i], periods: new Map([[i, ps]]) });
  return [
    { scope: only(plan[0], plan[1]), year: a.year },
    { scope: only(review[0], review[1]), year: a.year },
  ];
}

function mergeTargetResult(q: Query, target: Draft, result: Draft, year: number): Draft {
  if (!target.found) return result;
  if (!result.found) return { ...target, answer: messages.targetLabel(year) + target.answer };
  return {
    ...result,
    answer: `${messages.targetLabel(year)}${target.answer}\n${messages.resultLabel(year)}${result.answer}`,
    highlights: [...target.highlights, ...result.highlights],
    primary: [...target.primary.slice(0, 1), ...result.primary.slice(0, 1)],
    related: [],
    intent: q.intent,
  };
}

/** Kinds of question whose answer differs by region (a figure, a list of measures, a plan). */
const AMBIGUOUS_INTENTS = new Set<string>(['number', 'cost', 'list', 'summary']);

async function retrieveAndRank(q: Query, scope: Scope, deps: PipelineDeps): Promise<Ranked[]> {
  let vector: number[] | undefined;
  try {
    vector = await deps.embeddings.embedQuery(q.concepts.flatMap((c) => c.forms.slice(0, 3)).join(' ') || q.text);
  } catch (err) {
    // A neural embedder that is down or misconfigured must not take answers down: lexical retrieval stands alone.
    deps.onDenseError?.(err);
  }
  // A year no report covers as a whole must be named by the passage (到2035年): look for it too.
  const terms = scope.requireMarker ? [...q.terms, ...markerTerms(scope, deps)] : q.terms;
  const candidates = await retrieve(
    deps.index,
    { terms, ...(vector ? { vector } : {}) },
    { limit: CANDIDATES, reports: scope.reports, ...(deps.weights ? { weights: deps.weights } : {}) },
  );
  return rank(q, candidates, deps.views, (v) => periodWeight(scope, v));
}

function markerTerms(scope: Scope, deps: PipelineDeps): Array<{ term: string; weight: number }> {
  return scope.markers.filter((m) => /\d|[〇一二三四五六七八九]{4}/.test(m)).flatMap((m) => deps.ctx.tokenizer.terms(m).map((term) => ({ term, weight: 0.8 })));
}

/** 浙江省:…;四川省:…, each answer from its own report, cited in turn. */
function mergeRegions(q: Query, drafts: Array<{ region: string; draft: Draft }>, deps: PipelineDeps): Draft {
  const found = drafts.filter((d) => d.draft.found);
  if (found.length === 0) return drafts[0]!.draft;
  const short = (r: string): string => deps.deployment.gazetteer.shortName(r);
  const answer = drafts.map((d) => `${short(d.region)}:${d.draft.answer}`).join('\n');
  return {
    found: true,
    intent: q.intent,
    answer,
    highlights: found.flatMap((d) => d.draft.highlights),
    primary: found.flatMap((d) => d.draft.primary.slice(0, 1)),
    related: [],
  };
}
