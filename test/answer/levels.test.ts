import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Answer, type Engine } from '../../src/answer/index.ts';
import { DICT_DIR, ROOT } from '../helpers/engine.ts';

/**
 * Level against level through ask(): 清苑区 and its city 保定市 for 2021 and 2022, with the State
 * Council's 2022 report. The figures expected were read by hand from test/fixtures/levels/.
 */
const LEVELS = join(ROOT, 'test/fixtures/levels');
const work = mkdtempSync(join(tmpdir(), 'workplan-levels-ask-'));
let engine: Engine;

beforeAll(async () => {
  mkdirSync(join(work, 'r'));
  for (const f of ['2021_清苑区', '2022_清苑区', '2021_保定市', '2022_保定市', '2022_国务院']) copyFileSync(join(LEVELS, `${f}_政府工作报告.txt`), join(work, 'r', `${f}_政府工作报告.txt`));
  engine = await createEngine({ reportsDir: join(work, 'r'), dictDir: DICT_DIR, indexDir: join(work, 'i'), readOnly: true });
}, 120_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Every quoted span stands in a cited sentence, every citation verbatim in its report. */
function expectCited(a: Answer): void {
  const spans = [...a.answer.matchAll(/「([^」]+)」/g)].map((m) => m[1]!);
  expect(spans.length).toBeGreaterThan(0);
  for (const span of spans) expect(a.citations.some((c) => c.quote.includes(span)), span).toBe(true);
  for (const c of a.citations) {
    const report = engine.internals.index.reports.find((r) => r.meta.id === c.docId)!;
    expect(report.text.slice(c.start, c.end)).toBe(c.quote);
  }
}

describe('a region against the level above it', () => {
  it('2021年清苑的GDP目标比保定高多少: both figures, and the difference labelled as computed', async () => {
    const a = await engine.ask('2021年清苑的GDP目标比保定高多少');
    expect(a.answer).toContain('清苑「全区地区生产总值增长9%」,保定「生产总值增长8%以上」——按两份报告的数字计算,清苑高1个百分点');
    expect(a.answer).toContain('未计“以上”“左右”');
    expect(new Set(a.citations.map((c) => c.doc))).toEqual(new Set(['保定市清苑区2021年政府工作报告', '2021年保定市政府工作报告']));
    expectCited(a);
  });

  it('清苑的GDP目标比全市高多少: 全市 is the district’s city; equal figures say so', async () => {
    const a = await engine.ask('清苑的GDP目标比全市高多少');
    expect(a.answer).toContain('清苑与保定2022年目标对比');
    expect(a.answer).toContain('清苑「地区生产总值增长8%以上」,保定「生产总值增长8%以上」——两者数字相同');
    expectCited(a);
  });

  it('清苑今年GDP目标和全国比怎么样: against the country', async () => {
    const a = await engine.ask('清苑今年GDP目标和全国比怎么样');
    expect(a.answer).toContain('清苑「地区生产总值增长8%以上」,全国「国内生产总值增长5.5%左右」——按两份报告的数字计算,清苑高2.5个百分点');
    expect(a.citations.map((c) => c.doc)).toContain('2022年国务院政府工作报告');
    expectCited(a);
  });

  it('清苑哪些指标定得比全市高: only those above', async () => {
    const a = await engine.ask('清苑哪些指标定得比全市高');
    expect(a.found).toBe(true);
    // 固定资产投资增长10% against 8%左右.
    expect(a.answer).toContain('固定资产投资:清苑「固定资产投资增长10%」,保定「固定资产投资增长8%左右」——按两份报告的数字计算,清苑高2个百分点');
    expect(a.answer).not.toContain('地区生产总值');
    expectCited(a);
  });

  it('leaves a question about one region to the rest of the pipeline', async () => {
    const a = await engine.ask('清苑今年GDP增长目标是多少');
    expect(a.answer).not.toContain('对比');
    expect(a.answer).toContain('8%以上');
  });
});
