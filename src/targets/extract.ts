import type { Lexicon } from '../corpus/lexicon.ts';
import { extractQuantities, type Quantity } from '../corpus/normalize.ts';
import { foldWidth } from '../corpus/text.ts';
import type { Period, Report } from '../corpus/types.ts';

/**
 * Every quantified target and result of a report, as rows of a table: the indicator (a canonical
 * name from data/dict/indicators.tsv, with the report's own wording kept), the value, its unit and
 * qualifier, and the verbatim span it came from. Nothing is computed or borrowed: a row exists only
 * where the report writes the figure next to the indicator.
 *
 * The paragraph that states the year's 主要预期目标 is read whole, indicators the dictionary does not
 * know included (新能源产业产值); elsewhere only indicators the dictionary knows are taken, so the
 * table does not fill with every number of the report.
 */

/** this year's target, last year's result, the five-year plan's target, the five years' result. */
export type TargetKind = 'target' | 'result' | 'five-year-target' | 'five-year-result';

export const KIND_LABEL: Record<TargetKind, string> = {
  target: '今年目标',
  result: '去年完成',
  'five-year-target': '五年目标',
  'five-year-result': '五年完成',
};

const KIND_OF: Partial<Record<Period, TargetKind>> = {
  current: 'target',
  'last-year': 'result',
  'five-year-plan': 'five-year-target',
  'five-year-review': 'five-year-result',
};

export interface TargetRow {
  /** Report id. */
  report: string;
  region: string;
  /**
   * The year the figure is about: this year's target, last year's result (2025 in a 2026 report), the
   * last year of a five-year span (2030 for the plan a 2026 report sets out, 2025 for the five years
   * it reviews). Filters use it.
   */
  year: number;
  /** The same in words: 2025, or the span 2021–2025 of a five-year figure. */
  years: string;
  /** The year of the report the figure stands in (its plan year). */
  reportYear: number;
  kind: TargetKind;
  /** Canonical indicator name (地区生产总值), or the report's wording when the dictionary has none. */
  indicator: string;
  /** The indicator as the report words it in this clause (规上工业增加值). */
  wording: string;
  /** The figure as a number; for a range, its lower end. */
  value: number;
  /** Upper end of a range (5%—5.5%). */
  high?: number;
  /** %, 万人, 亿斤, 微克/立方米 … as written (full-width ％ folded). */
  unit: string;
  /** 左右, 以上, 以内, 以下, 超过, range, or ''. */
  qualifier: string;
  /** The value with unit and qualifier exactly as the report writes it: 5%左右, 超过840亿斤. */
  text: string;
  /** Indicator through value, verbatim: 规上工业增加值增长6%左右 (the whole clause for a 分别 list). */
  span: string;
  /** A rate of change (增长5%), not a level (失业率5.5%). */
  growth: boolean;
  /** Stated in the paragraph of the year's main expected targets. */
  main: boolean;
  paragraph: number;
  sentence: number;
  /** Offsets of `text` in the report's stored text. */
  start: number;
  end: number;
}

/** Connectors and verbs between an indicator and its figure (地区生产总值|增长|5%). */
const TRAILING_VERBS =
  /(?:分别|年均|累计|平均|同比|比上年|较上年)?(?:增长|增速|增幅|提高到|提高|提升到|提升|达到|达|保持在|保持|稳定在|稳定|控制在|控制|超过|突破|下降到|下降|降低到|降低|减少|上升|回升|上涨|涨幅为|为|在|至|到|按|实现|完成|占比|比重)+$/;
const LEADING = /^(?:其中|全年|今年|明年|力争|确保|努力|争取|预计|主要预期目标[是为]?|主要目标[是为]?|建议|综合考虑各方面因素)+/;
/** Words that make a clause a rate of change. */
const GROWTH = /增长|增速|增幅|提高|提升|下降|降低|减少|上涨|涨幅|回升/;
/** The paragraph of the year's main targets is introduced so. */
const MAIN_CUE = /主要预期目标|主要目标[是为::]|预期目标[是为::]/;
/** Clause boundaries (after width folding). */
const CLAUSE_END = /[,;。:!?]/;
/** A figure stated against another one (高于全国, 快于经济增长). */
const RELATIVE = /高于|低于|快于|慢于|超出全国|比全国|比上年[多少]|同比[多少]/;
/** What follows a count of work items (14个方面, 10件实事, 三大行动). */
const WORK_COUNT = /^(?:方面|领域|件|项任务|项重点|大行动|大工程|类)/;
/** 、全省第一, 居全市第2位, 位居全国前列: a rank written after a figure. */
const RANK_AFTER = /^、?(?:居|位居|位列|排名|排)?(?:全国|全省|全市|全区|全县)(?:第[一二三四五六七八九十\d]+位?|前列)$/;
/** Figures that are not targets: years, dates, durations, ordinals. */
const SKIP_FAMILIES = new Set(['year', 'date', 'duration']);

