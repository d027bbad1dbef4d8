import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/answer/index.ts';
import type { TargetView } from '../../src/targets/table.ts';
import { DICT_DIR, ROOT } from '../helpers/engine.ts';
import { buildApp } from './support.ts';

/** GET /api/targets in JSON and CSV, over three provinces; expectations come from engine.targets(). */
const work = mkdtempSync(join(tmpdir(), 'workplan-api-targets-'));
let engine: Engine;
let app: ReturnType<typeof buildApp>['app'];

beforeAll(async () => {
  const dir = join(work, 'reports');
  mkdirSync(dir);
  for (const p of ['山东省', '江苏省', '吉林省']) copyFileSync(join(ROOT, 'test/fixtures/provinces-2026', `2026_${p}_政府工作报告.txt`), join(dir, `${p}.txt`));
  engine = await createEngine({ reportsDir: dir, dictDir: DICT_DIR, indexDir: join(work, 'index'), readOnly: true });
  app = buildApp(engine).app;
}, 60_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

const get = async (path: string, headers: Record<string, string> = {}) => app.request(path, { headers });

describe('GET /api/targets', () => {
  it('lists every row with its report, region, kind, verbatim value and quote', async () => {
    const res = await get('/api/targets');
    expect(res.status).toBe(200);
    const { targets } = (await res.json()) as { targets: TargetView[] };
    expect(targets).toEqual(JSON.parse(JSON.stringify(engine.targets())));
    expect(targets.length).toBeGreaterThan(30);
    for (const t of targets) {
      expect(Object.keys(t)).toEqual(expect.arrayContaining(['report', 'region', 'year', 'kind', 'indicator', 'value', 'unit', 'qualifier', 'text', 'quote']));
      expect(t.quote).toContain(t.text);
    }
  });

  it('filters by region in any usual form, indicator, year, kind and main', async () => {
    const res = await get(`/api/targets?region=${encodeURIComponent('山东,江苏省')}&indicator=GDP&kind=target&year=2026&main=1`);
    expect(res.status, await res.clone().text()).toBe(200);
    const { targets } = (await res.json()) as { targets: TargetView[] };
    const expected = engine.targets().filter((r) => ['山东省', '江苏省'].includes(r.region) && r.indicator === '地区生产总值' && r.kind === 'target' && r.main);
    expect(targets.map((t) => t.quote)).toEqual(expected.map((t) => t.quote));
    expect(new Set(targets.map((t) => t.region))).toEqual(new Set(['山东省', '江苏省']));
  });

  it('answers CSV with a BOM for Excel, by ?format=csv or Accept: text/csv, with the same rows', async () => {
    const json = ((await (await get(`/api/targets?region=${encodeURIComponent('吉林')}&kind=result`)).json()) as { targets: TargetView[] }).targets;
    for (const res of [await get(`/api/targets?region=${encodeURIComponent('吉林')}&kind=result&format=csv`), await get(`/api/targets?region=${encodeURIComponent('吉林')}&kind=result`, { Accept: 'text/csv' })]) {
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      expect(res.headers.get('content-disposition')).toMatch(/attachment/);
      const bytes = Buffer.from(await res.arrayBuffer());
      expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const rows = parse(bytes.subarray(3).toString('utf8')) as string[][];
      expect(rows[0]).toEqual(['报告', '地区', '年份', '时段', '报告年份', '类别', '指标', '报告用语', '数值', '上限', '单位', '限定', '原文数值', '原句']);
      expect(rows.slice(1).map((r) => r[12])).toEqual(json.map((t) => t.text));
      expect(rows.slice(1).every((r) => r[5] === '去年完成')).toBe(true);
      // 吉林's 2026 report states 2025's results: the figure's year and the report's year, both.
      expect(rows.slice(1).every((r) => r[2] === '2025' && r[3] === '2025' && r[4] === '2026')).toBe(true);
    }
  });

  it('says which year each figure is about, and filters by it: a 2026 report’s results are 2025’s', async () => {
    const rows = engine.targets().filter((t) => t.reportYear === 2026);
    const by = (kind: TargetView['kind']) => rows.filter((t) => t.kind === kind);
    expect(by('target').length && by('result').length && by('five-year-target').length && by('five-year-result').length).toBeGreaterThan(0);
    expect(by('target').every((t) => t.year === 2026 && t.years === '2026')).toBe(true);
    expect(by('result').every((t) => t.year === 2025 && t.years === '2025')).toBe(true);
    expect(by('five-year-target').every((t) => t.year === 2030 && t.years === '2026–2030')).toBe(true);
    expect(by('five-year-result').every((t) => t.year === 2025 && t.years === '2021–2025')).toBe(true);

    const { targets } = (await (await get(`/api/targets?region=${encodeURIComponent('吉林')}&year=2025`)).json()) as { targets: TargetView[] };
    expect(targets.length).toBeGreaterThan(0);
    expect(new Set(targets.map((t) => t.kind))).toEqual(new Set(['result', 'five-year-result']));
    expect(targets.every((t) => t.year === 2025 && t.reportYear === 2026)).toBe(true);
    // Before, ?year=2025 found none of 2025's results: they carried the report's year.
    expect(((await (await get(`/api/targets?region=${encodeURIComponent('吉林')}&year=2026&kind=result`)).json()) as { targets: TargetView[] }).targets).toEqual([]);
  });

  it('refuses an unknown region, report, kind or year with a clear 400', async () => {
    for (const [q, code] of [['region=浙江', 'unknown_region'], ['report=nope', 'unknown_report'], ['kind=wish', 'invalid_query'], ['year=26', 'invalid_query']] as const) {
      const res = await get(`/api/targets?${q.replace(/=(.*)$/, (_, v: string) => `=${encodeURIComponent(v)}`)}`);
      expect(res.status).toBe(400);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe(code);
      expect(body.error.message).toMatch(/\p{Script=Han}/u);
    }
  });
});
