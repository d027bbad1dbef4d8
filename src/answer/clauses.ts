import { extractQuantities, normalizeText, type Quantity } from '../corpus/normalize.ts';
import type { Span } from '../corpus/types.ts';
import type { Gazetteer } from '../corpus/regions.ts';
import type { Concept, Query } from './analyze.ts';
import { clauseScore, strength, type ClauseView, type SentenceView, type SentenceViews } from './views.ts';

/**
 * Clause selection: inside a sentence, the shortest clause(s) that answer: the clause with the figure
 * asked for, the list a lead-in announces, the clause naming a date or a place.
 */

export const DATE = /\d{1,2}月|\d{1,2}日|年底|年初|年末|上半年|下半年|季度|月底|月初|春节|国庆|\d{4}年(?:\d|底|内|前)|(?:到|至|于)(?:\d{4}|[〇零一二三四五六七八九]{4})年/;
const STREET_SUFFIX = /路|街道|大街|街区|片区|广场|港区|新区|园区|商圈|小区/u;
/** Where in general: also facilities and bodies (山港航运金融中心, 产业基地, 第一线). */
const PLACE_SUFFIX = /路|街道|大街|街区|片区|广场|港区|新区|园区|商圈|小区|中心|基地|产业园|园|馆|城|港|大厦|楼宇|一线/u;

const COUNTS = new Set(['count', 'people', 'times', 'none']);

/** Reads the nouns a clause names before its figure (SentenceViews does, with the segmenter). */
type SubjectReader = { subjectNouns(c: ClauseView): string[] };

function wantedFigure(q: Query, f: Quantity): boolean {
  if (!q.wants) return f.family !== 'duration' || f.unit === '年';
  // 多少人 / 多少个 / 多少场 are loose in speech; money, rates, areas and lengths are not.
  if (COUNTS.has(q.wants)) return COUNTS.has(f.family);
  return f.family === q.wants;
}

/**
 * The clauses of a sentence that carry the figure asked for: a clause with a wanted figure and a concept
 * of the question (direct), or a figure clause next to the clause naming the concept.
 */