interface Indicators {
  /** Wordings, longest first, with their canonical name. */
  wordings: Array<{ wording: string; name: string }>;
}

export function indicatorTable(lexicon: Pick<Lexicon, 'indicators'>): Indicators {
  const wordings = lexicon.indicators
    .flatMap((i) => i.wordings.map((w) => ({ wording: foldWidth(w), name: i.name })))
    .sort((a, b) => b.wording.length - a.wording.length);
  return { wordings };
}

/** The canonical indicator a phrase names, by the longest dictionary wording it contains. */
export function canonicalIndicator(phrase: string, table: Indicators): { name: string; wording: string } | undefined {
  const folded = foldWidth(phrase);
  const hit = table.wordings.find((w) => folded.includes(w.wording));
  return hit ? { name: hit.name, wording: hit.wording } : undefined;
}

/** Which year a figure of this kind in a report of `reportYear` is about. */
export function yearsOf(kind: TargetKind, reportYear: number): Pick<TargetRow, 'year' | 'years' | 'reportYear'> {
  switch (kind) {
    case 'target':
      return { year: reportYear, years: String(reportYear), reportYear };
    case 'result':
      return { year: reportYear - 1, years: String(reportYear - 1), reportYear };
    case 'five-year-target':
      return { year: reportYear + 4, years: `${reportYear}–${reportYear + 4}`, reportYear };
    case 'five-year-result':
      return { year: reportYear - 1, years: `${reportYear - 5}–${reportYear - 1}`, reportYear };
  }
}

export function extractTargets(report: Report, table: Indicators): TargetRow[] {
  const rows: TargetRow[] = [];
  const mainParagraphs = findMainParagraphs(report);
  for (const paragraph of report.paragraphs) {
    const kind = KIND_OF[paragraph.period];
    if (!kind || paragraph.kind !== 'body') continue;
    const mainFrom = mainParagraphs.get(paragraph.index);
    for (const sentence of paragraph.sentences) {
      const main = mainFrom !== undefined && sentence.start >= mainFrom;
      let previous: ClauseRow[] = [];
      for (const clause of clausesOf(report.text, sentence.start, sentence.end)) {
        const own = rowsOfClause(report, clause, table, main);
        const found = own.length ? own : growthAfterLevel(report, clause, previous);
        for (const row of found) {
          rows.push({ ...row, report: report.meta.id, region: report.meta.region, ...yearsOf(kind, report.meta.year), kind, main, paragraph: paragraph.index, sentence: sentence.index });
        }
        previous = own;
      }
    }
  }
  return rows;
}

/**
 * Paragraphs stating the main expected targets, with the offset their statement starts at: the
 * sentence with the cue (主要预期目标是…) and everything after it; or the paragraph under a heading
 * line that is only the cue (广东: 主要预期目标 / 是:…).
 */
function findMainParagraphs(report: Report): Map<number, number> {
  const out = new Map<number, number>();
  for (const p of report.paragraphs) {
    if (p.period !== 'current') continue;
    const folded = foldWidth(p.text);
    const cue = MAIN_CUE.exec(folded);
    if (!cue) continue;
    if (folded.replace(/\s/g, '').length <= 12) {
      const next = report.paragraphs[p.index + 1];
      if (next) out.set(next.index, next.start);
      continue;
    }
    // From the sentence holding the cue on.
    const at = p.start + cue.index;
    const sentence = p.sentences.find((s) => s.start <= at && at < s.end) ?? p.sentences[0];
    if (!out.has(p.index)) out.set(p.index, sentence?.start ?? p.start);
  }
  return out;
}

interface Clause {
  start: number;
  end: number;
  text: string;
  folded: string;
}

function clausesOf(text: string, start: number, end: number): Clause[] {
  const out: Clause[] = [];
  const folded = foldWidth(text.slice(start, end));
  let from = 0;
  for (let i = 0; i <= folded.length; i++) {
    if (i === folded.length || CLAUSE_END.test(folded[i]!)) {
      if (i > from) out.push({ start: start + from, end: start + i, text: text.slice(start + from, start + i), folded: folded.slice(from, i) });
      from = i + 1;
    }
  }
  return out;
}

type ClauseRow = Omit<TargetRow, 'report' | 'region' | 'year' | 'years' | 'reportYear' | 'kind' | 'main' | 'paragraph' | 'sentence'>;

interface Figure {
  value: number;
  high?: number;
  unit: string;
  qualifier: string;
  /** Offsets within the clause. */
  start: number;
  end: number;
}

