import type { Gazetteer } from '../corpus/regions.ts';
import { opensPlan, planName, planNumber } from '../corpus/periods.ts';
import type { Period, ReportMeta } from '../corpus/types.ts';
import type { Query } from './analyze.ts';
import { messages } from './messages.ts';
import { PERIOD_WEIGHT } from './tuning.ts';
import type { SentenceView } from './views.ts';

/**
 * Scope: which reports a question is about (the place it names, else the chat's or the deployment's
 * default, else all), which of their parts (the period it names), and the refusals that follow from
 * that, as one ordered table of named rules. A rule refuses before retrieval when no loaded report can
 * answer (a year none covers), or after it when the best passage does not carry what the question
 * pins down (another place, a city the province report does not single out, a ranking).
 */

/** What the deployment holds, for scoping. */
export interface Deployment {
  reports: Array<{ meta: ReportMeta; periods: Set<Period> }>;
  gazetteer: Gazetteer;
  /** DEFAULT_REGION, or the only region loaded. */
  defaultRegion?: string;
  /** What the deployment holds, in one line (for greetings). */
  title: string;
  /** Example questions for the reports a scope covers (all of them when it covers several). */
  examples(reportIndexes: number[]): string[];
}

/** The greeting for chat that is no question: names what this scope covers and two questions it answers. */
export function greeting(scope: Pick<Scope, 'reports'>, d: Deployment): string {
  const one = scope.reports.length === 1 || d.reports.length === 1 ? d.reports[scope.reports[0] ?? 0] : undefined;
  return messages.chitchat(one ? `《${one.meta.title}》` : d.title, d.examples(scope.reports).slice(0, 2));
}

export interface ScopeOptions {
  /** A report id chosen by the caller (API `report`, a chat's choice). */
  report?: string;
  /** A region chosen by the caller (API `region`). */
  region?: string;
}

export interface Scope {
  /** Indexes of the reports to search. */
  reports: number[];
  /** The periods asked of each report; absent when the question names no time. */
  periods?: Map<number, Period[]>;
  /** Words by which a passage of another period still speaks of the time asked (十四五, 2025年). */
  markers: string[];
  /** The year asked closed a five-year plan, which the report's five-year review ends on. */
  endOfPlan?: boolean;
  /** Every answer must name this (a year no report covers as a whole). */
  requireMarker: boolean;
  /** Places the quoted passage must name: a city of a loaded province, or a place no report governs. */
  mustName: Array<{ form: string; name: string; kind: 'sub-place' | 'other-place' }>;
  /** The regions the question names that are loaded. */
  regions: string[];
  /** Several regions are loaded, the question names none and there is no default: which one is meant is open. */
  ambiguous: boolean;
  /** A refusal that follows from the scope alone (a year no report comes near). */
  refusal?: { rule: 'year-not-covered'; detail: string };
}

export { planName, planNumber };

