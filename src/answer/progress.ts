import type { Report } from '../corpus/types.ts';
import { progressOf, VERDICT_LABEL, type Completion, type Progress, type ProgressRow } from '../targets/progress.ts';
import type { TargetView } from '../targets/table.ts';
import type { Query } from './analyze.ts';
import { askedIndicator, type CompareDeps } from './compare.ts';
import type { Scope } from './scope.ts';
import { timeOf } from './time.ts';
import type { Answer, Citation } from './types.ts';

/**
 * 去年的目标完成了吗 / 哪些指标没完成 / 2021年GDP目标完成了没有: the progress join of one region and
 * year (targets/progress.ts) said in words. Every figure is the report's own span, cited from its
 * report; a verdict is said only where the join gives one, with the figures it follows from; what the
 * later report says about the year's targets is quoted. With only one of the two reports loaded, the
 * answer says which is missing and gives what the loaded one states.
 */

/** A question about whether targets were met: it names targets or indicators and asks about completion. */
const ABOUT_TARGETS = /目标|指标/;
const ASKS_COMPLETION =
  /完成(?:了)?(?:吗|么|没|没有|与否|情况|得怎么样|得怎样|得如何|得好吗)|(?:没|未)(?:有|能)?(?:完成|达到|实现|达标)|(?:实现|达到)(?:了)?(?:吗|没|没有)|达标|完成度|兑现/;
/**
 * Not this step's: a forecast (今年的目标能完成吗), a national standard met (空气质量指标达没达到二级标准),
 * or a five-year plan's indicators (十四五规划指标都完成了吗), which report N+1's review answers in prose.
 */
const NOT_A_YEAR_S_TARGETS = /能(?:否|不能)?完成|会不会|有没有可能|有望|标准/;
const FIVE_YEARS = new Set(['five-year-review', 'five-year-plan', 'plan']);
/** 哪些指标没完成: only the ones not met. */
const ONLY_MISSED = /(?:哪些|哪个|哪几个|哪项|哪几项|什么)[^,。?]{0,8}(?:没|未)(?:有|能)?(?:完成|达到|实现|达标)/;

/** Lines listed at most (a report has about ten main targets). */
const MAX_ROWS = 20;

const say = {
  title: (region: string, year: number) => `${region}${year}年主要目标完成情况:`,
  trendTitle: (region: string, indicator: string) => `${region}历年${indicator}的目标与实际(目标见当年报告,实际见下一年报告):`,
  missedTitle: (region: string, year: number) => `${region}${year}年未完成的目标:`,
  noneMissed: '按报告的数字,有实际数可比的目标都已完成。',
  noneComparable: '报告没有给出能与目标直接比较的实际数,无法判断是否完成。',
  noTargetReport: (region: string, year: number) => `${year}年的目标写在${region}${year}年的政府工作报告里,这份报告没有加载,无法与目标对照。`,
  resultsStated: (year: number, title: string) => `${title}所写的${year}年完成情况:`,
  noResultReport: (region: string, year: number) => `${year}年的完成情况要看${region}${year + 1}年的政府工作报告,这份报告没有加载。`,
  targetsSet: (title: string) => `${title}定的目标:`,
  noFigures: (region: string, year: number) => `没有找到${region}${year}年目标或完成情况的数字。`,
  ownWords: '报告自己的表述:',
  target: '目标',
  result: '实际',
  estimated: '实际(报告写的是预计数)',
  computed: '(是否完成由两份报告的数字比较得出。)',
  computedApprox: '(是否完成由两份报告的数字比较得出;“左右”按目标上下0.5个百分点理解,数量目标按上下5%理解。)',
} as const;

export function answerProgress(q: Query, scope: Scope, deps: CompareDeps): Answer | undefined {
  if (!ABOUT_TARGETS.test(q.text) || !ASKS_COMPLETION.test(q.text) || NOT_A_YEAR_S_TARGETS.test(q.text)) return undefined;
  if (q.flags.opinion || FIVE_YEARS.has(q.time.kind) || FIVE_YEARS.has(timeOf(q.text).kind)) return undefined;
  if (scope.regions.length >= 2) return undefined;
  const loaded = [...new Set(deps.reports.map((r) => r.meta.region))];
  const region = scope.regions[0] ?? deps.deployment.defaultRegion ?? (loaded.length === 1 ? loaded[0] : undefined);
  if (!region) return undefined;
  const own = deps.reports.filter((r) => r.meta.region === region);
  if (!own.length) return undefined;
  const year = yearAsked(q.text, Math.max(...own.map((r) => r.meta.year)));
  const indicator = askedIndicator(q.text, deps.lexicon);
  const p = progressOf(region, year, deps.reports, deps.targets());
  const rows = indicator ? p.rows.filter((r) => r.indicator === indicator) : p.rows;
  return said(q, p, rows, ONLY_MISSED.test(q.text), deps.reports);
}

