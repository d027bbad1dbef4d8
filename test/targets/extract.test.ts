import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadLexicon } from '../../src/corpus/lexicon.ts';
import { readOverrides, reportOf } from '../../src/corpus/load.ts';
import { evalTargets } from '../../src/eval/targets.ts';
import { extractTargets, indicatorTable } from '../../src/targets/extract.ts';
import { DICT_DIR, REPORTS_DIR, ROOT } from '../helpers/engine.ts';

/** Targets extracted from all 27 provincial reports and 市北: verbatim, in the right kind, and scored. */

const FIXTURES = join(ROOT, 'test/fixtures/provinces-2026');
const lexicon = loadLexicon(DICT_DIR);
const table = indicatorTable(lexicon);
const files = [
  ...readdirSync(FIXTURES).filter((f) => f.endsWith('.txt')).map((f) => [FIXTURES, f] as const),
  [REPORTS_DIR, 'qingdao-shibei-2025-work-report.txt'] as const,
];
const reports = files.map(([dir, file]) => {
  const text = readFileSync(join(dir, file), 'utf8');
  return reportOf(file, text, readOverrides(join(dir, file.replace(/\.txt$/, '.json'))), lexicon);
});

describe('targets extracted from every report', () => {
  it('every value and span is verbatim in the stored text, at the offsets given', () => {
    let rows = 0;
    for (const report of reports) {
      for (const r of extractTargets(report, table)) {
        rows++;
        expect(report.text.slice(r.start, r.end)).toBe(r.text);
        expect(report.text).toContain(r.span);
        expect(r.span).toContain(r.text);
        // The value is in its text: 5.5 in 5.5%左右, both ends of 5%—5.5%.
        expect(r.text.replace(/％/g, '%')).toContain(String(r.value));
        if (r.high !== undefined) expect(r.text).toContain(String(r.high));
      }
    }
    expect(rows).toBeGreaterThan(500);
  });

  it('the main expected targets of every report are this year’s targets, and results come from the review', () => {
    for (const report of reports) {
      const rows = extractTargets(report, table);
      const main = rows.filter((r) => r.main);
      expect(main.length, report.meta.title).toBeGreaterThanOrEqual(report.meta.id === 'shibei-2025' ? 3 : 2);
      for (const r of main) expect(r.kind).toBe('target');
      for (const r of rows) {
        const period = report.paragraphs[r.paragraph]!.period;
        expect(['current', 'last-year', 'five-year-plan', 'five-year-review']).toContain(period);
        if (period === 'last-year') expect(r.kind).toBe('result');
        if (period === 'five-year-review') expect(r.kind).toBe('five-year-result');
      }
    }
    // Nearly every province sets a GDP growth target among its main targets.
    const gdp = reports.filter((r) => extractTargets(r, table).some((x) => x.main && x.indicator === '地区生产总值' && x.growth));
    expect(gdp.length).toBe(reports.length);
  });

  it('meets the bar on the hand-written rows: precision ≥ 0.98, recall ≥ 0.90, overall and per report', () => {
    const scores = evalTargets({ goldDir: join(ROOT, 'test/eval/targets'), reportDirs: [FIXTURES, REPORTS_DIR], dictDir: DICT_DIR });
    expect(scores.length).toBeGreaterThanOrEqual(13);
    const sum = (k: 'matched' | 'predicted' | 'gold') => scores.reduce((a, s) => a + s[k], 0);
    expect(sum('matched') / sum('predicted')).toBeGreaterThanOrEqual(0.98);
    expect(sum('matched') / sum('gold')).toBeGreaterThanOrEqual(0.9);
    for (const s of scores) expect(s.recall, `${s.report}: missing ${s.missing.join(', ')}`).toBeGreaterThanOrEqual(0.75);
  });
});
