import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/answer/index.ts';
import { DICT_DIR, REPORTS_DIR } from '../helpers/engine.ts';

/**
 * Scope: which reports and which of their parts a question is about. Two deployments of unseen-style
 * reports: one province alone (an office's own bot), and several provinces with a district (a public
 * channel). Assertions are about behaviour (the part and report an answer comes from, the reason of a
 * refusal), read from the Answer JSON.
 */
const FIXTURES = join(import.meta.dirname, '../fixtures/provinces-2026');
const work = mkdtempSync(join(tmpdir(), 'workplan-scope-'));
let one: Engine;
let many: Engine;

function deployment(name: string, files: string[]): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  for (const f of files) copyFileSync(f, join(dir, f.split('/').pop()!));
  return dir;
}

beforeAll(async () => {
  const province = (p: string) => join(FIXTURES, `2026_${p}_政府工作报告.txt`);
  one = await createEngine({ reportsDir: deployment('one', [province('山东省')]), dictDir: DICT_DIR, indexDir: join(work, 'i1'), readOnly: true });
  many = await createEngine({
    reportsDir: deployment('many', [
      province('山东省'),
      province('江苏省'),
      province('广东省'),
      province('河南省'),
      join(REPORTS_DIR, 'qingdao-shibei-2025-work-report.txt'),
      join(REPORTS_DIR, 'qingdao-shibei-2025-work-report.json'),
    ]),
    dictDir: DICT_DIR,
    indexDir: join(work, 'i2'),
    readOnly: true,
  });
}, 120_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the default region', () => {
  it('is this year’s report’s region when the other reports are older (a province’s new report beside a district’s old one)', async () => {
    const dir = join(work, 'pair');
    mkdirSync(dir, { recursive: true });
    copyFileSync(join(FIXTURES, '2026_江苏省_政府工作报告.txt'), join(dir, 'js.txt'));
    for (const f of ['qingdao-shibei-2025-work-report.txt', 'qingdao-shibei-2025-work-report.json']) copyFileSync(join(REPORTS_DIR, f), join(dir, f));
    const pair = await createEngine({ reportsDir: dir, dictDir: DICT_DIR, indexDir: join(work, 'i4'), readOnly: true });
    expect(pair.info.defaultRegion).toBe('江苏省');
    const a = await pair.ask('今年GDP增长目标是多少');
    expect(a.citations[0]?.docId).toBe('jiangsu-2026');
    // The other region is still there by name.
    expect((await pair.ask('市北今年新增多少托位')).citations[0]?.docId).toBe('shibei-2025');
  }, 60_000);
});

describe('two years of one region', () => {
  // A district with last year's report and this year's: a short synthetic 2026 report beside the real 2025 one.
  const next = [
    '2026年市北区政府工作报告',
    '——2026年1月10日在青岛市市北区第十八届人民代表大会第五次会议上',
    '各位代表：',
    '一、2025年工作回顾',
    '2025年，全区地区生产总值增长6.1%，一般公共预算收入增长5.2%，新增就业4.2万人。',
    '二、2026年工作安排',
    '今年经济社会发展主要预期目标是：地区生产总值增长5.5%左右，一般公共预算收入增长4%左右。',
  ].join('\n');
  let two: Engine;
  beforeAll(async () => {
    const dir = join(work, 'two');
    mkdirSync(dir, { recursive: true });
    for (const f of ['qingdao-shibei-2025-work-report.txt', 'qingdao-shibei-2025-work-report.json']) copyFileSync(join(REPORTS_DIR, f), join(dir, f));
    writeFileSync(join(dir, 'shibei-2026.txt'), next);
    two = await createEngine({ reportsDir: dir, dictDir: DICT_DIR, indexDir: join(work, 'i3'), readOnly: true });
  }, 60_000);

  it('answers 今年 from the newest report', async () => {
    const a = await two.ask('今年GDP增长目标是多少');
    expect(a.answer).toContain('5.5%左右');
    expect(a.citations[0]?.docId).not.toBe('shibei-2025');
  });

  it('answers 去年 with last year’s target and this year’s review of the result, each cited', async () => {
    const a = await two.ask('去年GDP增长了多少');
    expect(a.found).toBe(true);
    expect(a.answer).toContain('5.5%以上');
    expect(a.answer).toContain('6.1%');
    expect(new Set(a.citations.slice(0, 2).map((c) => c.docId)).size).toBe(2);
  });
});

