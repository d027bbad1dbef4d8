import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadLexicon } from '../corpus/lexicon.ts';
import { readOverrides, reportOf } from '../corpus/load.ts';
import { foldWidth } from '../corpus/text.ts';
import { extractTargets, indicatorTable, type TargetRow } from '../targets/extract.ts';

/**
 * `npm run eval -- --targets`: the rows extracted from each report's paragraph of main expected
 * targets against rows written by hand from the text (test/eval/targets/<report>.jsonl). A predicted
 * row is right when indicator, value, unit and qualifier all agree; precision counts wrong rows (a
 * wrong value is worse than a missing one), recall missing ones.
 */

export interface GoldTarget {
  report: string;
  kind: string;
  indicator: string;
  wording: string;
  value: string;
  unit: string;
  qualifier: string;
  text: string;
  growth: boolean;
}

export interface TargetScore {
  report: string;
  gold: number;
  predicted: number;
  matched: number;
  precision: number;
  recall: number;
  /** Predicted rows whose verbatim text equals the gold text. */
  textExact: number;
  wrong: string[];
  missing: string[];
}

const norm = (s: string): string => foldWidth(s).replace(/\s+/g, '');

function sameValue(p: TargetRow, g: GoldTarget): boolean {
  const [lo, hi] = g.value.split('-').map(Number);
  return p.value === lo && (hi === undefined ? p.high === undefined : p.high === hi);
}

function sameIndicator(p: TargetRow, g: GoldTarget): boolean {
  if (p.indicator === g.indicator) return true;
  const pi = norm(p.indicator);
  return pi === norm(g.wording) || pi.includes(norm(g.indicator)) || norm(g.indicator).includes(pi);
}

export function matches(p: TargetRow, g: GoldTarget): boolean {
  return sameValue(p, g) && norm(p.unit) === norm(g.unit) && p.qualifier === g.qualifier && sameIndicator(p, g);
}

export function scoreTargets(name: string, predicted: TargetRow[], gold: GoldTarget[]): TargetScore {
  const left = [...gold];
  let matched = 0;
  let textExact = 0;
  const wrong: string[] = [];
  for (const p of predicted) {
    const i = left.findIndex((g) => matches(p, g));
    if (i < 0) {
      wrong.push(`${p.indicator} ${p.text} (${p.qualifier || '-'})`);
      continue;
    }
    if (left[i]!.text === p.text) textExact++;
    left.splice(i, 1);
    matched++;
  }
  return {
    report: name,
    gold: gold.length,
    predicted: predicted.length,
    matched,
    precision: predicted.length ? matched / predicted.length : 1,
    recall: gold.length ? matched / gold.length : 1,
    textExact,
    wrong,
    missing: left.map((g) => `${g.indicator} ${g.text}`),
  };
}

export function evalTargets(options: { goldDir: string; reportDirs: string[]; dictDir: string; reports?: string[] }): TargetScore[] {
  const lexicon = loadLexicon(options.dictDir);
  const table = indicatorTable(lexicon);
  const names = (options.reports ?? readdirSync(options.goldDir).filter((f) => f.endsWith('.jsonl')).map((f) => f.replace(/\.jsonl$/, ''))).sort();
  return names.map((name) => {
    const dir = options.reportDirs.find((d) => existsSync(join(d, `${name}.txt`)));
    if (!dir) throw new Error(`no report text for ${name}`);
    const text = readFileSync(join(dir, `${name}.txt`), 'utf8');
    const report = reportOf(`${name}.txt`, text, readOverrides(join(dir, `${name}.json`)), lexicon);
    const predicted = extractTargets(report, table).filter((r) => r.main && r.kind === 'target');
    const gold = readFileSync(join(options.goldDir, `${name}.jsonl`), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as GoldTarget);
    return scoreTargets(name, predicted, gold);
  });
}

export function formatTargetScores(scores: TargetScore[], title: string, verbose = false): string {
  const f3 = (x: number): string => x.toFixed(3);
  const sum = (k: 'gold' | 'predicted' | 'matched' | 'textExact'): number => scores.reduce((a, s) => a + s[k], 0);
  const lines = [
    `${title}: ${scores.length} reports, rows of the paragraph of main expected targets`,
    '',
    '| report | gold rows | extracted | right | precision | recall | text verbatim as gold |',
    '|---|---|---|---|---|---|---|',
    ...scores.map((s) => `| ${s.report.replace(/^2026_|_政府工作报告$/g, '')} | ${s.gold} | ${s.predicted} | ${s.matched} | ${f3(s.precision)} | ${f3(s.recall)} | ${s.textExact}/${s.matched} |`),
    `| **all** | ${sum('gold')} | ${sum('predicted')} | ${sum('matched')} | ${f3(sum('matched') / Math.max(1, sum('predicted')))} | ${f3(sum('matched') / Math.max(1, sum('gold')))} | ${sum('textExact')}/${sum('matched')} |`,
  ];
  if (verbose) {
    for (const s of scores) {
      if (s.wrong.length) lines.push('', `${s.report} wrong: ${s.wrong.join(' · ')}`);
      if (s.missing.length) lines.push(`${s.report} missing: ${s.missing.join(' · ')}`);
    }
  }
  return lines.join('\n');
}
