import type { RegionLevel } from '../corpus/regions.ts';
import { foldWidth } from '../corpus/text.ts';
import type { TargetKind } from '../targets/extract.ts';
import type { TargetView } from '../targets/table.ts';
import type { Query } from './analyze.ts';
import { askedIndicator, type CompareDeps } from './compare.ts';
import { citationsOf } from './progress.ts';
import type { Scope } from './scope.ts';
import type { Answer } from './types.ts';

/**
 * Level against level: 清苑的GDP目标比全市高多少 / 和全国比怎么样 / 哪些指标定得比全市高. A region's
 * report and the report of a level above it (its city, its province, the country) for the same year,
 * both loaded: each figure is quoted from its own report and cited, and a difference is computed only
 * between like figures (same indicator, unit and meaning, neither a range), labelled as computed.
 */

const COMPARES = /比|相比|对比|比较|高多少|低多少|差多少|高还是低|怎么样|定得/;
/** 哪些指标定得比全市高: only the indicators above (or below) the other level. */
const WHICH_HIGHER = /(?:哪些|哪几个|哪几项|哪个|什么)[^,。?]{0,10}(?:比)[^,。?]{0,8}高/;
const WHICH_LOWER = /(?:哪些|哪几个|哪几项|哪个|什么)[^,。?]{0,10}(?:比)[^,。?]{0,8}低/;
const RESULTS = /去年|上年|完成|实际/;
const LEVEL_RANK: Record<RegionLevel, number> = { area: 0, county: 1, city: 2, province: 3, country: 4 };
const MAX_ROWS = 20;

const say = {
  title: (low: string, high: string, year: number, kind: TargetKind) => `${low}与${high}${year}年${kind === 'result' ? '完成情况' : '目标'}对比:`,
  higher: (who: string, d: string) => `按两份报告的数字计算,${who}高${d}`,
  lower: (who: string, d: string) => `按两份报告的数字计算,${who}低${d}`,
  same: '两者数字相同',
  unlike: '口径不同,不作相减',
  qualifiers: '(差值按所写数字计算,未计“以上”“左右”等限定。)',
  missing: (who: string) => `${who}的报告没有这一指标的数字`,
  noneHigher: (low: string, high: string) => `按两份报告的数字,${low}没有定得比${high}高的指标。`,
  noneLower: (low: string, high: string) => `按两份报告的数字,${low}没有定得比${high}低的指标。`,
} as const;

export function answerLevels(q: Query, scope: Scope, deps: CompareDeps): Answer | undefined {
  if (!COMPARES.test(q.text)) return undefined;
  const pair = regionsOf(q, scope, deps);
  if (!pair) return undefined;
  const [low, high] = pair;
  const kind: TargetKind = RESULTS.test(q.text) && !/目标/.test(q.text) ? 'result' : 'target';
  const year = yearOf(q, low, high, kind, deps);
  if (year === undefined) return undefined;
  const indicator = askedIndicator(q.text, deps.lexicon);
  const all = deps.targets();
  const rowsOf = (region: string): TargetView[] => {
    const rows = all.filter((r) => r.region === region && r.kind === kind && r.year === year && (!indicator || r.indicator === indicator));
    const main = rows.filter((r) => r.main);
    return distinct(main.length ? main : rows);
  };
  const lows = rowsOf(low);
  const highs = rowsOf(high);
  if (!lows.length && !highs.length) return undefined;
  const short = (r: string): string => deps.deployment.gazetteer.shortName(r);
  const onlyHigher = WHICH_HIGHER.test(q.text);
  const onlyLower = !onlyHigher && WHICH_LOWER.test(q.text);

  const lines = [say.title(short(low), short(high), year, kind)];
  const cited: TargetView[] = [];
  const indicators = [...new Set([...lows, ...highs].map((r) => r.indicator))];
  for (const name of indicators.slice(0, MAX_ROWS)) {
    const a = lows.find((r) => r.indicator === name);
    const b = (a && highs.find((r) => r.indicator === name && alike(a, r))) ?? highs.find((r) => r.indicator === name);
    const diff = a && b && alike(a, b) ? Math.round((a.value - b.value) * 1e6) / 1e6 : undefined;
    if (onlyHigher && !(diff !== undefined && diff > 0)) continue;
    if (onlyLower && !(diff !== undefined && diff < 0)) continue;
    const sides = [a ? `${short(low)}「${a.span}」` : say.missing(short(low)), b ? `${short(high)}「${b.span}」` : say.missing(short(high))];
    const unit = a && a.unit === '%' ? '个百分点' : (a?.unit ?? '');
    const verdict =
      a && b ? (diff === undefined ? say.unlike : diff === 0 ? say.same : diff > 0 ? say.higher(short(low), `${diff}${unit}`) : say.lower(short(low), `${-diff}${unit}`)) : undefined;
    lines.push(`${name}:${sides.join(',')}${verdict ? `——${verdict}` : ''}`);
    if (a) cited.push(a);
    if (b) cited.push(b);
  }
  if (lines.length === 1) lines.push(onlyHigher ? say.noneHigher(short(low), short(high)) : say.noneLower(short(low), short(high)));
  else if (cited.some((r) => r.qualifier && r.qualifier !== 'range') && lines.some((l) => l.includes('计算'))) lines.push(say.qualifiers);
  return {
    question: q.raw,
    found: true,
    answer: lines.join('\n'),
    citations: citationsOf(cited, deps.reports),
    latencyMs: 0,
    intent: 'list',
    highlights: [...new Set(cited.map((r) => r.text))],
  };
}