const periodOf = (a: { citations: Array<{ section: string }> }) => a.citations[0]?.section ?? '';

describe('time: which part of the report', () => {
  it('answers 今年 from this year’s plan and 去年 from last year’s results, with different figures', async () => {
    const now = await one.ask('今年GDP增长目标是多少');
    const last = await one.ask('去年GDP增长了多少');
    expect(now.found && last.found).toBe(true);
    expect(now.answer).toMatch(/5%以上/);
    expect(periodOf(now)).toMatch(/^三、2026年/);
    expect(last.answer).toMatch(/5\.5%/);
    expect(periodOf(last)).toMatch(/^一、2025年/);
  });

  it('answers 十四五 from the five-year review and 十五五 from the five-year targets', async () => {
    const review = await one.ask('十四五期间高铁里程增加到多少公里');
    expect(review.found).toBe(true);
    expect(review.answer).toContain('3055公里');
    const plan = await one.ask('十五五时期的主要目标是什么');
    expect(plan.found).toBe(true);
    expect(periodOf(plan)).toMatch(/十五五/);
  });

  it('treats a named year by what the report covers: 2025年 is last year, 十三五 and 2019年 are not covered', async () => {
    expect((await one.ask('2025年全省地区生产总值增长多少')).answer).toMatch(/5\.5%/);
    for (const q of ['十三五期间GDP年均增长多少', '2019年全省GDP是多少']) {
      const a = await one.ask(q);
      expect(a.found, q).toBe(false);
      expect(a.reason, q).toBe('other-year');
      expect(a.answer, q).toMatch(/山东省/);
    }
  });

  it('never gives a figure of another period for the one asked', async () => {
    // The report sets no 2026 target for 高铁里程 as a total; the five-year total must not stand in.
    const a = await one.ask('今年高铁里程要达到多少公里');
    if (a.found) expect(a.answer).not.toContain('3055公里');
  });

  it('says which part an answer comes from when the question names no time and it is not this year’s plan', async () => {
    const a = await one.ask('人均预期寿命增至多少岁');
    expect(a.found).toBe(true);
    expect(a.answer).toMatch(/^〔.+〕/);
  });
});