export function scopeOf(q: Query, d: Deployment, options: ScopeOptions = {}): Scope {
  const g = d.gazetteer;
  const loaded = [...new Set(d.reports.map((r) => r.meta.region))];
  const all = d.reports.map((_, i) => i);
  const scope: Scope = { reports: all, markers: [], requireMarker: false, mustName: [], regions: [], ambiguous: false };

  // — where —
  let chosen: number[] | undefined;
  if (options.report) {
    const i = d.reports.findIndex((r) => r.meta.id === options.report);
    if (i >= 0) chosen = [i];
  }
  const named = new Set<string>();
  const mentioned = q.places.mentions.map((m) => m.region.name);
  for (const m of q.places.mentions) {
    const place = m.region.name;
    // 青岛市北区: the city only says where the district is.
    if (m.qualifier || mentioned.some((o) => o !== place && loaded.includes(o) && g.within(o, place))) continue;
    if (loaded.includes(place)) {
      named.add(place);
      continue;
    }
    // 青岛金地中心 asked of 市北区's report: a name, not another place.
    if (m.partOfName) continue;
    // A city of a loaded province: the province's report, which must single the city out.
    const governing = loaded.find((r) => g.within(place, r));
    if (governing) {
      named.add(governing);
      scope.mustName.push({ form: m.form, name: place, kind: 'sub-place' });
      continue;
    }
    scope.mustName.push({ form: m.form, name: place, kind: 'other-place' });
  }
  const region = [...named];
  scope.regions = region;
  if (region.length) {
    chosen = all.filter((i) => region.includes(d.reports[i]!.meta.region));
  } else if (!chosen && scope.mustName.some((m) => m.kind === 'other-place') && loaded.length > 1) {
    // Only another place is named: search everything, so a passage that names it can still answer.
    chosen = all;
  } else if (!chosen) {
    const fallback = options.region ?? d.defaultRegion;
    const inRegion = fallback ? all.filter((i) => d.reports[i]!.meta.region === fallback || g.within(d.reports[i]!.meta.region, fallback)) : [];
    chosen = inRegion.length ? inRegion : all;
    scope.ambiguous = !inRegion.length && loaded.length > 1;
  }
  // A word pointing up a level (全市 asked of a district's report) names the region above it.
  const own = chosen.map((i) => d.reports[i]!.meta);
  for (const level of q.places.relative) {
    const meta = own[0];
    if (!meta || own.some((m) => levelMatches(m, level))) continue;
    const above = level === 'city' ? meta.city : level === 'province' ? meta.province : undefined;
    if (above) scope.mustName.push({ form: relativeForm(level), name: above, kind: 'other-place' });
  }

  // — when —
  const newest = (ids: number[]): number => Math.max(...ids.map((i) => d.reports[i]!.meta.year));
  const latest = (ids: number[]): number[] => {
    // One report per region: the newest, unless a year picks another.
    const byRegion = new Map<string, number>();
    for (const i of ids) {
      const r = d.reports[i]!.meta;
      const have = byRegion.get(r.region);
      if (have === undefined || d.reports[have]!.meta.year < r.year) byRegion.set(r.region, i);
    }
    return [...byRegion.values()].sort((a, b) => a - b);
  };
  const time = q.time;
  const periods = new Map<number, Period[]>();
  const want = (i: number, ...ps: Period[]): void => {
    const have = ps.filter((p) => d.reports[i]!.periods.has(p));
    if (have.length) periods.set(i, [...(periods.get(i) ?? []), ...have]);
  };
  const Y = newest(chosen);
  switch (time.kind) {
    case 'none':
      scope.reports = latest(chosen);
      return scope;
    case 'current':
      scope.reports = latest(chosen);
      for (const i of scope.reports) want(i, 'current', 'annex', 'front');
      break;
    case 'next-year': {
      for (const i of chosen) if (d.reports[i]!.meta.year === Y + 1) want(i, 'current', 'annex');
      if (!periods.size) {
        scope.markers.push(`${Y + 1}年`);
        scope.requireMarker = true;
      }
      break;
    }
    case 'last-year':
    case 'year': {
      const year = time.kind === 'year' ? time.year! : Y - 1;
      // The last year of the plan period ahead (2030 in 2026) is the five-year targets' own horizon.
      if (time.kind === 'year' && year > Y && (year - 2020) % 5 === 0 && planNumber(year) === planNumber(Y) && planNumber(Y) !== planNumber(Y - 1)) {
        for (const i of latest(chosen)) want(i, 'five-year-plan');
        if (periods.size) {
          scope.markers.push(`${year}年`, `${cnYear(year)}年`);
          break;
        }
      }
      for (const i of chosen) {
        const r = d.reports[i]!.meta;
        if (r.year === year) want(i, 'current', 'annex', 'front');
        if (r.year === year + 1) want(i, 'last-year');
      }
      // Years are also written in Chinese numerals (到二〇三五年).
      scope.markers.push(`${year}年`, `${cnYear(year)}年`);
      if (time.kind === 'last-year') scope.markers.push('去年', '上年', '过去一年', '一年来');
      // Last year was the plan's last (2025 in a 2026 report): the five-year review's levels are last year's.
      if (chosen.some((i) => d.reports[i]!.meta.year === year + 1 && opensPlan(year + 1))) scope.endOfPlan = true;
      // A year of the plan period ahead (到2030年, 2035年远景) is what the five-year targets speak of;
      // a year of the one behind, what the five-year review does.
      // Such a passage must still name the year itself.
      const covered = periods.size > 0;
      if (!covered && year > Y && year <= Y + 10) for (const i of latest(chosen)) want(i, 'five-year-plan');
      if (!covered && year < Y - 1 && year >= Y - 6) for (const i of latest(chosen)) want(i, 'five-year-review');
      if (!covered) {
        // A year no report covers as a whole may still be named by a passage (到2027年, 2020年的7.2%).
        scope.requireMarker = true;
        if (year > Y + 10 || year < Y - 10) scope.refusal = otherYear(q, d, chosen);
      }
      break;
    }
    case 'plan':
    case 'five-year-review':
    case 'five-year-plan': {
      // 十四五 in 2026 reports is the review; in a 2025 report it is the plan being finished.
      const kind = time.kind === 'plan' ? (time.plan === planNumber(Y - 1) && time.plan !== planNumber(Y) ? 'five-year-review' : time.plan === planNumber(Y) && planNumber(Y) !== planNumber(Y - 1) ? 'five-year-plan' : undefined) : time.kind;
      const name = time.kind === 'plan' ? time.marker! : planName(time.kind === 'five-year-review' ? Y - 1 : Y);
      if (kind) for (const i of latest(chosen)) want(i, kind);
      scope.markers.push(name, kind === 'five-year-plan' ? '2030年' : '五年来', kind === 'five-year-plan' ? '未来五年' : '过去五年');
      // No part of that period: only a passage that names it can answer (…“十四五”规划的收官之年).
      if (!periods.size) {
        scope.markers.splice(1);
        scope.requireMarker = true;
      }
      break;
    }
  }
  scope.reports = periods.size ? [...periods.keys()].sort((a, b) => a - b) : latest(chosen);
  if (periods.size) scope.periods = periods;
  return scope;
}