/**
 * The region asked about and the loaded level above it that the question points at: a name (保定,
 * 全国) or a word for the level (全市, 全省), the lower one named or the deployment's own.
 */
function regionsOf(q: Query, scope: Scope, deps: CompareDeps): [string, string] | undefined {
  const g = deps.deployment.gazetteer;
  const loaded = new Set(deps.reports.map((r) => r.meta.region));
  const levelOf = (r: string): RegionLevel => g.get(r)?.level ?? 'area';
  const contains = (upper: string, lower: string): boolean => upper !== lower && (levelOf(upper) === 'country' || g.within(lower, upper));
  const named = [...new Set([...scope.regions, ...q.places.mentions.filter((m) => !m.partOfName && loaded.has(m.region.name)).map((m) => m.region.name)])].filter((r) => loaded.has(r));
  const sorted = [...named].sort((a, b) => LEVEL_RANK[levelOf(a)] - LEVEL_RANK[levelOf(b)]);
  // Two loaded regions named, one inside the other.
  for (const low of sorted) {
    const high = sorted.find((h) => contains(h, low));
    if (high) return [low, high];
  }
  // One named (or the deployment's own) and a word for the level above it (全市, 全省).
  const low = sorted[0] ?? deps.deployment.defaultRegion;
  if (!low) return undefined;
  for (const level of q.places.relative) {
    const high = [...loaded].find((r) => levelOf(r) === level && contains(r, low));
    if (high) return [low, high];
  }
  return undefined;
}

/** The year asked, else the newest year both regions have a report for. */
function yearOf(q: Query, low: string, high: string, kind: TargetKind, deps: CompareDeps): number | undefined {
  const years = (region: string): Set<number> => new Set(deps.reports.filter((r) => r.meta.region === region).map((r) => r.meta.year));
  const a = years(low);
  const b = years(high);
  const both = [...a].filter((y) => b.has(y)).sort((x, y) => y - x);
  const asked = q.time.kind === 'year' ? q.time.year : undefined;
  // Results of year N stand in the reports of N+1.
  const reportYear = asked === undefined ? both[0] : kind === 'result' ? asked + 1 : asked;
  if (reportYear === undefined || !a.has(reportYear) || !b.has(reportYear)) return undefined;
  return kind === 'result' ? reportYear - 1 : reportYear;
}

function distinct(rows: readonly TargetView[]): TargetView[] {
  const seen = new Set<string>();
  return rows.filter((r) => {
    const key = `${r.indicator}|${r.growth}|${foldWidth(r.unit)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Like figures: one unit, one meaning, single values (a range is not subtracted). */
function alike(a: TargetView, b: TargetView): boolean {
  return a.growth === b.growth && foldWidth(a.unit) === foldWidth(b.unit) && a.high === undefined && b.high === undefined;
}