/** 近几年GDP增速, GDP目标历年走势: each year's target and result of one indicator. */
const TREND = /近几年|这几年|近年来|近些年|历年|每年|逐年|走势|趋势/;
/** Consecutive reports a region needs before its years are read as a trend. */
const TREND_REPORTS = 3;

/**
 * 近几年GDP增速: with three or more consecutive reports of the region loaded, each year's target (from
 * its own report) and result (from the next), oldest first, each quoted and cited; a verdict where the
 * join gives one.
 */
export function answerTrend(q: Query, scope: Scope, deps: CompareDeps): Answer | undefined {
  if (!TREND.test(q.text) || scope.regions.length >= 2) return undefined;
  const indicator = askedIndicator(q.text, deps.lexicon);
  if (!indicator) return undefined;
  const loaded = [...new Set(deps.reports.map((r) => r.meta.region))];
  const region = scope.regions[0] ?? deps.deployment.defaultRegion ?? (loaded.length === 1 ? loaded[0] : undefined);
  if (!region) return undefined;
  const years = [...new Set(deps.reports.filter((r) => r.meta.region === region).map((r) => r.meta.year))].sort((a, b) => a - b);
  if (longestRun(years) < TREND_REPORTS) return undefined;
  const all = deps.targets();
  const lines = [say.trendTitle(region, indicator)];
  const cited: TargetView[] = [];
  for (let year = years[0]! - 1; year <= years[years.length - 1]!; year++) {
    const rows = progressOf(region, year, deps.reports, all).rows.filter((r) => r.indicator === indicator);
    // The growth rate when there is one: what a trend compares year to year.
    const row = rows.find((r) => r.verdict) ?? rows.find((r) => r.target?.growth || r.result?.growth) ?? rows[0];
    if (!row) continue;
    lines.push(`${year}年:${lineOf(row, deps.reports).replace(/^[^:]+:/, '')}`);
    if (row.target) cited.push(row.target);
    if (row.result) cited.push(row.result);
  }
  if (!cited.length) return undefined;
  return {
    question: q.raw,
    found: true,
    answer: lines.join('\n'),
    citations: citationsOf(cited, deps.reports),
    latencyMs: 0,
    intent: 'list',
    highlights: [...new Set(cited.map((c) => c.text))],
  };
}

function longestRun(sorted: readonly number[]): number {
  let best = 0;
  let run = 0;
  sorted.forEach((y, i) => {
    run = i > 0 && y === sorted[i - 1]! + 1 ? run + 1 : 1;
    best = Math.max(best, run);
  });
  return best;
}

/** The year asked: named (2021年), 去年 or 今年 against the region's newest report, else the last year it reviews. */
function yearAsked(text: string, newest: number): number {
  const t = timeOf(text);
  if (t.kind === 'year' && t.year !== undefined) return t.year;
  if (t.kind === 'current') return newest;
  return newest - 1;
}

