import { foldWidth } from '../corpus/text.ts';
import type { Report } from '../corpus/types.ts';
import { toCsv } from '../shared/csv.ts';
import type { TargetView } from './table.ts';

/**
 * Did the year's targets come true: year N's targets (from report N, the main expected targets)
 * joined with year N's results (from report N+1, its review of last year) for the same indicator and
 * the same meaning (a growth rate against a growth rate in the same unit, in the same direction).
 *
 * A verdict is given only where it follows from the two figures and the target's qualifier; see
 * `verdictOf` for the rules and TOLERANCE for what 左右 allows. Unlike figures (a growth target against
 * a level result, 登记失业率 against 调查失业率) get no verdict and are both shown. What report N+1
 * itself says about the year's targets (圆满完成全年目标任务, 基本完成…, 未完成…) is quoted verbatim
 * with its place, whatever the figures say.
 */

export type Verdict = 'met' | 'not-met';

/** Why a row has no verdict. */
export type Open =
  /** The target and the result measure different things (growth against a level, other units). */
  | 'unlike'
  /** The qualifiers leave both readings open (a result of 6%以上 against a target of 7%). */
  | 'undecidable'
  /** Report N+1 is loaded but states no figure for this indicator. */
  | 'no-result'
  /** Report N+1 (which states year N's results) is not loaded. */
  | 'no-result-report'
  /** Report N (which set year N's targets) is not loaded. */
  | 'no-target-report';

export interface ProgressRow {
  indicator: string;
  target?: TargetView;
  result?: TargetView;
  verdict?: Verdict;
  open?: Open;
  /** How the verdict follows from the figures, in words (实际增长7%,低于目标9%). */
  basis?: string;
}

/** A sentence of report N+1 saying how the year's targets went, verbatim. */
export interface Completion {
  report: string;
  title: string;
  section: string;
  paragraph: number;
  /** The whole sentence, verbatim. */
  quote: string;
  /** About the year's targets as a whole (全年主要目标任务较好完成), not one field (货物进出口好于预期). */
  overall: boolean;
  /** The clause that says it (圆满完成了全年各项任务目标), verbatim, and its offsets in the report. */
  phrase: string;
  start: number;
  end: number;
}

export interface ReportRef {
  id: string;
  title: string;
  year: number;
}

export interface Progress {
  region: string;
  /** The year the targets were set for and the results are about. */
  year: number;
  /** Report N, which set the targets. */
  targetReport?: ReportRef;
  /** Report N+1, which states the results. */
  resultReport?: ReportRef;
  rows: ProgressRow[];
  completion: Completion[];
}

/**
 * What 左右 allows either side of the target: half a percentage point for a rate (6%左右 covers
 * 5.5%–6.5%), 5% of the target for a level (1200万人左右 covers 1140–1260万人). Outside it, a result
 * above a growth target is met (over-fulfilled), one below is not.
 */
export const TOLERANCE = { points: 0.5, share: 0.05 };

/**
 * Indicators whose target is a ceiling even when written 左右 or without a qualifier: prices and
 * unemployment are to be held at or under the figure (居民消费价格涨幅3%左右 is met by 0.9%).
 */
const CEILING_INDICATORS = new Set(['居民消费价格涨幅', '城镇调查失业率']);

/** A figure that falls (下降3%), not one that grows. */
const FALLING = /下降|降低|减少|降幅|回落|压减/;

/** Different measures under one dictionary name: 登记 and 调查 unemployment rates. */
const MEASURES = [/登记/, /调查/];

export function progressOf(region: string, year: number, reports: readonly Report[], all: readonly TargetView[]): Progress {
  const ofRegion = reports.filter((r) => r.meta.region === region);
  const planned = ofRegion.find((r) => r.meta.year === year);
  const reviewed = ofRegion.find((r) => r.meta.year === year + 1);
  const ref = (r: Report): ReportRef => ({ id: r.meta.id, title: r.meta.title, year: r.meta.year });
  const targets = planned ? targetsOf(all.filter((r) => r.report === planned.meta.id && r.kind === 'target' && r.year === year)) : [];
  const results = reviewed ? distinct(all.filter((r) => r.report === reviewed.meta.id && r.kind === 'result' && r.year === year)) : [];

  const rows: ProgressRow[] = [];
  if (planned) {
    for (const target of targets) {
      if (!reviewed) {
        rows.push({ indicator: target.indicator, target, open: 'no-result-report' });
        continue;
      }
      const same = results.filter((r) => r.indicator === target.indicator);
      const like = same.find((r) => alike(target, r));
      const result = like ?? same[0];
      if (!result) rows.push({ indicator: target.indicator, target, open: 'no-result' });
      else if (!like) rows.push({ indicator: target.indicator, target, result, open: 'unlike' });
      else rows.push({ indicator: target.indicator, target, result, ...verdictOf(target, result) });
    }
  } else {
    for (const result of results) rows.push({ indicator: result.indicator, result, open: 'no-target-report' });
  }
  return {
    region,
    year,
    ...(planned ? { targetReport: ref(planned) } : {}),
    ...(reviewed ? { resultReport: ref(reviewed) } : {}),
    rows,
    completion: reviewed ? completionOf(reviewed) : [],
  };
}