export function figureClauses(q: Query, v: SentenceView, all = false, views?: SubjectReader): { clauses: number[]; direct: boolean } | undefined {
  const scores = v.clauses.map((c) => clauseScore(q, c));
  const withFigure = v.clauses.map((c) => (q.asksOrdinal ? c.ordinals.length > 0 : c.figures.some((f) => wantedFigure(q, f))));
  // The thing counted must stand in the figure's own clause, or before it in the same measure (the
  // clauses back to the previous figure: 推动新能源汽车产业提质扩量,…,力争产量突破120万辆) when the
  // figure's clause names no subject of its own: 居民消费价格合理回升,城镇调查失业率控制在5%以内 gives no
  // figure for CPI.
  const focus = requiredFocus(q, v);
  const topic = normalizeText(`${v.paragraph.topic ?? ''} ${v.sentence.topic ?? ''}`).toLowerCase();
  const ownSubject = (i: number): boolean =>
    (views?.subjectNouns(v.clauses[i]!) ?? []).some((n: string) => !q.concepts.some((c) => c.forms.some((f) => f.includes(n) || n.includes(f)) || c.parts.includes(n)));
  // A piece of a compound (生产总值 of 单位生产总值能耗) does not name it.
  const says = (c: (typeof focus)[number], norm: string): boolean => strength(c, norm) >= FOCUS_STRENGTH;
  const before = (i: number, c: (typeof focus)[number]): boolean => {
    for (let j = i - 1; j >= 0; j--) {
      if (says(c, v.clauses[j]!.norm)) return true;
      // A figure clause of another subject ends the measure; one that names none (总量达1461.4万户) goes on with it.
      if (v.clauses[j]!.figures.length && ownSubject(j)) return false;
    }
    return says(c, topic);
  };
  // 投资280万元,完成南邑中学宿舍楼项目建设: a short clause of money or size, then what it is spent on.
  const leadsInto = (i: number): boolean =>
    views !== undefined && focus.length > 0 && v.clauses[i]!.text.length <= 14 && !ownSubject(i) && i + 1 < v.clauses.length && !v.clauses[i + 1]!.figures.length && focus.every((c) => says(c, v.clauses[i + 1]!.norm));
  const names = (i: number): boolean =>
    focus.every(
      (c) =>
        says(c, v.clauses[i]!.norm) ||
        (i > 0 && says(c, v.clauses[i - 1]!.norm) && !v.clauses[i - 1]!.figures.length) ||
        // A clause that opens with the verb of a figure (年均增长5.7%) goes on about the sentence's subject.
        (CONTINUES.test(v.clauses[i]!.text) && v.clauses.slice(0, i).some((p) => says(c, p.norm))) ||
        (leadsInto(i) && says(c, v.clauses[i + 1]!.norm)) ||
        (views !== undefined && !ownSubject(i) && before(i, c)),
    );
  const direct = v.clauses.map((_, i) => i).filter((i) => withFigure[i] && (scores[i]! > 0 || leadsInto(i)) && (all || !focus.length || names(i)));
  if (direct.length) {
    // 几条 asks for a figure counted in 条: prefer clauses that count that way.
    const sameUnit = q.unit ? direct.filter((i) => v.clauses[i]!.figures.some((f) => f.unit === q.unit)) : [];
    const pool = sameUnit.length ? sameUnit : direct;
    const best = Math.max(...pool.map((i) => scores[i]!));
    // Keep clauses that are about as relevant as the best (托位300个 and 托位数4.6个 both).
    const keep = all ? pool.slice(0, 4) : pool.filter((i) => scores[i]! >= 0.5 * best).slice(0, 3);
    // The same subject goes on in the next clause (收入突破4000亿元,达到4211亿元; 迈上6万亿元台阶,达到62661亿元).
    for (const i of [...keep]) {
      const next = v.clauses[i + 1];
      if (next && !keep.includes(i + 1) && CONTINUES.test(next.text) && next.figures.length > 0) keep.push(i + 1);
    }
    for (const i of [...keep]) if (leadsInto(i) && !keep.includes(i + 1)) keep.push(i + 1);
    // A total asked (总里程): the clause that states the total, not the one that adds to it.
    if (q.total) {
      const totals = keep.filter((i) => !INCREMENT.test(v.clauses[i]!.text) || /总/.test(v.clauses[i]!.text));
      if (totals.length && totals.length < keep.length) return { clauses: totals.sort((a, b) => a - b), direct: true };
    }
    return { clauses: keep.sort((a, b) => a - b), direct: true };
  }
  // The figure may close the clause after the one naming it (…托位数,达到4.6个), but only a short
  // clause: a longer one is a new measure with its own subject.
  const named = v.clauses.map((_, i) => i).filter((i) => scores[i]! > 0);
  for (const i of named) {
    if (withFigure[i + 1] && v.clauses[i + 1]!.text.length <= 12 && !(views && ownSubject(i + 1))) return { clauses: [i, i + 1], direct: false };
  }
  return undefined;
}

/** A clause or list item that goes on about the subject before it: it opens with the verb of a figure. */
export const CONTINUES = /^(?:共(?!同|享|建|治|商)|累计|合计|(?:计划|概算)?总投资|达到|达|增长|增至|增加到|提高到|提高至|提升至|提升到|降至|降到|下降|突破|超过|首次突破|居|占|比上年|同比|年均增长|分别|其中|总[\p{Script=Han}]{0,4}(?:达到?|为|突破|超过))/u;