/** Figures of a clause, ranges (5%—5.5%, 4.5-5%) merged into one. */
function figuresOf(clause: Clause): Figure[] {
  const figures: Figure[] = [];
  const quantities = extractQuantities(clause.folded).filter((q) => !q.ordinal && !SKIP_FAMILIES.has(q.family) && q.unit !== undefined);
  const taken = new Set<Quantity>();
  for (const m of clause.folded.matchAll(/(\d+(?:\.\d+)?)(%?)\s*[—–\-~至到]+\s*(\d+(?:\.\d+)?)(%)/g)) {
    const start = m.index ?? 0;
    const end = start + m[0].length;
    for (const q of quantities) if (q.start < end && start < q.end) taken.add(q);
    figures.push({ value: Number(m[1]), high: Number(m[3]), unit: '%', qualifier: 'range', start, end });
  }
  for (const q of quantities) {
    if (taken.has(q)) continue;
    let start = q.start;
    let qualifier = q.qualifier ?? '';
    // 超过840亿斤: the qualifier stands before the figure.
    if (!qualifier && clause.folded.slice(0, q.start).endsWith('超过')) {
      start -= 2;
      qualifier = '超过';
    }
    const unit = q.unit!;
    // Figures with 万/亿 keep the written number: 50万人 is 50 of 万人.
    const magnitude = /^\d+(?:\.\d+)?(万|亿)/.exec(q.raw)?.[1] ?? '';
    const value = Number(/^\d+(?:\.\d+)?/.exec(q.raw)?.[0] ?? q.value);
    if (!Number.isFinite(value) || !/^\d/.test(q.raw)) continue;
    figures.push({ value, unit: `${magnitude}${unit}`, qualifier, start, end: q.end });
  }
  return figures.sort((a, b) => a.start - b.start);
}

function rowsOfClause(report: Report, clause: Clause, table: Indicators, main: boolean): ClauseRow[] {
  const figures = figuresOf(clause);
  if (!figures.length) return [];
  const first = figures[0]!;
  const before = clause.folded.slice(0, first.start);
  const phrase = cleanPhrase(before);
  if (!phrase) return [];
  // 增幅高于全国0.7个百分点: a comparison with another figure, not a figure of its own.
  if (RELATIVE.test(before)) return [];
  // 重点抓好以下14个方面的工作: a count of the things to do, not a target.
  if (WORK_COUNT.test(clause.folded.slice(first.end)) || /以下$|以上$|如下$/.test(phrase)) return [];
  const growth = GROWTH.test(before) || GROWTH.test(phrase);
  const phraseAt = Math.max(0, clause.folded.indexOf(phrase));
  const make = (f: Figure, indicator: string, wording: string, qualifier = f.qualifier, spanFrom = phraseAt): ClauseRow => ({
    indicator,
    wording,
    value: f.value,
    ...(f.high !== undefined ? { high: f.high } : {}),
    unit: f.unit,
    qualifier,
    text: report.text.slice(clause.start + f.start, clause.start + f.end),
    span: report.text.slice(clause.start + spanFrom, clause.start + f.end),
    growth: growth && (f.unit === '%' || f.unit.endsWith('百分点')),
    start: clause.start + f.start,
    end: clause.start + f.end,
  });

  // 对东盟、欧盟进出口: the trade with some partners, not the indicator itself.
  if (!main && /^对/.test(phrase)) return [];
  // 城镇、农村居民人均可支配收入分别增长4.5%、5.5%左右: one indicator per figure, in order.
  // 城乡居民人均可支配收入分别达到38506元和23294元: the urban figure, then the rural one.
  const items = /^城乡/.test(phrase) && figures.length === 2 ? ['城镇', '农村'].map((w) => `${w}${phrase.slice(2)}`) : splitItems(phrase);
  if (items.length > 1 && /分别/.test(before) && items.length === figures.length) {
    const lastQualifier = figures[figures.length - 1]!.qualifier;
    return figures.flatMap((f, i) => {
      const found = canonicalIndicator(items[i]!, table);
      const known = found && (main || headsPhrase(items[i]!, found.wording)) ? found : undefined;
      if (!known && !main) return [];
      const qualifier = f.qualifier || (lastQualifier !== 'range' ? lastQualifier : '');
      return [{ ...make(f, known?.name ?? items[i]!, phrase, qualifier), span: clause.text.trim() }];
    });
  }
  // One indicator, one figure (a second figure in the clause belongs to it only when it is a range).
  // The verb may be part of a wording (经济增长5%): look at the phrase before it was trimmed too.
  const found = canonicalIndicator(phrase, table) ?? canonicalIndicator(before.replace(LEADING, ''), table);
  // Outside the main targets a known wording must head the phrase: 企业数量 is not 进出口总额 because
  // 进出口 occurs in it, and 人均地区生产总值 is not 地区生产总值.
  const known = found && (main || headsPhrase(phrase, found.wording)) ? found : undefined;
  if (!known && !main) return [];
  // 跨越3个千亿级台阶: the figure counts the words after it, not the indicator.
  // A rank after the figure (增长11.4%、全省第一) is not such a count.
  const after = clause.folded.slice(first.end).replace(/^(?:以上|以下|左右|以内|多|余)/, '').replace(RANK_AFTER, '');
  if (!main && /\p{Script=Han}{2}/u.test(after)) return [];
  if (!known && !isIndicatorPhrase(phrase)) return [];
  const indicator = known?.name ?? phrase;
  return [make(first, indicator, known && !phrase.includes(known.wording) ? known.wording : phrase)];
}

