import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/answer/index.ts';
import { verdictOf, type Progress, type ProgressRow } from '../../src/targets/progress.ts';
import type { TargetView } from '../../src/targets/table.ts';
import { DICT_DIR, ROOT } from '../helpers/engine.ts';
import { buildApp } from '../server/support.ts';

/**
 * Did the targets come true, over consecutive reports of three regions (清苑区 2021–2024, 保定市
 * 2021–2022, the State Council 2019–2023). The expected joins below were written by hand from the
 * report texts (test/fixtures/levels/): the target's words in report N, the result's in report N+1,
 * and what follows from the two.
 */
const work = mkdtempSync(join(tmpdir(), 'workplan-progress-'));
const LEVELS = join(ROOT, 'test/fixtures/levels');
const FILES = [
  ...[2021, 2022, 2023, 2024].map((y) => `${y}_清苑区_政府工作报告.txt`),
  '2021_保定市_政府工作报告.txt',
  '2022_保定市_政府工作报告.txt',
  ...[2019, 2020, 2021, 2022, 2023].map((y) => `${y}_国务院_政府工作报告.txt`),
];
let engine: Engine;

beforeAll(async () => {
  mkdirSync(join(work, 'r'));
  for (const f of FILES) copyFileSync(join(LEVELS, f), join(work, 'r', f));
  engine = await createEngine({ reportsDir: join(work, 'r'), dictDir: DICT_DIR, indexDir: join(work, 'i'), readOnly: true });
}, 120_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

function progress(region: string, year: number): Progress {
  const list = engine.progress(region, year);
  expect(list).toHaveLength(1);
  return list[0]!;
}

function row(p: Progress, indicator: string): ProgressRow {
  const found = p.rows.filter((r) => r.indicator === indicator);
  expect(found, indicator).toHaveLength(1);
  return found[0]!;
}

/** A hand-made expectation: the target's and the result's words, and the verdict or why there is none. */
interface Expected {
  region: string;
  year: number;
  indicator: string;
  target?: string;
  result?: string;
  verdict?: 'met' | 'not-met';
  open?: ProgressRow['open'];
}

const EXPECTED: Expected[] = [
  // 清苑区 2021: 全区地区生产总值增长9% against 同比增长7% (2022 report).
  { region: '清苑区', year: 2021, indicator: '地区生产总值', target: '全区地区生产总值增长9%', result: '全区地区生产总值完成160.5亿元，同比增长7%', verdict: 'not-met' },
  { region: '清苑区', year: 2021, indicator: '一般公共预算收入', target: '一般公共预算收入增长7%', result: '一般公共预算收入完成9.3亿元，同比增长9.1%', verdict: 'met' },
  { region: '清苑区', year: 2021, indicator: '固定资产投资', target: '固定资产投资增长11%左右', result: '固定资产投资完成50.4亿元，同比增长16.1%', verdict: 'met' },
  // 10%左右 missed by 1.4 points: more than the tolerance.
  { region: '清苑区', year: 2021, indicator: '规模以上工业增加值', target: '规模以上工业增加值增长10%左右', result: '规模以上工业增加值完成22.5亿元，同比增长8.6%', verdict: 'not-met' },
  // 9%左右 against 9.5%: within it.
  { region: '清苑区', year: 2021, indicator: '社会消费品零售总额', target: '社会消费品零售总额增长9%左右', result: '社会消费品零售总额完成57.4亿元，同比增长9.5%', verdict: 'met' },
  // 2023's report gives the 2022 figures as levels only: a growth target against a level, no verdict.
  { region: '清苑区', year: 2022, indicator: '地区生产总值', target: '地区生产总值增长8%以上', result: '地区生产总值完成166.2亿元', open: 'unlike' },
  { region: '清苑区', year: 2022, indicator: '固定资产投资', target: '固定资产投资增长10%', result: '固定资产投资完成56.5亿元', open: 'unlike' },
  { region: '清苑区', year: 2022, indicator: '进出口总额', target: '外贸进出口增长5%', open: 'no-result' },
  { region: '清苑区', year: 2023, indicator: '地区生产总值', target: '地区生产总值增长7%', result: '地区生产总值完成176.6亿元，同比增长5.5%', verdict: 'not-met' },
  { region: '清苑区', year: 2023, indicator: '规模以上工业增加值', target: '规模以上工业增加值增长6.5%', result: '规模以上工业增加值完成32.6亿元，同比增长10.7%', verdict: 'met' },
  // 一般公共预算收入完成13.24亿元 with no growth written: unlike the growth target.
  { region: '清苑区', year: 2023, indicator: '一般公共预算收入', target: '一般公共预算收入可比增长7%', result: '一般公共预算收入完成13.24亿元', open: 'unlike' },
  // 保定市 2021 (results in the 2022 report, 增长X%、全省第一).
  { region: '保定市', year: 2021, indicator: '地区生产总值', target: '生产总值增长8%以上', result: '全市生产总值完成3725亿元，增长7.2%', verdict: 'not-met' },
  { region: '保定市', year: 2021, indicator: '固定资产投资', target: '固定资产投资增长10%左右', result: '固定资产投资增长6.9%', verdict: 'not-met' },
  { region: '保定市', year: 2021, indicator: '规模以上工业增加值', target: '规模以上工业增加值增长10%左右', result: '规模以上工业增加值增长11.4%', verdict: 'met' },
  { region: '保定市', year: 2021, indicator: '居民人均可支配收入', target: '居民人均可支配收入增长8.5%左右', result: '居民人均可支配收入增长10.1%', verdict: 'met' },
  // The country: a range, 以上 against more, 左右 against a clear miss, a price ceiling.
  { region: '全国', year: 2019, indicator: '地区生产总值', target: '国内生产总值增长6%－6.5%', result: '国内生产总值达到99.1万亿元，增长6.1%', verdict: 'met' },
  { region: '全国', year: 2019, indicator: '城镇新增就业', target: '城镇新增就业1100万人以上', result: '城镇新增就业1352万人', verdict: 'met' },
  { region: '全国', year: 2021, indicator: '地区生产总值', target: '国内生产总值增长6%以上', result: '国内生产总值达到114万亿元，增长8.1%', verdict: 'met' },
  { region: '全国', year: 2021, indicator: '城镇调查失业率', target: '城镇调查失业率5.5%左右', result: '城镇调查失业率平均为5.1%', verdict: 'met' },
  { region: '全国', year: 2022, indicator: '地区生产总值', target: '国内生产总值增长5.5%左右', result: '国内生产总值增长3%', verdict: 'not-met' },
  { region: '全国', year: 2022, indicator: '居民消费价格涨幅', target: '居民消费价格涨幅3%左右', result: '居民消费价格上涨2%', verdict: 'met' },
];

describe('targets against results, by hand from the texts', () => {
  it.each(EXPECTED)('$region $year $indicator', (e) => {
    const p = progress(e.region, e.year);
    expect(p.targetReport?.year).toBe(e.year);
    expect(p.resultReport?.year).toBe(e.year + 1);
    const r = row(p, e.indicator);
    expect(r.target?.span).toBe(e.target);
    expect(r.result?.span).toBe(e.result);
    expect(r.verdict).toBe(e.verdict);
    expect(r.open).toBe(e.open);
    if (r.verdict) expect(r.basis).toContain(r.result!.text);
  });

  it('quotes every figure verbatim from the report it names', () => {
    const reports = engine.internals.index.reports;
    for (const region of ['清苑区', '保定市', '全国']) {
      for (const p of engine.progress(region)) {
        for (const r of p.rows) {
          for (const side of [r.target, r.result]) {
            if (!side) continue;
            const report = reports.find((x) => x.meta.id === side.report)!;
            expect(report.text).toContain(side.span);
            expect(side.quote).toContain(side.span);
          }
          if (r.target) expect(r.target.report).toBe(p.targetReport!.id);
          if (r.result) expect(r.result.report).toBe(p.resultReport!.id);
        }
        for (const c of p.completion) expect(reports.find((x) => x.meta.id === c.report)!.text.slice(c.start, c.end).trim()).toBe(c.phrase);
      }
    }
  });

  it("finds the later report's own words on the year's targets", () => {
    const said = (region: string, year: number): string[] => progress(region, year).completion.filter((c) => c.overall).map((c) => c.phrase);
    expect(said('清苑区', 2022)).toEqual(['较好地完成了年初确定的任务目标。']);
    expect(said('全国', 2022)).toEqual(['在复杂多变的环境中基本完成全年发展主要目标任务']);
    expect(said('全国', 2021)).toEqual(['全年主要目标任务较好完成']);
    expect(said('保定市', 2021)).toContain('圆满完成了全年各项任务目标');
    // A report's plan for this year (努力完成全年目标任务) is not a statement about last year.
    expect(progress('全国', 2021).completion.map((c) => c.phrase).join()).not.toMatch(/努力/);
    // The completion sentence stands in the review of the year, in the later report.
    const c = progress('清苑区', 2022).completion[0]!;
    expect(c.title).toBe('保定市清苑区2023年政府工作报告');
    expect(c.section).toMatch(/^一、2022年政府工作回顾/);
  });

  it('with one of the two reports loaded, says which is missing and keeps what the other states', () => {
    // 2018: only the 2019 report, which states 2018's results.
    const before = progress('全国', 2018);
    expect(before.targetReport).toBeUndefined();
    expect(before.resultReport?.year).toBe(2019);
    expect(row(before, '地区生产总值')).toMatchObject({ open: 'no-target-report', result: { span: '国内生产总值增长6.6%' } });
    // 2023: its targets, and no 2024 report to state the results.
    const last = progress('全国', 2023);
    expect(last.resultReport).toBeUndefined();
    expect(row(last, '地区生产总值')).toMatchObject({ open: 'no-result-report', target: { span: '国内生产总值增长5%左右' } });
  });
});

describe('the verdict rules', () => {
  const base = { report: 'x', title: 'x', region: 'x', year: 2024, years: '2024', reportYear: 2024, kind: 'target', indicator: '地区生产总值', wording: '生产总值', unit: '%', growth: true, main: true, quote: '', paragraph: 0, section: '' } as const;
  const fig = (value: number, qualifier = '', extra: Partial<TargetView> = {}): TargetView => ({ ...base, value, qualifier, text: `${value}%${qualifier}`, span: `增长${value}%${qualifier}`, ...extra });

  it.each([
    ['增长6%左右 against 6.0%', fig(6, '左右'), fig(6), 'met'],
    ['增长6%左右 against 5.5% (the edge of the tolerance)', fig(6, '左右'), fig(5.5), 'met'],
    ['增长6%左右 against 5.4%', fig(6, '左右'), fig(5.4), 'not-met'],
    ['增长6%以上 against 5.9%', fig(6, '以上'), fig(5.9), 'not-met'],
    ['控制在5.5%以内 against 5.6%', fig(5.5, '以内', { indicator: '城镇调查失业率', growth: false }), fig(5.6, '', { indicator: '城镇调查失业率', growth: false }), 'not-met'],
    ['控制在5.5%以内 against 5.5%', fig(5.5, '以内', { indicator: '城镇调查失业率', growth: false }), fig(5.5, '', { indicator: '城镇调查失业率', growth: false }), 'met'],
    ['a range 6%—6.5% against 5.8%', fig(6, 'range', { high: 6.5 }), fig(5.8), 'not-met'],
  ])('%s', (_name, target, result, verdict) => {
    expect(verdictOf(target, result).verdict).toBe(verdict);
  });

  it('leaves it open where the qualifiers allow both (a result of 6%以上 against a target of 7%)', () => {
    const v = verdictOf(fig(7), fig(6, '以上'));
    expect(v.verdict).toBeUndefined();
    expect(v.open).toBe('undecidable');
  });
});

describe('GET /api/targets/progress', () => {
  it('answers in JSON for a region and a year', async () => {
    const { app } = buildApp(engine);
    const res = await app.request(`/api/targets/progress?region=${encodeURIComponent('清苑')}&year=2021`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { region: string; progress: Progress[] };
    expect(body.region).toBe('清苑区');
    expect(body.progress).toHaveLength(1);
    expect(body.progress[0]).toMatchObject({ year: 2021, targetReport: { year: 2021 }, resultReport: { year: 2022 } });
    expect(body.progress[0]!.rows.find((r) => r.indicator === '地区生产总值')).toMatchObject({ verdict: 'not-met' });
  });

  it("without a region, answers for the deployment's own (清苑区: the only region with a 2024 report)", async () => {
    const { app } = buildApp(engine);
    const body = (await (await app.request('/api/targets/progress?year=2023')).json()) as { region: string; progress: Progress[] };
    expect(engine.info.defaultRegion).toBe('清苑区');
    expect(body.region).toBe('清苑区');
    expect(body.progress[0]!.targetReport?.title).toBe('保定市清苑区2023年政府工作报告');
  });

  it('lists every year of the region without a year, newest first', async () => {
    const { app } = buildApp(engine);
    const body = (await (await app.request(`/api/targets/progress?region=${encodeURIComponent('全国')}`)).json()) as { progress: Progress[] };
    expect(body.progress.map((p) => p.year)).toEqual([2023, 2022, 2021, 2020, 2019, 2018]);
  });

  it('writes CSV with the verdict in words and every cell neutralised', async () => {
    const { app } = buildApp(engine);
    const res = await app.request(`/api/targets/progress?region=${encodeURIComponent('保定市')}&year=2021&format=csv`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/csv/);
    // Read as bytes: Response.text() drops a byte-order mark.
    const text = Buffer.from(await res.arrayBuffer()).toString('utf8');
    expect(text.startsWith('\ufeff')).toBe(true);
    const [header, ...rows] = parse(text.slice(1)) as string[][];
    expect(header!.slice(0, 3)).toEqual(['地区', '年份', '指标']);
    const gdp = rows.find((r) => r[2] === '地区生产总值')!;
    expect(gdp).toContain('生产总值增长8%以上');
    expect(gdp).toContain('未完成');
    expect(rows.find((r) => r[2] === '报告表述')).toContain('圆满完成了全年各项任务目标');
    for (const r of rows) for (const cell of r) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
  });

  it.each([
    ['an unknown region', '?region=火星', 'unknown_region'],
    ['a year that is not one', '?region=清苑&year=20x1', 'invalid_query'],
    ['markup for a region', `?region=${encodeURIComponent('<script>alert(1)</script>')}`, 'unknown_region'],
    ['a huge region with emoji and control characters', `?region=${encodeURIComponent(`清苑😀\u0000${'区'.repeat(5000)}`)}`, 'unknown_region'],
  ])('refuses %s with a clear message', async (_what, query, code) => {
    const { app } = buildApp(engine);
    const res = await app.request(`/api/targets/progress${query}`);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe(code);
    expect(body.error.message).toMatch(/\p{Script=Han}/u);
    expect(body.error.message.length).toBeLessThan(80);
  });
});
