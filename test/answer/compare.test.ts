import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Answer, type Engine } from '../../src/answer/index.ts';
import { rankValue, type TargetView } from '../../src/targets/table.ts';
import { DICT_DIR, REPORTS_DIR, ROOT } from '../helpers/engine.ts';

/**
 * Questions over the targets table, asked through `npm run ask -- --json` on a deployment of four
 * provinces and two years of one district. Expected rows come from the engine's own table, never
 * from figures written into the test.
 */
const FIXTURES = join(ROOT, 'test/fixtures/provinces-2026');
const work = mkdtempSync(join(tmpdir(), 'workplan-compare-'));
const reports = join(work, 'reports');
let engine: Engine;

beforeAll(async () => {
  mkdirSync(reports, { recursive: true });
  for (const p of ['山东省', '江苏省', '吉林省', '广东省']) copyFileSync(join(FIXTURES, `2026_${p}_政府工作报告.txt`), join(reports, `2026_${p}_政府工作报告.txt`));
  copyFileSync(join(REPORTS_DIR, 'qingdao-shibei-2025-work-report.txt'), join(reports, 'shibei-2025.txt'));
  copyFileSync(join(REPORTS_DIR, 'qingdao-shibei-2025-work-report.json'), join(reports, 'shibei-2025.json'));
  // Last year's plan of the same district, for "this year against last year": the same text with
  // another figure for the nursery places, filed as the 2024 report.
  const text = readFileSync(join(REPORTS_DIR, 'qingdao-shibei-2025-work-report.txt'), 'utf8');
  expect(text).toContain('增加普惠托位300个');
  writeFileSync(join(reports, 'shibei-2024.txt'), text.replace('增加普惠托位300个', '增加普惠托位220个'));
  const meta = JSON.parse(readFileSync(join(REPORTS_DIR, 'qingdao-shibei-2025-work-report.json'), 'utf8'));
  writeFileSync(join(reports, 'shibei-2024.json'), JSON.stringify({ ...meta, id: 'shibei-2024', year: 2024, title: '市北区2024年政府工作报告' }));
  engine = await createEngine({ reportsDir: reports, dictDir: DICT_DIR, indexDir: join(work, 'index-test') });
}, 120_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

function ask(questions: string[]): Promise<Answer[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli.ts'), 'ask', '--json'], {
      cwd: ROOT,
      env: { ...process.env, REPORTS_DIR: reports, DICT_DIR, INDEX_DIR: join(work, 'index-cli'), LOG_LEVEL: 'warn' },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out.trim().split('\n').map((l) => JSON.parse(l) as Answer)) : reject(new Error(`exit ${code}`))));
    child.stdin.end(`${questions.join('\n')}\n`);
  });
}

/** The GDP growth target row of each province, as the engine's table has it. */
function gdpTargets(): TargetView[] {
  return engine
    .targets()
    .filter((r) => r.indicator === '地区生产总值' && r.kind === 'target' && r.main && r.growth && r.region.endsWith('省'));
}

describe('comparisons across reports', () => {
  let answers: Answer[];
  beforeAll(async () => {
    answers = await ask(['各省今年GDP增长目标是多少', '哪个省今年GDP增长目标最高', '哪个省今年地区生产总值增长目标最低', '市北今年普惠托位比去年多多少', '各地今年城镇调查失业率目标']);
  }, 120_000);

  it('各省…: one line per region, each row cited with its own sentence', () => {
    const [all] = answers;
    const rows = gdpTargets();
    expect(rows.length).toBe(4);
    expect(all!.found).toBe(true);
    for (const r of rows) {
      expect(all!.answer).toContain(`${r.region}:${r.span}`);
      const c = all!.citations.find((x) => x.docId === r.report);
      expect(c?.quote).toBe(r.quote);
      expect(c?.quote).toContain(r.text);
    }
    // Highest first.
    const order = rows.slice().sort((a, b) => rankValue(b) - rankValue(a)).map((r) => all!.answer.indexOf(`${r.region}:`));
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it('哪个省…最高 / 最低: the extreme by value, ties named together', () => {
    const rows = gdpTargets();
    const top = Math.max(...rows.map(rankValue));
    const low = Math.min(...rows.map(rankValue));
    const [, highest, lowest] = answers;
    const first = (a: Answer) => a.answer.split('\n')[0]!;
    for (const r of rows.filter((x) => rankValue(x) === top)) expect(first(highest!)).toContain(r.region);
    for (const r of rows.filter((x) => rankValue(x) !== top)) expect(first(highest!)).not.toContain(r.region);
    for (const r of rows.filter((x) => rankValue(x) === low)) expect(first(lowest!)).toContain(r.region);
    expect(first(highest!)).toContain('最高');
    expect(first(lowest!)).toContain('最低');
  });

  it('比去年多多少: both years’ figures, each cited, and the difference labelled as computed', () => {
    const [, , , diff] = answers;
    const rows = engine.targets().filter((r) => r.region === '市北区' && r.indicator === '托位' && r.kind === 'target' && /普惠托位/.test(r.span));
    const now = rows.find((r) => r.year === 2025)!;
    const before = rows.find((r) => r.year === 2024)!;
    expect(diff!.found).toBe(true);
    expect(diff!.answer).toContain(now.span);
    expect(diff!.answer).toContain(before.span);
    expect(diff!.answer).toContain(`按两份报告的数字计算,多${now.value - before.value}个`);
    expect(diff!.citations.map((c) => c.doc).sort()).toEqual(['市北区2024年政府工作报告', '市北区2025年政府工作报告']);
  });

  it('a region without the figure says so instead of borrowing one', () => {
    const [, , , , jobs] = answers;
    const stated = new Set(engine.targets().filter((r) => r.indicator === '城镇调查失业率' && r.kind === 'target').map((r) => r.region));
    const regions = [...new Set(engine.info.documents.map((d) => d.region))];
    const silent = regions.filter((r) => !stated.has(r));
    expect(silent.length).toBeGreaterThan(0);
    expect(jobs!.answer).toMatch(new RegExp(`${silent.join('、')}的报告没有这一指标的量化目标`));
  });

  it('a question about one place is answered from its passage as before', async () => {
    const [one] = await ask(['山东今年GDP增长目标是多少']);
    expect(one!.found).toBe(true);
    expect(one!.answer.split('\n')).toHaveLength(1);
    expect(one!.citations[0]!.doc).toBe('2026年山东省政府工作报告');
  }, 60_000);
});
