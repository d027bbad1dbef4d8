import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Answer, type Engine } from '../../src/answer/index.ts';
import { DICT_DIR, ROOT } from '../helpers/engine.ts';
import { buildApp, postJson } from './support.ts';

/**
 * Every level is a place, through the HTTP API: the national report (全国, 国家, 中国, China), a
 * province, a prefecture-level city and a district loaded together; a city of the loaded province and
 * a county-level city beside the loaded district are other places, refused rather than answered with
 * a loaded report's figure.
 */
const work = mkdtempSync(join(tmpdir(), 'workplan-levels-'));
let engine: Engine;
const FILES = ['levels/2022_国务院_政府工作报告.txt', 'levels/2022_保定市_政府工作报告.txt', 'levels/2022_清苑区_政府工作报告.txt', 'provinces-2026/2026_河北省_政府工作报告.txt'];

beforeAll(async () => {
  mkdirSync(join(work, 'r'));
  for (const f of FILES) copyFileSync(join(ROOT, 'test/fixtures', f), join(work, 'r', f.split('/').pop()!));
  engine = await createEngine({ reportsDir: join(work, 'r'), dictDir: DICT_DIR, indexDir: join(work, 'i'), readOnly: true });
}, 60_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function ask(body: Record<string, unknown>): Promise<Answer> {
  const { app } = buildApp(engine);
  const res = await postJson(app, '/api/ask', body);
  expect(res.status).toBe(200);
  return (await res.json()) as Answer;
}

describe('every level is a place', () => {
  it('lists the national report as 全国, of the country level, under its own title', async () => {
    const { app } = buildApp(engine);
    const body = (await (await app.request('/api/reports')).json()) as { reports: Array<{ region: string; level?: string; title: string; year: number }> };
    expect(body.reports.find((r) => r.region === '全国')).toMatchObject({ level: 'country', title: '2022年国务院政府工作报告', year: 2022 });
    expect(body.reports.map((r) => r.region).sort()).toEqual(['保定市', '全国', '河北省', '清苑区'].sort());
  });

  it.each([
    ['全国今年GDP增长目标是多少', '5.5%左右'],
    ['国家今年城镇新增就业目标是多少', '1100万人以上'],
    ['中国今年的城镇调查失业率控制在多少', '5.5%以内'],
    ["What is China's GDP growth target this year?", '5.5%左右'],
  ])('%s → the national report', async (question, figure) => {
    const a = await ask({ question });
    expect(a.found).toBe(true);
    expect(a.answer).toContain(figure);
    expect(a.citations[0]!.doc).toBe('2022年国务院政府工作报告');
  });

  it('answers each level from its own report when it is named', async () => {
    const city = await ask({ question: '保定今年生产总值增长目标' });
    expect(city.citations[0]!.doc).toContain('保定市');
    const district = await ask({ question: '清苑今年地区生产总值增长目标' });
    expect(district.citations[0]!.doc).toContain('清苑区');
    const national = await ask({ question: '今年国内生产总值增长目标', region: '全国' });
    expect(national.citations[0]!.doc).toBe('2022年国务院政府工作报告');
  });

  it.each([
    ['石家庄今年GDP增长目标是多少', '石家庄'],
    ['安国今年生产总值增长目标', '安国'],
  ])('refuses %s as another place, with no figure', async (question, place) => {
    const a = await ask({ question });
    expect(a.found).toBe(false);
    expect(a.reason).toBe('other-place');
    expect(a.refusal?.rule).toMatch(/^(?:other-place|sub-place)$/);
    expect(a.answer).toContain(place);
    expect(a.answer).not.toMatch(/\d%/);
  });
});