/** Does the sentence carry every focus concept (the thing counted)? */
/** 每千人口, 人均: a denominator, not the thing counted (常住人口有多少 is not answered by 每千人口…4.6个). */
const PER_CAPITA = /每[十百千万]?人口|每[十百千万]人|人均/g;
/** 占地区生产总值比重, 单位GDP能耗: the whole a share or an intensity is taken of, not the thing measured. */
const SHARE_OF = /占[^,，。;；、]{1,16}?(?:比重|比例)|对[^,，。;；、]{1,12}?贡献率|单位(?:地区生产总值|国内生产总值|gdp|生产总值)/g;

/**
 * How plainly a sentence must name the thing counted: its own word or another wording (0.8), or every
 * piece of a compound the report writes apart (养老机构 in 养老服务机构, 旅游收入 in 旅游业总收入: 0.6).
 */
const FOCUS_STRENGTH = 0.6;

export function focusCovered(q: Query, v: SentenceView): boolean {
  let norm = new RegExp(PER_CAPITA.source).test(q.text) ? v.norm : v.norm.replace(PER_CAPITA, ' ');
  if (!/比重|占比|比例|份额/.test(q.text)) norm = norm.replace(SHARE_OF, ' ');
  const topic = normalizeText(`${v.paragraph.topic ?? ''} ${v.sentence.topic ?? ''}`).toLowerCase();
  return requiredFocus(q, v).every((c) => strength(c, norm) >= FOCUS_STRENGTH || strength(c, topic) >= FOCUS_STRENGTH);
}

/**
 * The focus concepts a sentence must name itself. The thing counted is the last of them (中药工业园区入园
 * 企业 → 企业 with what it is of); the words before it that qualify it may stand earlier in the paragraph
 * (现代中药工业园区…。…入园企业达132家), but the thing counted itself must be in the sentence or its topic.
 */
function requiredFocus(q: Query, v: SentenceView): Concept[] {
  const focus = q.concepts.filter((c) => c.focus);
  if (focus.length < 2) return focus;
  // A short qualifier alone (省市, 城镇, 农村) tells one figure from another and must stand in the sentence;
  // a name of three characters or more, alone or with its neighbours (中药 + 工业园区), names the scope,
  // which the paragraph may have said once.
  const modifiers = focus.slice(0, -1);
  const scoped = new Set<Concept>();
  for (let i = 0; i < modifiers.length; i++) {
    let run = '';
    for (let j = i; j < modifiers.length; j++) {
      run += modifiers[j]!.text;
      if ([...run].length >= 3 && v.paragraphNorm.includes(run)) for (let k = i; k <= j; k++) scoped.add(modifiers[k]!);
    }
  }
  return focus.filter((c) => !scoped.has(c));
}

/** Words of an increment (新增2座, 增长5%); 增长到 / 提高到 state the level reached, not the increment. */
const INCREMENT = /新增|增加(?![到至])|新建|新开|新启用|启用|建成|开办|引进|扩大|提高(?![到至])|增长(?![到至])/;

/** Asked for a total (一共, 现有) where the text gives only this year's increment (新增2座). */
export function incrementOnly(q: Query, v: SentenceView, clauses: number[]): boolean {
  if (!q.total || INCREMENT.test(q.text)) return false;
  // Each item with a figure (地区生产总值60199.45亿元、增长5%): a level stated without an increment word answers.
  const items = clauses.flatMap((i) => v.clauses[i]!.text.split('、')).filter((t) => extractQuantities(t).some((f) => !f.ordinal));
  // 共搬迁5.38万人, 累计建成: a total said in so many words is not an increment.
  return items.length > 0 && items.every((t) => INCREMENT.test(t) && !TOTAL_WORD.test(t));
}

const TOTAL_WORD = /(?:^|[^公])共(?!同|享|建|治|商|识|赢|富)|累计|总计|合计|总量|总数|总规模/;