function levelMatches(meta: ReportMeta, level: string): boolean {
  if (meta.level === level) return true;
  // 全市 in a county-level city's report (安国市) is the city itself.
  if (level === 'city' && meta.level === 'county' && /市$/.test(meta.region)) return true;
  // 全区 in an autonomous region's report (广西壮族自治区) is the region itself.
  return level === 'county' && meta.level === 'province' && /自治区$/.test(meta.region);
}

function relativeForm(level: string): string {
  return level === 'city' ? '全市' : level === 'province' ? '全省' : '全区';
}

function otherYear(_q: Query, d: Deployment, chosen: number[]): NonNullable<Scope['refusal']> {
  return { rule: 'year-not-covered', detail: coverageOf(d, chosen) };
}

/** 山东省2026年政府工作报告(2025年及“十四五”时期回顾、“十五五”时期目标、2026年工作安排). */
export function coverageOf(d: Deployment, chosen: number[]): string {
  const metas = chosen.map((i) => d.reports[i]!);
  if (metas.length > 3) {
    const years = [...new Set(metas.map((m) => m.meta.year))].sort();
    return messages.coverageMany(metas.length, years);
  }
  return metas
    .map(({ meta, periods }) => {
      const parts: string[] = [];
      if (periods.has('last-year')) parts.push(`${meta.year - 1}年工作回顾`);
      if (periods.has('five-year-review')) parts.push(`“${planName(meta.year - 1)}”时期回顾`);
      if (periods.has('five-year-plan')) parts.push(`“${planName(meta.year)}”时期目标`);
      parts.push(`${meta.year}年工作安排`);
      return `${meta.title}(${parts.join('、')})`;
    })
    .join(';');
}

function cnYear(year: number): string {
  return [...String(year)].map((d) => '〇一二三四五六七八九'[Number(d)]).join('');
}

/** Weight of a passage for the period asked (see PERIOD_WEIGHT). */
export function periodWeight(scope: Scope, v: SentenceView): number {
  if (scope.requireMarker) return namesMarker(scope, v) ? PERIOD_WEIGHT.asked : PERIOD_WEIGHT.other;
  if (!scope.periods) return PERIOD_WEIGHT.unasked[v.period];
  const asked = scope.periods.get(v.reportIndex);
  if (asked?.includes(v.period)) return PERIOD_WEIGHT.asked;
  // A passage of another period that names the one asked (…“十四五”时期累计…) still speaks of it,
  // unless it only mentions it in passing next to its own period (今年是“十五五”开局之年).
  if (namesMarker(scope, v) && !(v.period === 'current' && /开局/.test(v.norm))) return PERIOD_WEIGHT.namesAsked;
  // …and a level the five-year review reached (城镇化率达到76.58%) is last year's, unlike its totals.
  if (scope.endOfPlan && v.period === 'five-year-review' && !/累计|五年|年均|期间|以来|比(?:19|20)\d{2}年|由.{1,20}(?:增至|提高到|提升至)/.test(v.norm)) return PERIOD_WEIGHT.endOfPlan;
  return PERIOD_WEIGHT.other;
}

function namesMarker(scope: Scope, v: SentenceView): boolean {
  return scope.markers.some((m) => v.norm.includes(m) || (v.paragraph.topic ?? '').includes(m));
}

export function loadedDescription(d: Deployment, scope: Scope): string {
  const regions = [...new Set(d.reports.map((r) => r.meta.region))];
  if (regions.length === 1) return messages.onlyRegion(regions[0]!);
  const shown = scope.reports.length && scope.reports.length < d.reports.length ? [...new Set(scope.reports.map((i) => d.reports[i]!.meta.region))] : regions;
  return messages.loadedRegions(shown);
}

/** How the question itself names its subject (地铁5号线), for refusal messages. */
export function subjectOf(q: Query): string {
  if (q.english) return '';
  const words = q.concepts.filter((c) => !c.glued || c.forms.length > 1);
  const focus = words.filter((c) => c.focus);
  const named = focus.length ? focus : words.slice(0, 3);
  const text = q.places.rest;
  const at = named.map((c) => ({ start: text.indexOf(c.text), end: text.indexOf(c.text) + c.text.length })).filter((x) => x.start >= 0);
  if (at.length === named.length && at.length > 0) {
    const span = text.slice(Math.min(...at.map((x) => x.start)), Math.max(...at.map((x) => x.end)));
    if ([...span].length <= 12 && !/[,，。?？!！\s]/.test(span)) return span;
  }
  return named.map((c) => c.text).join('');
}
