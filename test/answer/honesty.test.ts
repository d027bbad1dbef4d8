import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine, messages, type Engine } from '../../src/answer/index.ts';
import { absenceClaimsOf } from '../../src/eval/metrics.ts';
import { normalizeText } from '../../src/corpus/normalize.ts';
import { DICT_DIR, ROOT, testEngine } from '../helpers/engine.ts';

/**
 * Honest answers in the users' own words, one test per class, each on a report where the class occurs:
 * questions wrapped in who asks and why, everyday words, typos, traditional script and English are
 * answered; a refusal never says a report lacks a term it writes; opinions, a company the report does
 * not name, items it only counts and an amount it gives only as growth are refused as such; a place
 * next to the loaded one is another place. Questions are worded afresh, not taken from the eval sets.
 */
const work = mkdtempSync(join(tmpdir(), 'workplan-honesty-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const engines = new Map<string, Promise<Engine>>();
const SOURCES: Record<string, string> = {};

function deployment(...files: string[]): Promise<Engine> {
  const key = files.join('+');
  let e = engines.get(key);
  if (!e) {
    const dir = join(work, `d${engines.size}`);
    mkdirSync(join(dir, 'r'), { recursive: true });
    for (const f of files) {
      const from = join(ROOT, 'test/fixtures', f);
      copyFileSync(from, join(dir, 'r', f.split('/').pop()!));
      SOURCES[key] = (SOURCES[key] ?? '') + readFileSync(from, 'utf8');
    }
    e = createEngine({ reportsDir: join(dir, 'r'), dictDir: DICT_DIR, indexDir: join(dir, 'i'), readOnly: true });
    engines.set(key, e);
  }
  return e;
}
const province = (name: string) => deployment(`provinces-2026/2026_${name}_政府工作报告.txt`);
const level = (file: string) => deployment(`levels/${file}.txt`);

/** The refusal claims no term absent that the reports of the deployment write. */
function noFalseAbsence(answer: { found: boolean; answer: string }, text: string): void {
  const norm = normalizeText(text).toLowerCase();
  for (const term of absenceClaimsOf(answer as never)) expect(norm.includes(normalizeText(term).toLowerCase()), `claims “${term}” absent`).toBe(false);
}

describe('the question as people type it', () => {
  it('answers through who asks and why, and what the answer should look like', async () => {
    const a = await (await province('广东省')).ask('帮科长查一句，广东今年城镇新增就业定了多少，原文怎么说的');
    expect(a.found).toBe(true);
    expect(a.answer).toContain('110万人以上');
  });

  it('reads everyday words for the report’s terms (旧楼加电梯 → 既有住宅加装电梯)', async () => {
    const a = await (await testEngine()).ask('老楼装电梯今年弄几部');
    expect(a.found).toBe(true);
    expect(a.answer).toContain('120部');
  });

  it('reads traditional script and sound-alike typos', async () => {
    const e = await testEngine();
    for (const q of ['今年普惠託位增加幾個', '今年普惠托为增加几个']) {
      const a = await e.ask(q);
      expect(a.found, q).toBe(true);
      expect(a.answer, q).toContain('300个');
    }
  });

  it('reads English with the place in English', async () => {
    const a = await (await province('广东省')).ask('How many new urban jobs does Guangdong plan to add this year?');
    expect(a.found).toBe(true);
    expect(a.answer).toContain('110万人以上');
  });
});

describe('refusals that are true', () => {
  it('never says a report lacks a term it writes', async () => {
    const e = await province('山东省');
    for (const q of ['山东今年高标准农田建多少亩', '高标准农田今年投资多少亿元', '今年高标准农田有什么新提法']) {
      const a = await e.ask(q);
      noFalseAbsence(a, SOURCES[[...engines.keys()].find((k) => k.includes('山东'))!]!);
    }
  });

  it('refuses an opinion as such and shows what the report says instead', async () => {
    const a = await (await province('湖北省')).ask('你觉得湖北今年就业形势好不好');
    expect(a.found).toBe(false);
    expect(a.refusal?.rule).toBe('opinion');
    expect(a.answer).toBe(messages.opinion);
    expect(a.citations.length).toBeGreaterThan(0);
  });

  it('says what the report gives when an amount is asked and only growth is given', async () => {
    const a = await (await province('福建省')).ask('福建去年城镇居民人均可支配收入是多少元');
    expect(a.found).toBe(false);
    expect(a.refusal?.rule).toBe('no-total');
    expect(a.answer).toContain('增长4.5%');
    expect(a.answer).not.toMatch(/价格|收费/);
  });

  it('does not answer which company with a sentence that names none', async () => {
    const a = await (await level('2022_博野县_政府工作报告')).ask('机器人项目是和哪家公司签的');
    expect(a.found).toBe(false);
    expect(a.refusal?.rule).toBe('no-entity');
  });

  it('does not list items the report only counts', async () => {
    const a = await (await province('安徽省')).ask('那30项民生实事分别是哪些');
    expect(a.found).toBe(false);
    expect(a.refusal?.rule).toBe('no-items');
  });

  it('refuses a neighbouring county-level city instead of answering with the loaded district’s figure', async () => {
    const a = await (await level('2022_清苑区_政府工作报告')).ask('安国今年地区生产总值增长目标是多少');
    expect(a.found).toBe(false);
    expect(a.reason).toBe('other-place');
    expect(a.answer).not.toMatch(/\d%/);
  });

  it('refuses a county named before the time asked, however far it lies from the loaded district', async () => {
    const a = await (await testEngine()).ask('安国今年地区生产总值增长目标是多少');
    expect(a.found).toBe(false);
    expect(a.refusal?.rule).toBe('other-place');
    expect(a.answer).toContain('安国');
  });
});

describe('answers from the closest passage', () => {
  it('says so plainly, and quotes verbatim', async () => {
    const e = await level('2021_国务院_政府工作报告');
    const a = await e.ask('居民医保每人的财政补助今年再加多少钱');
    expect(a.found).toBe(true);
    expect(a.answer).toContain('30元');
    if (a.closest) expect(a.answer.startsWith(messages.closest)).toBe(true);
    const text = SOURCES[[...engines.keys()].find((k) => k.includes('2021_国务院'))!]!;
    for (const c of a.citations) expect(text.includes(c.quote)).toBe(true);
  });
});