/** Does the sentence state every figure the question itself states (120个亿元项目 → 120)? */
export function statesQuestionFigures(q: Query, v: SentenceView): boolean {
  const magnitude: Record<number, string> = { 10: '十', 100: '百', 1000: '千', 10000: '万' };
  // A bare number glued to a name (12345热线, 117项目) names a thing; the sentence may call it otherwise.
  // 十四五这五年, 近三年: how long a period asked lasts is when, not a figure of the answer.
  const span = q.time.kind === 'plan' || q.time.kind === 'five-year-review' || q.time.kind === 'five-year-plan';
  const when = (n: Quantity): boolean => n.family === 'duration' && (span || /(?:这|近|过去|未来|前|后)$/.test(q.text.slice(0, q.text.indexOf(n.raw))));
  return q.quantities.filter((n) => (n.unit || n.value < 100) && !when(n)).every(
    (asked) =>
      v.clauses.some((c) => c.figures.some((f) => Math.abs(f.value - asked.value) < 1e-9)) ||
      // 一千个人 in the question, 每千人口 in the text.
      (magnitude[asked.value] !== undefined && v.norm.includes(magnitude[asked.value]!)),
  );
}

export function hasDate(v: SentenceView): boolean {
  return DATE.test(v.norm);
}

export function hasPlace(q: Query, spans: Span[], v: SentenceView, gazetteer?: Gazetteer): boolean {
  const text = joinSpansOf(v, spans);
  // A region by name (济南、青岛、淄博) that the question does not name itself.
  if (gazetteer && !q.asksStreet) {
    const asked = new Set(q.places.mentions.map((m) => m.region.name));
    if (gazetteer.find(text.toLowerCase()).some((m) => m.start >= 0 && !asked.has(m.region.name) && m.region.level !== 'country')) return true;
  }
  const suffix = new RegExp((q.asksStreet ? STREET_SUFFIX : PLACE_SUFFIX).source, 'gu');
  for (const m of text.matchAll(suffix)) {
    const end = (m.index ?? 0) + m[0].length;
    // The name before the kind of place, shortest first (邮轮港区 inside 启用邮轮港区海洋探索馆).
    for (let k = 2; k <= 8; k++) {
      const start = (m.index ?? 0) - k;
      if (start < 0 || !/^\p{Script=Han}+$/u.test(text.slice(start, m.index))) break;
      const place = text.slice(start, end);
      if ([...place.replace(PLACE_KINDS, '').replace(PLACE_KINDS, '')].length < 2) continue;
      // A place the question already names (除了敦化路…) is not an answer,
      if (namesPlace(q.text, place)) break;
      // nor is the subject itself (青年人才社区 is not a location).
      if (q.concepts.some((c) => c.forms.some((f) => place.includes(f) && f.length >= place.length - 1))) break;
      return true;
    }
  }
  return false;
}

const PLACE_KINDS = /(?:产业|科技|创新|国际|综合|服务|产业基地|基地|中心|园区|产业园|路|街道|街区|片区|广场|港区|新区|商圈|小区|馆|城|港|大厦|楼宇)$/;

/** Does the question name this particular place (敦化路), beyond the kind of place (产业基地)? */
function namesPlace(question: string, place: string): boolean {
  const name = place.replace(PLACE_KINDS, '').replace(PLACE_KINDS, '');
  for (let i = 0; i + 2 <= name.length; i++) if (question.includes(name.slice(i, i + 2))) return true;
  return false;
}

/** An answer cut from the report: pieces (verbatim spans) and the quote that holds them. */
export interface Pick {
  view: SentenceView;
  spans: Span[];
  quote: Span;
}

export function pickFromClauses(v: SentenceView, clauseIdx: number[]): Pick {
  const spans = clauseIdx.map((i) => ({ start: v.clauses[i]!.start, end: v.clauses[i]!.end }));
  return { view: v, spans, quote: { start: v.sentence.start, end: v.sentence.end } };
}

/**
 * The best clause(s) for a fact, list or who question: the clause carrying most of the question,
 * extended to neighbours that add missing concepts, to the list a lead-in announces (主要是:…), and for
 * list questions to the enumeration next to the clause that names the subject.
 */