describe('place: which report', () => {
  it('routes a named province to its own report, in any usual form', async () => {
    for (const [q, doc] of [
      ['江苏今年GDP增长目标是多少', '江苏'],
      ['山东省今年城镇新增就业目标', '山东'],
      ['粤今年GDP增长目标', '广东'],
      ['What is the GDP growth target of Henan this year?', '河南'],
    ] as const) {
      const a = await many.ask(q);
      expect(a.found, q).toBe(true);
      expect(a.citations[0]?.doc, q).toContain(doc);
    }
  });

  it('refuses a province that is not loaded, naming what is loaded, never another region’s figure', async () => {
    const a = await many.ask('浙江今年GDP增长目标是多少');
    expect(a.found).toBe(false);
    expect(a.reason).toBe('other-place');
    expect(a.answer).toContain('浙江省');
    expect(a.answer).toMatch(/已加载/);
  });

  it('says so when a city of a loaded province is asked and the province report does not single it out', async () => {
    const a = await many.ask('济南今年GDP增长目标是多少');
    expect(a.found).toBe(false);
    expect(a.reason).toBe('other-place');
    expect(a.answer).toContain('济南市');
    expect(a.answer).toContain('山东省');
  });

  it('answers for each region when two loaded regions are named', async () => {
    const a = await many.ask('江苏和广东今年GDP增长目标分别是多少');
    expect(a.found).toBe(true);
    expect(a.answer).toMatch(/江苏:/);
    expect(a.answer).toMatch(/广东:/);
    expect(new Set(a.citations.map((c) => c.docId)).size).toBe(2);
  });

  it('keeps a district report and its province apart', async () => {
    const district = await many.ask('市北今年新增多少托位');
    expect(district.found).toBe(true);
    expect(district.citations[0]?.docId).toBe('shibei-2025');
  });

  it('narrows to a report or region chosen by the caller', async () => {
    const a = await many.ask('今年GDP增长目标是多少', { report: 'jiangsu-2026' });
    expect(a.citations.every((c) => c.docId === 'jiangsu-2026')).toBe(true);
    const b = await many.ask('今年GDP增长目标是多少', { region: '广东省' });
    expect(b.citations.every((c) => c.docId === 'guangdong-2026')).toBe(true);
  });

  it('asks which region when several are loaded, none is named and none is the default', async () => {
    const a = await many.ask('今年GDP增长目标是多少');
    expect(a.found).toBe(false);
    expect(a.reason).toBe('which-place');
    expect(a.answer).toMatch(/请在问题里说明是哪个地区/);
    // A question whose subject only one region has is answered, and says which region.
    const b = await many.ask('神农架要创建什么');
    if (b.found) expect(b.answer).toMatch(/^〔.+〕/);
  });

  it('takes a name inside a longer name as locating, not as another place (上海港 is not a question about 上海 only when 上海 is loaded)', async () => {
    const a = await many.ask('青岛港去年集装箱吞吐量多少');
    expect(a.reason).not.toBe('other-place');
  });

  it('finds a report by id or by region in any usual form', () => {
    expect(many.findReport('jiangsu-2026')?.region).toBe('江苏省');
    expect(many.findReport('江苏')?.id).toBe('jiangsu-2026');
    expect(many.findReport('市北')?.id).toBe('shibei-2025');
    expect(many.findReport('浙江')).toBeUndefined();
  });

  it('describes the whole deployment, with examples that name their place', () => {
    expect(many.info.title).toMatch(/5个地区的5份政府工作报告/);
    expect(many.info.documents.map((d) => d.id).sort()).toEqual(['guangdong-2026', 'henan-2026', 'jiangsu-2026', 'shandong-2026', 'shibei-2025']);
    expect(many.examples.length).toBeGreaterThan(0);
    expect(many.examples.every((e) => /山东|江苏|广东|河南|市北/.test(e))).toBe(true);
    expect(one.examples.some((e) => /今年/.test(e))).toBe(true);
  });
});

describe('greetings', () => {
  it('name the report a chat has chosen and offer questions about it, not the first report loaded', async () => {
    const a = await many.ask('你好', { report: 'jiangsu-2026' });
    expect(a.reason).toBe('chitchat');
    expect(a.answer).toContain(many.info.documents.find((d) => d.id === 'jiangsu-2026')!.title);
    expect(a.answer).not.toContain('山东');
    expect(a.answer).not.toContain('托位');
    const examples = many.examplesFor('jiangsu-2026').slice(0, 2);
    expect(examples.length).toBe(2);
    for (const e of examples) expect(a.answer).toContain(e.replace(/[??]$/, ''));
  });

  it('describe the whole deployment when no report is chosen and several regions are loaded', async () => {
    const a = await many.ask('你好');
    expect(a.reason).toBe('chitchat');
    expect(a.answer).toContain(many.info.title);
    expect(a.answer).not.toContain('《');
    expect(a.answer).toContain(many.examples[0]!.replace(/[??]$/, ''));
  });

  it('answer a bare greeting as one, even when a report quotes the words (“你好！家乡”)', async () => {
    const dir = join(work, 'hello');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'x.txt'),
      ['2026年某某县政府工作报告', '一、2026年工作安排', '开展“你好！家乡”品牌推介，接待游客增长8%。全县新建农村公路120公里。'].join('\n'),
    );
    const hello = await createEngine({ reportsDir: dir, dictDir: DICT_DIR, indexDir: join(work, 'i5'), readOnly: true });
    for (const text of ['你好', '你好！', '您好，谢谢']) expect((await hello.ask(text)).reason, text).toBe('chitchat');
    // Asked about, the slogan is found, in one sentence.
    const a = await hello.ask('你好家乡品牌推介');
    expect(a.found).toBe(true);
    expect(a.citations[0]?.quote).toContain('开展“你好！家乡”品牌推介');
  }, 60_000);

  it('name the one report of a one-report deployment', async () => {
    const a = await one.ask('您好');
    expect(a.answer).toContain(`《${one.info.documents[0]!.title}》`);
  });
});