/** Years of a region that have a target report or a result report loaded, newest first. */
export function progressYears(region: string, reports: readonly Report[]): number[] {
  const years = new Set<number>();
  for (const r of reports) if (r.meta.region === region) years.add(r.meta.year).add(r.meta.year - 1);
  return [...years].sort((a, b) => b - a);
}

/** The main expected targets (all stated targets when a report has no such paragraph), one per meaning. */
function targetsOf(rows: readonly TargetView[]): TargetView[] {
  const main = rows.filter((r) => r.main);
  return distinct(main.length ? main : rows);
}

/** The first row of each indicator and meaning: 经济增长5%左右 stated twice is one target. */
function distinct(rows: readonly TargetView[]): TargetView[] {
  const seen = new Set<string>();
  return rows.filter((r) => {
    const key = `${r.indicator}|${r.growth}|${foldWidth(r.unit)}|${falls(r)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function falls(r: Pick<TargetView, 'span'>): boolean {
  return FALLING.test(r.span);
}

/** Same meaning: growth against growth (in the same direction) or level against level, in one unit, one measure. */
function alike(a: TargetView, b: TargetView): boolean {
  return (
    a.growth === b.growth &&
    foldWidth(a.unit) === foldWidth(b.unit) &&
    falls(a) === falls(b) &&
    MEASURES.every((m) => m.test(a.wording) === m.test(b.wording))
  );
}

/** [low, high] of what a figure says: 6%以上 is [6, ∞), 4.5%以内 (-∞, 4.5], 6%左右 within the tolerance. */
function intervalOf(r: Pick<TargetView, 'value' | 'high' | 'qualifier' | 'unit'>): [number, number] {
  switch (r.qualifier) {
    case '以上':
    case '超过':
      return [r.value, Infinity];
    case '以内':
    case '以下':
      return [-Infinity, r.value];
    case 'range':
      return [r.value, r.high ?? r.value];
    case '左右':
      return [r.value - toleranceOf(r), r.value + toleranceOf(r)];
    default:
      return [r.value, r.value];
  }
}

function toleranceOf(r: Pick<TargetView, 'value' | 'unit'>): number {
  return r.unit === '%' || r.unit.endsWith('百分点') ? TOLERANCE.points : Math.abs(r.value) * TOLERANCE.share;
}

/** The results that meet a target, as an interval. */
function acceptedBy(t: TargetView): [number, number] {
  const ceiling = CEILING_INDICATORS.has(t.indicator) && !falls(t);
  const [low, high] = intervalOf(t);
  if (t.qualifier === '以内' || t.qualifier === '以下') return [-Infinity, t.value];
  if (ceiling) return [-Infinity, t.qualifier === '以上' || t.qualifier === '超过' ? Infinity : high];
  // A growth or level target: reaching its lower end is meeting it; more is over-fulfilling it.
  return [low, Infinity];
}

const EPS = 1e-9;

/**
 * met: every value the result can stand for lies in what the target accepts; not met: none does;
 * otherwise undecidable. 增长6%左右 against 增长6.0%: met; 以内 against a higher figure: not met;
 * 以上 against a lower figure: not met; 左右 missed by more than TOLERANCE: not met.
 */
export function verdictOf(t: TargetView, r: TargetView): Pick<ProgressRow, 'verdict' | 'open' | 'basis'> {
  // A result of 6%左右 is the report's own estimate: read as its figure.
  const [lo, hi] = r.qualifier === '左右' ? [r.value, r.value] : intervalOf(r);
  const [min, max] = acceptedBy(t);
  const actual = `实际${r.text}`;
  const goal = `目标${t.text}`;
  if (lo >= min - EPS && hi <= max + EPS) {
    const how = max !== Infinity ? '未超过' : r.value > (t.high ?? t.value) + EPS ? '超过' : '达到';
    return { verdict: 'met', basis: `${actual},${how}${goal}` };
  }
  if (hi < min - EPS) return { verdict: 'not-met', basis: `${actual},低于${goal}` };
  if (lo > max + EPS) return { verdict: 'not-met', basis: `${actual},高于${goal}的上限` };
  return { open: 'undecidable', basis: `${actual},${goal},由所写数字不能判断是否完成` };
}

/** A clause saying how the year's targets went. */
const COMPLETION =
  /(?:圆满|超额|全面|较好地?|基本|顺利|胜利)?完成了?[^,;。:!?]{0,14}?(?:目标任务|任务目标|目标)|目标任务[^,;。]{0,4}?(?:圆满|全面|顺利|较好地?|基本)?完成|未能?完成[^,;。]{0,10}目标|没有完成[^,;。]{0,10}目标|未达到[^,;。]{0,10}(?:目标|预期)|低于预期|好于预期|未达预期|不及预期/;
/** …about the year as a whole, not one task (超额完成高职扩招三年行动目标) or a plan of years. */
const WHOLE_YEAR = /全年|年度|年初|各项|主要|既定|发展目标|目标任务|任务目标|预期/;
const OVERALL = /(?:全年|年初|各项|主要)[^,;。]{0,8}(?:目标|任务)|目标任务/;
const NOT_THE_YEAR = /十[一二三四五]五|规划|百年|脱贫|阶段性|三年|扩招|努力|确保|力争|争取|奋力|省定|市定|国家下达|考核/;

/** What report N+1 says about the year's targets, each clause with its sentence, in the order written. */
export function completionOf(report: Report): Completion[] {
  const out: Completion[] = [];
  for (const p of report.paragraphs) {
    if (p.kind !== 'body' || (p.period !== 'last-year' && p.period !== 'five-year-review')) continue;
    for (const s of p.sentences) {
      const folded = foldWidth(s.text);
      let from = 0;
      let before = 0;
      for (const clause of folded.split(/[,;:]/)) {
        const at = from;
        from += clause.length + 1;
        const m = COMPLETION.exec(clause);
        const previous = before;
        before = at;
        if (!m || !WHOLE_YEAR.test(clause) || NOT_THE_YEAR.test(clause)) continue;
        // foldWidth keeps lengths, so offsets in the folded sentence are offsets in the text. A clause
        // of a few characters (好于预期) is quoted with the one before it (稳中有进,好于预期).
        const start = s.start + (clause.replace(/[。!?\s]/g, '').length < 6 ? previous : at);
        const end = s.start + at + clause.length;
        out.push({
          report: report.meta.id,
          title: report.meta.title,
          section: p.sectionPath.join(' › '),
          paragraph: p.index,
          quote: s.text,
          overall: OVERALL.test(clause),
          phrase: report.text.slice(start, end).trim(),
          start,
          end,
        });
      }
    }
  }
  return out;
}

/** The labels the channels show for a verdict or its absence. */
export const VERDICT_LABEL: Record<Verdict | Open, string> = {
  met: '完成',
  'not-met': '未完成',
  unlike: '口径不同,不作判断',
  undecidable: '不能判断',
  'no-result': '下一年报告中未找到实际数',
  'no-result-report': '下一年报告未加载',
  'no-target-report': '当年报告未加载',
};

/** CSV of progress joins, one line per indicator and year (see toCsv: every text cell neutralised, years as numbers). */
export function progressCsv(list: readonly Progress[]): string {
  const header = ['地区', '年份', '指标', '目标', '目标原文', '目标报告', '实际', '实际原文', '实际报告', '判断', '依据'];
  const rows = list.flatMap((p) => p.rows.map((r) => [
    p.region,
    p.year,
    r.indicator,
    r.target?.text,
    r.target?.span,
    r.target?.title,
    r.result?.text,
    r.result?.span,
    r.result?.title,
    VERDICT_LABEL[r.verdict ?? r.open ?? 'undecidable'],
    r.basis,
  ]));
  // What report N+1 says about the year's targets, after the figures.
  const said = list.flatMap((p) => p.completion.filter((c) => c.overall).map((c) => [p.region, p.year, '报告表述', '', '', '', '', c.phrase, c.title, '', '']));
  return toCsv([header, ...rows, ...said]);
}
