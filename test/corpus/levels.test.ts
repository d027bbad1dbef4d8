import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadLexicon } from '../../src/corpus/lexicon.ts';
import { reportOf } from '../../src/corpus/load.ts';
import { DICT_DIR, ROOT } from '../helpers/engine.ts';

/**
 * Reports of every level and of other years than the provincial 2026 set, as found on the web: the
 * national report (State Council), a prefecture-level city, districts, counties and a county-level
 * city. Each must be read as the place and year it is, and its parts labelled by the period they
 * speak of relative to its own year (十四五 is the plan ahead in 2021, the review in 2026).
 */
const DIR = join(ROOT, 'test/fixtures/levels');
const lexicon = loadLexicon(DICT_DIR);
const read = (file: string) => reportOf(file, readFileSync(join(DIR, file), 'utf8'), {}, lexicon);
const sources = new Map(
  readFileSync(join(DIR, 'sources.tsv'), 'utf8')
    .split('\n')
    .slice(1)
    .filter(Boolean)
    .map((l) => l.split('\t'))
    .map(([file, , level, year]) => [file!, { level: level!, year: Number(year) }]),
);

describe('reports of every level', () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.txt'));

  it.each(files)('%s: region, level and year as the report says', (file) => {
    const r = read(file);
    const expected = sources.get(file)!;
    const region = file.split('_')[1]!;
    expect(r.meta.year).toBe(expected.year);
    if (expected.level === 'national') {
      expect(r.meta.region).toBe('全国');
      expect(r.meta.level).toBe('country');
      expect(r.meta.title).toBe(`${expected.year}年国务院政府工作报告`);
    } else {
      expect(r.meta.region).toBe(region);
      expect(r.meta.level).toBe(expected.level === 'city' ? 'city' : 'county');
      // A scraper's label (标题：) is not part of the title.
      expect(r.meta.title).not.toMatch(/^标题/);
      expect(r.meta.title).toContain(String(expected.year));
    }
  });

  it('labels the five-year parts against the report’s own year: 十四五 is the plan ahead in 2021', () => {
    for (const file of ['2021_保定市_政府工作报告.txt', '2021_阜平县_政府工作报告.txt', '2021_国务院_政府工作报告.txt']) {
      const r = read(file);
      const periodOf = (needle: string) => r.paragraphs.find((p) => p.text.includes(needle))?.period;
      const plan = r.paragraphs.filter((p) => p.period === 'five-year-plan');
      const review = r.paragraphs.filter((p) => p.period === 'five-year-review');
      expect(plan.length, file).toBeGreaterThan(3);
      expect(review.length, file).toBeGreaterThan(0);
      expect(plan.some((p) => /十四五|第十四个五年/.test(p.text)), file).toBe(true);
      expect(periodOf('2021年重点工作'), file).toBe('current');
    }
  });

  it('reads part headings written with years in Chinese numerals (二〇二四年工作回顾)', () => {
    const r = read('2025_易县_政府工作报告.txt');
    const heading = r.paragraphs.find((p) => p.text.trim() === '二〇二五年主要目标任务')!;
    expect(heading.kind).toBe('part-heading');
    expect(heading.period).toBe('current');
    expect(r.paragraphs.find((p) => p.text.trim() === '二〇二四年工作回顾')!.period).toBe('last-year');
    expect(r.paragraphs.filter((p) => p.period === 'current').length).toBeGreaterThan(100);
  });

  it('treats a line of zero-width characters as blank, not as a heading', () => {
    const r = read('2021_国务院_政府工作报告.txt');
    expect(r.paragraphs.some((p) => !p.text.replace(/[\u200b-\u200d\ufeff]/g, '').trim())).toBe(false);
  });
});