export function factPick(q: Query, v: SentenceView, views: SentenceViews, maxChars: number): Pick {
  if (q.intent === 'list') {
    // One item of an enumeration (…还有差距;) answers a list question only as part of the whole:
    // start from the sentence that announces it (短板和不足,主要是:).
    const head = enumerationHead(v, views);
    if (head && head !== v) {
      const lead = head.clauses.findIndex((c) => /[:：]$/.test(c.text));
      // Keep the clause that names what is listed (必须正视存在的短板和不足,主要是:…).
      const from = lead > 0 && head.clauses[lead - 1]!.text.length <= 20 ? lead - 1 : lead;
      return extendLeadIn(pickFromClauses(head, range(from, lead)), head, lead, views);
    }
  }
  const n = v.clauses.length;
  const scores = v.clauses.map((c) => clauseScore(q, c) + (q.asksName ? nameBonus(q, c) : 0));
  let best = 0;
  for (let i = 1; i < n; i++) {
    const a = scores[i]!;
    const b = scores[best]!;
    if (a > b + 1e-9 || (Math.abs(a - b) <= 1e-9 && a > 0 && v.clauses[i]!.text.length < v.clauses[best]!.text.length)) best = i;
  }
  let lo = best;
  let hi = best;
  const width = (a: number, b: number): number => v.clauses[b]!.end - v.clauses[a]!.start;
  const covered = (a: number, b: number): number => {
    let s = 0;
    for (const c of q.concepts) {
      let m = 0;
      for (let i = a; i <= b; i++) m = Math.max(m, strength(c, v.clauses[i]!.norm));
      s += c.weight * m;
    }
    return s;
  };
  // A very short clause says little alone: take what follows.
  while (hi + 1 < n && v.clauses[hi]!.text.length <= 6 && width(lo, hi + 1) <= maxChars) hi++;
  // Concepts still missing may sit in a neighbouring clause.
  for (let step = 0; step < 2; step++) {
    const now = covered(lo, hi);
    const right = hi + 1 < n ? covered(lo, hi + 1) : now;
    const left = lo > 0 ? covered(lo - 1, hi) : now;
    if (right > now + 1e-9 && (right >= left || lo === 0) && width(lo, hi + 1) <= maxChars) hi++;
    else if (left > now + 1e-9 && width(lo - 1, hi) <= maxChars) lo--;
    else break;
  }
  const listy = q.intent === 'list' || q.intent === 'who';
  if (q.intent === 'list') {
    // A list question on a sentence short enough: from the subject to the end holds all the items.
    const first = scores.findIndex((x) => x > 0);
    if (first >= 0 && first <= lo && v.clauses[n - 1]!.end - v.clauses[first]!.start <= maxChars) {
      lo = first;
      hi = n - 1;
    }
  }
  if (listy) {
    // Parallel clauses naming more of the same (接受人大、政协监督,主动接受纪检监察、司法…监督).
    const bestScore = Math.max(...range(lo, hi).map((i) => scores[i]!));
    while (hi + 1 < n && scores[hi + 1]! >= 0.8 * bestScore && /、/.test(v.clauses[hi + 1]!.text) && width(lo, hi + 1) <= maxChars) hi++;
  }
  if (listy && !/、/.test(v.report.text.slice(v.clauses[lo]!.start, v.clauses[hi]!.end))) {
    // The items usually stand right next to the clause that names the subject …
    if (hi + 1 < n && /、/.test(v.clauses[hi + 1]!.text)) hi++;
    else if (lo > 0 && /、/.test(v.clauses[lo - 1]!.text)) lo--;
    // … or follow it, one measure per clause (加强工业遗产活化利用,研究推动…,中车工业遗存…).
    else for (let k = 0; k < 3 && hi + 1 < n && width(lo, hi + 1) <= maxChars; k++) hi++;
  }
  // A short lead-in right after (必须正视存在的短板和不足,主要是:…) announces what is asked.
  if (hi + 1 < n && /[:：]$/.test(v.clauses[hi + 1]!.text) && v.clauses[hi + 1]!.text.length <= 8) hi++;
  // Keywords alone (招商引资 组合拳): the clause found and what it goes on to say.
  if (q.keyword) while (hi + 1 < n && width(lo, hi + 1) <= maxChars) hi++;
  const pick = pickFromClauses(v, range(lo, hi));
  if (/[:：]$/.test(v.clauses[hi]!.text)) return extendLeadIn(pick, v, hi, views);
  // A list announced inside the pick (15件民生实事,包括:完成老旧小区改造600个;…): all of it.
  if (listy) {
    const colon = range(lo, hi).find((i) => /[:：]$/.test(v.clauses[i]!.text));
    if (colon !== undefined) return extendLeadIn(pickFromClauses(v, range(lo, colon)), v, colon, views);
  }
  return pick;
}