/** A clause that is only a rate of change (同比增长7%), with no indicator of its own. */
const BARE_GROWTH = /^(?:同比|比上年|较上年|可比)?(?:增长|下降)$/;

/**
 * 地区生产总值完成160.5亿元,同比增长7%: results are written as a level and then its growth in the
 * next clause. The growth belongs to the indicator of the clause before when that clause stated one
 * level of one indicator; the span runs from that indicator through the growth, verbatim.
 */
function growthAfterLevel(report: Report, clause: Clause, previous: readonly ClauseRow[]): ClauseRow[] {
  const level = previous.length === 1 ? previous[0]! : undefined;
  if (!level || level.growth || level.unit === '%') return [];
  const figures = figuresOf(clause);
  const f = figures[0];
  if (figures.length !== 1 || !f || f.unit !== '%' || f.high !== undefined) return [];
  if (!BARE_GROWTH.test(clause.folded.slice(0, f.start).replace(/\s+/g, ''))) return [];
  const spanStart = level.end - level.span.length;
  return [
    {
      indicator: level.indicator,
      wording: level.wording,
      value: f.value,
      unit: f.unit,
      qualifier: f.qualifier,
      text: report.text.slice(clause.start + f.start, clause.start + f.end),
      span: report.text.slice(spanStart, clause.start + f.end),
      growth: true,
      start: clause.start + f.start,
      end: clause.start + f.end,
    },
  ];
}

/**
 * 城镇、农村居民人均可支配收入 → 城镇居民人均可支配收入, 农村居民人均可支配收入;
 * 一产、二产、三产增加值 and 一二三产增加值 → 一产增加值, 二产增加值, 三产增加值.
 */
function splitItems(phrase: string): string[] {
  const compact = /^([一二三])([一二三])([一二三])?产(.*)$/.exec(phrase);
  if (compact) {
    const suffix = compact[4] ?? '';
    return [compact[1], compact[2], compact[3]].filter(Boolean).map((d) => `${d}产${suffix}`);
  }
  const parts = phrase.split(/[、和及与]/).filter(Boolean);
  if (parts.length < 2) return [phrase];
  const last = parts[parts.length - 1]!;
  const width = parts[0]!.length;
  if (parts.slice(0, -1).some((p) => p.length > 4) || last.length <= width) return parts;
  const suffix = last.slice(width);
  return [...parts.slice(0, -1).map((p) => `${p}${suffix}`), last];
}

/** The wording is the phrase's head noun: at its end, and not narrowed to a ratio or a per-head figure. */
function headsPhrase(phrase: string, wording: string): boolean {
  const folded = foldWidth(phrase);
  const at = folded.lastIndexOf(wording);
  if (at < 0) return false;
  const suffix = folded.slice(at + wording.length);
  const prefix = folded.slice(0, at);
  return (
    /^(?:总额|总量|总值|规模|水平|指数|增速|增幅|涨幅|总数)?$/.test(suffix) &&
    !/(?:人均|单位|每|占|与|比|的)$/.test(prefix) &&
    // 对东盟进出口, 大湾区经济总量: a part of the figure, or another area's.
    !/^对|都市圈|大湾区|城市群|经济带|经济圈/.test(prefix)
  );
}

/** The indicator words before a figure: fillers and verbs trimmed (地区生产总值增长 → 地区生产总值). */
function cleanPhrase(before: string): string {
  let s = before.replace(/\s+/g, '').replace(/^[、]+/, '');
  s = s.replace(LEADING, '');
  for (let i = 0; i < 3; i++) s = s.replace(TRAILING_VERBS, '');
  return s.replace(/[、和及与的]+$/, '');
}

/** A phrase that can name an indicator: short, mostly Chinese, no sentence inside it. */
function isIndicatorPhrase(phrase: string): boolean {
  return phrase.length >= 2 && phrase.length <= 24 && /^[\p{Script=Han}A-Za-z0-9.、()·]+$/u.test(phrase) && /\p{Script=Han}{2}/u.test(phrase);
}