function said(q: Query, p: Progress, rows: readonly ProgressRow[], onlyMissed: boolean, reports: readonly Report[]): Answer {
  const lines: string[] = [];
  const cited: Array<TargetView | Completion> = [];
  const overall = p.completion.filter((c) => c.overall);
  const remarks = overall.length ? overall : p.completion;

  if (!p.targetReport) {
    lines.push(say.noTargetReport(p.region, p.year));
    if (p.resultReport && rows.length) {
      lines.push(say.resultsStated(p.year, p.resultReport.title));
      for (const r of rows.slice(0, MAX_ROWS)) {
        lines.push(`${r.indicator}:「${r.result!.span}」`);
        cited.push(r.result!);
      }
    }
  } else if (!p.resultReport) {
    lines.push(say.noResultReport(p.region, p.year));
    if (rows.length) {
      lines.push(say.targetsSet(p.targetReport.title));
      for (const r of rows.slice(0, MAX_ROWS)) {
        lines.push(`${r.indicator}:「${r.target!.span}」`);
        cited.push(r.target!);
      }
    }
  } else {
    const shown = onlyMissed ? rows.filter((r) => r.verdict === 'not-met') : rows;
    lines.push(onlyMissed ? say.missedTitle(p.region, p.year) : say.title(p.region, p.year));
    if (onlyMissed && !shown.length) lines.push(rows.some((r) => r.verdict) ? say.noneMissed : say.noneComparable);
    for (const r of shown.slice(0, MAX_ROWS)) {
      lines.push(lineOf(r, reports));
      if (r.target) cited.push(r.target);
      if (r.result) cited.push(r.result);
    }
    if (!onlyMissed && rows.length && !rows.some((r) => r.verdict)) lines.push(say.noneComparable);
    const judged = shown.filter((r) => r.verdict);
    if (judged.length) lines.push(judged.some((r) => r.target?.qualifier === '左右') ? say.computedApprox : say.computed);
  }
  if (remarks.length) {
    lines.push(`${say.ownWords}${remarks.map((c) => `「${c.phrase}」`).join(' ')}`);
    cited.push(...remarks);
  }
  const found = cited.length > 0;
  if (!found) lines.push(say.noFigures(p.region, p.year));
  return {
    question: q.raw,
    found,
    answer: lines.join('\n'),
    citations: citationsOf(cited, reports),
    latencyMs: 0,
    intent: 'list',
    ...(found ? {} : { reason: 'no-figure' as const }),
    highlights: [...new Set(cited.flatMap((c) => ('text' in c ? [c.text] : [])))],
  };
}

/** 地区生产总值:目标「全区地区生产总值增长9%」,实际「…同比增长7%」——未完成(实际7%,低于目标9%). */
function lineOf(r: ProgressRow, reports: readonly Report[]): string {
  const parts = [
    r.target ? `${say.target}「${r.target.span}」(${r.target.reportYear}年报告)` : undefined,
    r.result ? `${estimated(r.result, reports) ? say.estimated : say.result}「${r.result.span}」(${r.result.reportYear}年报告)` : undefined,
  ].filter(Boolean);
  const label = VERDICT_LABEL[r.verdict ?? r.open ?? 'undecidable'];
  const basis = r.verdict && r.basis ? `(${r.basis})` : '';
  return `${r.indicator}:${parts.join(',')}——${label}${basis}`;
}

/**
 * 预计全区地区生产总值完成160.5亿元: a report written in January states last year's results as estimates;
 * the answer says so rather than pass the figure off as final.
 */
function estimated(row: Pick<TargetView, 'report' | 'paragraph' | 'span'>, reports: readonly Report[]): boolean {
  const text = reports.find((x) => x.meta.id === row.report)?.paragraphs[row.paragraph]?.text;
  const at = text?.indexOf(row.span) ?? -1;
  if (!text || at < 0) return false;
  // From the start of the sentence that opens the list (…；一般公共预算收入完成9.3亿元 goes on with 预计).
  return /预计|初步核算|预测/.test(text.slice(text.lastIndexOf('。', at) + 1, at));
}

/** Each row's sentence and each completion sentence, cited from its report, once each. */
export function citationsOf(items: ReadonlyArray<TargetView | Completion>, reports: readonly Report[]): Citation[] {
  const out: Citation[] = [];
  const seen = new Set<string>();
  for (const item of items) {
    const report = reports.find((x) => x.meta.id === item.report);
    const paragraph = report?.paragraphs[item.paragraph];
    const sentence = paragraph?.sentences.find((s) => s.text === item.quote);
    if (!report || !paragraph || !sentence) continue;
    const key = `${report.meta.id}:${sentence.index}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({
      doc: report.meta.title,
      section: item.section,
      quote: item.quote,
      score: 1,
      docId: report.meta.id,
      paragraph: item.paragraph,
      start: sentence.start,
      end: sentence.end,
      context: { text: paragraph.text, start: sentence.start - paragraph.start, end: sentence.end - paragraph.start },
    });
  }
  return out;
}