/** 叫什么: a clause that names something in quotation marks (“爱达·魔都”号) other than the subject itself. */
function nameBonus(q: Query, c: ClauseView): number {
  // A name asked for is what the answer must hold: the clause with it outweighs any other.
  const top = 2 * q.concepts.reduce((a, x) => a + x.weight, 0) + 1;
  for (const m of c.text.matchAll(/[“「《]([^”」》]+)[”」》]/g)) {
    const inside = normalizeText(m[1]!).toLowerCase();
    if (!q.concepts.some((x) => strength(x, inside) > 0)) return top;
  }
  return 0;
}

/** The sentence whose colon introduces the semicolon-separated list this sentence belongs to. */
function enumerationHead(v: SentenceView, views: SentenceViews): SentenceView | undefined {
  let s: SentenceView | undefined = v;
  for (let steps = 0; s && steps < 8; steps++) {
    if (s.clauses.some((c) => /[:：]$/.test(c.text)) && /[;；]$/.test(s.sentence.text)) return s;
    const prev = views.sibling(s, s.sentence.index - 1);
    if (!prev || prev.sentence.paragraph !== v.sentence.paragraph || !/[;；]$/.test(prev.sentence.text)) return undefined;
    s = prev;
  }
  return undefined;
}

/** A clause ending in a colon announces what follows: up to the end of the sentence, or of the list. */
function extendLeadIn(pick: Pick, v: SentenceView, clause: number, views: SentenceViews): Pick {
  const spans = [...pick.spans];
  for (let i = clause + 1; i < v.clauses.length; i++) spans.push({ start: v.clauses[i]!.start, end: v.clauses[i]!.end });
  let quoteEnd = v.sentence.end;
  // A paragraph that ends in its lead-in (…的指导思想是:) goes on in the next one.
  if (clause === v.clauses.length - 1 && v.sentence.index === v.paragraph.sentences.at(-1)?.index) {
    const next = views.sibling(v, v.sentence.index + 1);
    if (next && next.paragraph.kind === 'body' && next.sentence.paragraph === v.paragraph.index + 1) {
      for (const c of next.clauses) spans.push({ start: c.start, end: c.end });
      return { view: v, spans, quote: { start: pick.quote.start, end: v.sentence.end } };
    }
  }
  // Items separated by semicolons are separate sentences: follow them to the full stop.
  let s: SentenceView | undefined = v;
  while (s && /[;；]$/.test(s.sentence.text) && s.sentence.paragraph === v.sentence.paragraph) {
    s = views.sibling(s, s.sentence.index + 1);
    if (!s || s.sentence.paragraph !== v.sentence.paragraph) break;
    spans.push({ start: s.sentence.start, end: s.sentence.end });
    quoteEnd = s.sentence.end;
  }
  return { view: v, spans, quote: { start: pick.quote.start, end: quoteEnd } };
}

function range(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let i = lo; i <= hi; i++) out.push(i);
  return out;
}

/** The text of a pick's spans, joined as in the source (for checks such as "is this a list"). */
export function joinSpansOf(v: SentenceView, spans: Span[]): string {
  return spans.map((s) => v.report.text.slice(s.start, s.end)).join(',');
}
