import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Answer, type Engine } from '../../src/answer/index.ts';
import { DICT_DIR, ROOT } from '../helpers/engine.ts';

/**
 * 去年的目标完成了吗 / 哪些指标没完成 / 2021年GDP目标完成了没有, asked through ask(): 清苑区 2021–2025
 * with the State Council's 2022 and 2023 reports (清苑区 is the deployment's own region: the only one
 * with a 2025 report), and a deployment of the 2022 清苑区 report alone. Figures expected are the
 * reports' words, read by hand from test/fixtures/levels/.
 */
const LEVELS = join(ROOT, 'test/fixtures/levels');
const work = mkdtempSync(join(tmpdir(), 'workplan-progress-ask-'));
let engine: Engine;
let alone: Engine;

beforeAll(async () => {
  mkdirSync(join(work, 'r'));
  mkdirSync(join(work, 'one'));
  const files = [...[2021, 2022, 2023, 2024, 2025].map((y) => `${y}_清苑区_政府工作报告.txt`), '2022_国务院_政府工作报告.txt', '2023_国务院_政府工作报告.txt'];
  for (const f of files) copyFileSync(join(LEVELS, f), join(work, 'r', f));
  copyFileSync(join(LEVELS, '2022_清苑区_政府工作报告.txt'), join(work, 'one', '2022_清苑区_政府工作报告.txt'));
  [engine, alone] = await Promise.all([
    createEngine({ reportsDir: join(work, 'r'), dictDir: DICT_DIR, indexDir: join(work, 'i'), readOnly: true }),
    createEngine({ reportsDir: join(work, 'one'), dictDir: DICT_DIR, indexDir: join(work, 'i1'), readOnly: true }),
  ]);
}, 120_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Every quoted span of the answer stands verbatim in a cited sentence, and every citation in its report. */
function expectCited(a: Answer, e: Engine): void {
  const spans = [...a.answer.matchAll(/「([^」]+)」/g)].map((m) => m[1]!);
  expect(spans.length).toBeGreaterThan(0);
  for (const span of spans) expect(a.citations.some((c) => c.quote.includes(span.replace(/。$/, ''))), span).toBe(true);
  for (const c of a.citations) {
    const report = e.internals.index.reports.find((r) => r.meta.id === c.docId)!;
    expect(report.text.slice(c.start, c.end)).toBe(c.quote);
    expect(report.meta.title).toBe(c.doc);
  }
}

/** The answer without the note that a result is the later report's estimate (checked on its own below). */
const plain = (a: Answer): string => a.answer.replaceAll('(报告写的是预计数)', '');

describe('did the targets come true', () => {
  it('去年的目标完成了吗: last year (2024) target by target, each figure from its report', async () => {
    const a = await engine.ask('去年的目标完成了吗');
    expect(a.found).toBe(true);
    expect(plain(a)).toContain('清苑区2024年');
    // 一般公共预算收入增长6%左右 (2024) against 同比增长1.45% (2025): not met.
    expect(plain(a)).toMatch(/一般公共预算收入:目标「一般公共预算收入增长6%左右」\(2024年报告\),实际「一般公共预算收入同比增长1\.45%」\(2025年报告\)——未完成/);
    // 生产总值增长6%左右 against 同比增长6%以上: met.
    expect(plain(a)).toMatch(/地区生产总值:目标「生产总值增长6%左右」\(2024年报告\),实际「全区地区生产总值同比增长6%以上」\(2025年报告\)——完成/);
    expect(plain(a)).toContain('0.5个百分点');
    expect(new Set(a.citations.map((c) => c.doc))).toEqual(new Set(['保定市清苑区2024年政府工作报告', '清苑区2025年政府工作报告']));
    expectCited(a, engine);
  });

  it('says when the later report gives last year\'s result as an estimate (预计…)', async () => {
    // The 2022 report reviews 2021 with 预计全区地区生产总值完成160.5亿元，同比增长7%；一般公共预算收入完成…
    const a = await engine.ask('清苑2021年的目标完成了吗');
    expect(a.answer).toMatch(/地区生产总值:目标「[^」]+」\(2021年报告\),实际\(报告写的是预计数\)「[^」]*增长7%」/);
    expect(a.answer).toMatch(/一般公共预算收入:[^\n]*实际\(报告写的是预计数\)/);
  });

  it('哪些指标没完成: only the targets missed', async () => {
    const a = await engine.ask('哪些指标没完成');
    expect(a.found).toBe(true);
    expect(plain(a)).toContain('一般公共预算收入同比增长1.45%');
    expect(a.answer).not.toContain('固定资产投资同比增长25%');
    expect(a.answer).not.toMatch(/——完成/);
    expectCited(a, engine);
  });

  it('2021年GDP目标完成了没有: the one indicator, the verdict and the figures it follows from', async () => {
    const a = await engine.ask('2021年GDP目标完成了没有');
    expect(a.found).toBe(true);
    expect(plain(a)).toContain('目标「全区地区生产总值增长9%」(2021年报告)');
    expect(plain(a)).toContain('实际「全区地区生产总值完成160.5亿元，同比增长7%」(2022年报告)');
    expect(plain(a)).toContain('未完成(实际7%,低于目标9%)');
    expect(a.answer).not.toContain('一般公共预算收入');
    expectCited(a, engine);
  });

  it("says when the figures cannot be compared, and quotes the report's own words", async () => {
    const a = await engine.ask('2022年的目标完成了吗');
    expect(plain(a)).toContain('目标「地区生产总值增长8%以上」(2022年报告),实际「地区生产总值完成166.2亿元」(2023年报告)——口径不同,不作判断');
    expect(plain(a)).toContain('「较好地完成了年初确定的任务目标。」');
    expect(a.answer).not.toMatch(/——完成|——未完成/);
    expect(a.citations.some((c) => c.quote.includes('较好地完成了年初确定的任务目标'))).toBe(true);
    expectCited(a, engine);
  });

  it('answers for a region the question names', async () => {
    const a = await engine.ask('全国2022年GDP目标完成了没有');
    expect(plain(a)).toContain('目标「国内生产总值增长5.5%左右」(2022年报告),实际「国内生产总值增长3%」(2023年报告)——未完成');
    expect(plain(a)).toContain('基本完成全年发展主要目标任务');
    expect(a.citations.every((c) => c.doc.includes('国务院'))).toBe(true);
  });

  it('with this year asked, says the report that will state the results is not loaded', async () => {
    const a = await engine.ask('今年的目标完成了吗');
    expect(plain(a)).toContain('要看清苑区2026年的政府工作报告,这份报告没有加载');
    expect(plain(a)).toContain('经济增长6%左右');
  });

  it('with only the later report loaded, gives the result and says the targets report is not loaded', async () => {
    const a = await alone.ask('2021年GDP目标完成了没有');
    expect(a.found).toBe(true);
    expect(plain(a)).toContain('2021年的目标写在清苑区2021年的政府工作报告里,这份报告没有加载');
    expect(plain(a)).toContain('全区地区生产总值完成160.5亿元，同比增长7%');
    expect(a.answer).not.toMatch(/未完成|——完成/);
    expectCited(a, alone);
  });

  it('leaves other questions about targets to the rest of the pipeline', async () => {
    const a = await engine.ask('今年GDP增长目标是多少');
    expect(a.found).toBe(true);
    expect(plain(a)).toContain('6%左右');
    expect(a.answer).not.toContain('完成情况');
  });

  it.each(['十四五规划的指标都完成了吗', '你觉得今年的目标能完成吗', '去年空气质量指标达没达到国家二级标准'])('is not the answer to %s', async (question) => {
    const a = await engine.ask(question);
    expect(a.answer).not.toMatch(/目标完成情况|未完成的目标|这份报告没有加载/);
  });
});

describe('trends over consecutive reports', () => {
  it('近几年GDP增速: each year oldest first, its target and result quoted from their reports', async () => {
    const a = await engine.ask('近几年GDP增速');
    expect(a.found).toBe(true);
    const lines = plain(a).split('\n').slice(1);
    expect(lines.map((l) => l.slice(0, 5))).toEqual(['2021年', '2022年', '2023年', '2024年', '2025年']);
    expect(lines[0]).toBe('2021年:目标「全区地区生产总值增长9%」(2021年报告),实际「全区地区生产总值完成160.5亿元，同比增长7%」(2022年报告)——未完成(实际7%,低于目标9%)');
    expect(lines[3]).toContain('目标「生产总值增长6%左右」(2024年报告),实际「全区地区生产总值同比增长6%以上」(2025年报告)——完成');
    expect(lines[4]).toContain('下一年报告未加载');
    expectCited(a, engine);
  });

  it('needs three consecutive reports: two of the country are not a trend', async () => {
    const a = await engine.ask('全国近几年GDP增速');
    expect(a.answer).not.toContain('历年');
  });
});

describe('through npm run ask -- --json', () => {
  it('answers with every figure cited verbatim', async () => {
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli.ts'), 'ask', '--json', '2021年GDP目标完成了没有'], {
        cwd: ROOT,
        env: { ...process.env, REPORTS_DIR: join(work, 'one'), DICT_DIR, INDEX_DIR: join(work, 'index-cli'), LOG_LEVEL: 'warn' },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let text = '';
      child.stdout.on('data', (d) => (text += d));
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve(text) : reject(new Error(`exit ${code}`))));
    });
    const a = JSON.parse(out) as Answer;
    expect(plain(a)).toContain('这份报告没有加载');
    expect(a.citations[0]!.doc).toBe('保定市清苑区2022年政府工作报告');
    expect(a.citations[0]!.quote).toContain('全区地区生产总值完成160.5亿元，同比增长7%');
  }, 60_000);
});
