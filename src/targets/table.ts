import { foldWidth } from '../corpus/text.ts';
import { toCsv, type CsvCell } from '../shared/csv.ts';
import { KIND_LABEL, type TargetKind, type TargetRow } from './extract.ts';

/**
 * The targets of the loaded reports as the channels show them: filtered, compared across reports,
 * and written as CSV. Rows are never merged or computed from each other, except a difference between
 * two like figures (same indicator, unit, kind and meaning), which says so.
 */

/** A row as the API gives it: the report named, the sentence it came from quoted verbatim. */
export interface TargetView
  extends Pick<TargetRow, 'report' | 'region' | 'year' | 'years' | 'reportYear' | 'kind' | 'indicator' | 'wording' | 'value' | 'high' | 'unit' | 'qualifier' | 'growth' | 'main' | 'text' | 'span' | 'paragraph'> {
  title: string;
  /** The whole sentence, verbatim. */
  quote: string;
  section: string;
}

export interface TargetFilter {
  /** Report ids. */
  reports?: readonly string[];
  /** Region names as loaded (山东省). */
  regions?: readonly string[];
  /** Canonical indicator names, or words matched against the report's wording. */
  indicators?: readonly string[];
  /** The year the figure is about (2025 finds 2025's results in a 2026 report). */
  year?: number;
  kinds?: readonly TargetKind[];
  /** Only the paragraph of main expected targets. */
  main?: boolean;
}

export function filterTargets(rows: readonly TargetView[], f: TargetFilter): TargetView[] {
  const names = new Set(rows.map((r) => r.indicator.toLowerCase()));
  const words = f.indicators?.map((w) => foldWidth(w).toLowerCase());
  // A canonical name (地区生产总值) means that indicator only, not 单位地区生产总值能耗 too; other words
  // match the report's wording.
  const matches = (r: TargetView, w: string): boolean =>
    names.has(w) ? r.indicator.toLowerCase() === w : foldWidth(r.wording).toLowerCase().includes(w) || r.indicator.toLowerCase().includes(w);
  return rows.filter(
    (r) =>
      (!f.reports?.length || f.reports.includes(r.report)) &&
      (!f.regions?.length || f.regions.includes(r.region)) &&
      (f.year === undefined || r.year === f.year) &&
      (!f.kinds?.length || f.kinds.includes(r.kind)) &&
      (!f.main || r.main) &&
      (!words?.length || words.some((w) => matches(r, w))),
  );
}

/** The fields a CSV column can show as they are: text and numbers (a yes/no field would need words). */
type CsvField = { [K in keyof TargetView]-?: TargetView[K] extends CsvCell ? K : never }[keyof TargetView];

export const CSV_COLUMNS: Array<[CsvField | 'kindLabel', string]> = [
  ['title', '报告'],
  ['region', '地区'],
  ['year', '年份'],
  ['years', '时段'],
  ['reportYear', '报告年份'],
  ['kindLabel', '类别'],
  ['indicator', '指标'],
  ['wording', '报告用语'],
  ['value', '数值'],
  ['high', '上限'],
  ['unit', '单位'],
  ['qualifier', '限定'],
  ['text', '原文数值'],
  ['quote', '原句'],
];

/**
 * CSV for Excel and WPS (see toCsv): report text that starts like a formula gets a leading `'`; the
 * year, value and upper bound stay numbers.
 */
export function targetsCsv(rows: readonly TargetView[]): string {
  const records = rows.map((r) => CSV_COLUMNS.map(([k]) => (k === 'kindLabel' ? KIND_LABEL[r.kind] : r[k])));
  return toCsv([CSV_COLUMNS.map(([, h]) => h), ...records]);
}

/** One row in words, as a reader says it: 山东省:地区生产总值增长5%以上. */
export function rowLine(r: TargetView, options: { region?: boolean } = {}): string {
  return `${options.region ? `${r.region}:` : ''}${r.span}`;
}

/** Rows of one indicator and kind that can be ranked against each other: same unit and meaning. */
export function comparable(rows: readonly TargetView[]): TargetView[] {
  if (!rows.length) return [];
  const key = (r: TargetView): string => `${r.indicator}|${r.kind}|${foldWidth(r.unit)}|${r.growth}`;
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(key(r), (counts.get(key(r)) ?? 0) + 1);
  const best = [...counts].sort((a, b) => b[1] - a[1])[0]![0];
  return rows.filter((r) => key(r) === best);
}

/** The number a row is ranked by: a range by its midpoint. */
export function rankValue(r: Pick<TargetView, 'value' | 'high'>): number {
  return r.high !== undefined ? (r.value + r.high) / 2 : r.value;
}
