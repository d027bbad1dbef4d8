import stringWidth from 'string-width';
import type { ChannelEngine } from '../answer/engine.ts';
import { KIND_LABEL, type TargetKind } from './extract.ts';
import { comparable, filterTargets, rankValue, type TargetView } from './table.ts';

/**
 * `/targets [地区] [指标]` in chats (Telegram's command, WeChat's 目标一览): a compact two-column
 * table, channel-neutral; each channel draws it (a monospace block in Telegram, lines in WeChat).
 *
 *   /targets                 the main expected targets of the chat's report (or the default region's)
 *   /targets 山东             Shandong's main targets
 *   /targets GDP             every loaded region's GDP target, highest first
 *   /targets 山东 江苏 就业    those regions' employment targets
 */

export interface TargetsTable {
  title: string;
  /** Two columns: (indicator, value) for one report, (region, value) for one indicator. */
  header: [string, string];
  rows: Array<[string, string]>;
  /** Regions without the figure, or how to narrow the request. */
  note?: string;
  /** Query string for the web view (/targets?…) showing the same rows. */
  query: string;
}

export type TargetsEngine = Pick<ChannelEngine, 'targets' | 'findReport' | 'info' | 'indicatorOf'>;

const KIND_WORDS: Array<[RegExp, TargetKind]> = [
  [/去年|上年|完成/, 'result'],
  [/十五五|五年目标/, 'five-year-target'],
  [/十四五|过去五年/, 'five-year-result'],
];

/** Reads the words after the command; undefined when nothing loaded matches them. */
export function targetsTable(engine: TargetsEngine, args: string, chosenReport?: string): TargetsTable | undefined {
  const words = args.split(/[\s,,、和]+/).map((w) => w.trim()).filter(Boolean).slice(0, 10);
  const regions: string[] = [];
  let indicator: string | undefined;
  let kind: TargetKind = 'target';
  for (const w of words) {
    const k = KIND_WORDS.find(([re]) => re.test(w));
    if (k) {
      kind = k[1];
      continue;
    }
    const doc = engine.findReport(w);
    if (doc) {
      if (!regions.includes(doc.region)) regions.push(doc.region);
      continue;
    }
    indicator ??= engine.indicatorOf(w);
  }
  if (words.length && !regions.length && !indicator) return undefined;
  const all = engine.targets();
  const newest = (region: string) => engine.findReport(region)?.id;

  if (indicator) {
    const among = regions.length ? regions : [...new Set(engine.info.documents.map((d) => d.region))];
    const rows: TargetView[] = [];
    const silent: string[] = [];
    for (const region of among) {
      const id = newest(region);
      const own = filterTargets(all, { reports: id ? [id] : [], indicators: [indicator], kinds: [kind] }).filter((r) => r.indicator === indicator);
      const row = own.find((r) => r.main) ?? own[0];
      if (row) rows.push(row);
      else silent.push(region);
    }
    const like = comparable(rows);
    const sorted = [...like].sort((a, b) => rankValue(b) - rankValue(a)).concat(rows.filter((r) => !like.includes(r)));
    return {
      title: `${KIND_LABEL[kind]}·${indicator}`,
      header: ['地区', '数值'],
      rows: sorted.map((r) => [r.region, r.text]),
      ...(silent.length ? { note: `${silent.join('、')}:报告中没有这一指标的数字。` } : {}),
      query: new URLSearchParams({ indicator, kind, ...(regions.length ? { region: regions.join(',') } : {}) }).toString(),
    };
  }

  const id = regions.length ? newest(regions[0]!) : chosenReport ?? (engine.info.defaultRegion ? newest(engine.info.defaultRegion) : engine.info.documents.length === 1 ? engine.info.documents[0]!.id : undefined);
  if (!id) {
    const counts = new Map<string, Set<string>>();
    for (const r of all) if (r.kind === 'target') (counts.get(r.indicator) ?? counts.set(r.indicator, new Set()).get(r.indicator)!).add(r.region);
    const top = [...counts].sort((a, b) => b[1].size - a[1].size).slice(0, 8);
    return {
      title: '今年目标',
      header: ['指标', '地区数'],
      rows: top.map(([name, set]) => [name, String(set.size)]),
      note: '请加上地区或指标,例如:/targets 山东,或 /targets GDP。',
      query: new URLSearchParams({ kind: 'target' }).toString(),
    };
  }
  const doc = engine.info.documents.find((d) => d.id === id)!;
  const rows = filterTargets(all, { reports: [id], kinds: [kind], ...(kind === 'target' ? { main: true } : {}) });
  const shown = rows.length ? rows : filterTargets(all, { reports: [id], kinds: [kind] });
  return {
    title: `${doc.title}·${KIND_LABEL[kind]}`,
    header: ['指标', '数值'],
    rows: shown.map((r) => [r.indicator, r.text]),
    ...(shown.length ? {} : { note: '这份报告没有列出这一类的数字。' }),
    query: new URLSearchParams({ report: id, kind }).toString(),
  };
}

/** The table as monospace lines, columns padded by display width (a Chinese character is two columns). */
export function monospaceLines(t: Pick<TargetsTable, 'header' | 'rows'>): string[] {
  const width = Math.min(24, Math.max(stringWidth(t.header[0]), ...t.rows.map(([a]) => stringWidth(a))));
  const pad = (s: string): string => s + ' '.repeat(Math.max(0, width - stringWidth(s)));
  return [`${pad(t.header[0])}  ${t.header[1]}`, ...t.rows.map(([a, b]) => `${pad(a)}  ${b}`)];
}

/** The table as plain lines for WeChat (no monospace there): 山东省:5%以上. */
export function plainText(t: TargetsTable): string {
  return [t.title, ...t.rows.map(([a, b]) => `${a}:${b}`), ...(t.note ? [t.note] : [])].join('\n');
}
