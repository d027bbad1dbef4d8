import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/answer/index.ts';
import { loadCues, unwrap } from '../../src/answer/cues.ts';
import { questionParts } from '../../src/answer/parts.ts';
import { DICT_DIR, fixtureEngines } from '../helpers/engine.ts';

/**
 * Two questions in one message, and the words around a question that only say who asks or what the
 * answer should look like. Questions are worded afresh, not taken from the eval sets.
 */
const work = mkdtempSync(join(tmpdir(), 'workplan-parts-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const alone = fixtureEngines(work);

describe('two questions in one message', () => {
  it('is cut where a sentence ends, or before a last clause in 呢, into two parts that each ask', () => {
    expect(questionParts('今年新建学校几所?幼儿园呢')).toEqual(['今年新建学校几所', '幼儿园呢']);
    expect(questionParts('今年新建学校几所,幼儿园呢')).toEqual(['今年新建学校几所', '幼儿园呢']);
    // context before the question stays with it
    expect(questionParts('今年物价涨得厉害。低保标准提到多少?特困人员呢?')).toEqual(['今年物价涨得厉害,低保标准提到多少', '特困人员呢']);
    // two things with one question, and two clauses that each ask about a thing of their own
    expect(questionParts('今年改造老旧小区和新建公园各是多少')).toEqual(['今年改造老旧小区是多少', '新建公园是多少']);
    expect(questionParts('去年粮食产量多少、森林覆盖率达到多少')).toEqual(['去年粮食产量多少', '森林覆盖率达到多少']);
    // a clause that goes on about the same thing, or context that only looks like a question (好几年)
    expect(questionParts('今年重点项目有多少个,计划投资多少')).toBeUndefined();
    expect(questionParts('房子好几年办不下证,今年有人管不')).toBeUndefined();
    // one question, or two figures of one sentence: not cut
    expect(questionParts('今年新建学校几所')).toBeUndefined();
    expect(questionParts('去年外贸进出口总额是多少,增长了多少')).toBeUndefined();
    expect(questionParts('今年物价涨得厉害。低保标准提到多少')).toBeUndefined();
  });

  it('answers both parts, the second completed from the first, each from its own clause and quote', async () => {
    const e = await alone('levels/2023_米易县_政府工作报告.txt');
    const a = await e.ask('帮我看下，县里今年城镇新增就业的目标是多少人？农村劳动力转移呢？');
    expect(a.found).toBe(true);
    const [first, second] = a.answer.split('\n');
    expect(first).toMatch(/就业\d+人/);
    expect(second).toMatch(/^关于“.*农村劳动力转移”:/);
    expect(second).toMatch(/转移农村劳动力[\d.]+万人/);
    for (const c of a.citations) expect(e.internals.index.reports[0]!.text.slice(c.start, c.end)).toBe(c.quote);
  });

  it('answers the message whole when its second part asks nothing of its own', async () => {
    const e = await alone('levels/2023_米易县_政府工作报告.txt');
    const a = await e.ask('今年城镇新增就业的目标是多少人？谢谢啦');
    expect(a.answer.split('\n')).toHaveLength(1);
    expect(a.answer).toMatch(/就业\d+人/);
  });
});

describe('words around the question', () => {
  const cues = loadCues(DICT_DIR);
  it.each([
    '只要数字', '就要数字,别的不要', '原话是啥', '用报告的原话', '分条列一下', '列个清单', '简单点', '长话短说', '直接说',
  ])('…，%s is not the question', (tail) => {
    expect(unwrap(`今年新增多少托位,${tail}`, cues)).toBe('今年新增多少托位');
  });
  it.each(['老板让问', '考公要用', '我是个体户', '下午开会前帮我看看', '我刚入职想了解一下', '打扰一下想问问'])('%s，… is not the question', (lead) => {
    expect(unwrap(`${lead},今年新增多少托位`, cues)).toBe('今年新增多少托位');
  });
  it('keeps a clause that says what is asked about', () => {
    expect(unwrap('我家孩子明年上幼儿园,今年新增多少托位', cues)).toContain('幼儿园');
  });
});

describe('yes or no in everyday words', () => {
  it('能不能 / 会不会 / a closing 不 ask yes or no and name no subject', async () => {
    const e = await alone('levels/2023_米易县_政府工作报告.txt');
    const { analyzeQuestion } = await import('../../src/answer/analyze.ts');
    for (const q of ['今年能不能多建几个停车场', '明年会不会取消这个补贴', '公交能坐到景区不']) {
      const words = analyzeQuestion(q, e.internals.ctx).concepts.map((c) => c.text);
      expect(words.some((w) => /不能|不会|^不$|能不|会不/.test(w)), `${q}: ${words.join(' ')}`).toBe(false);
    }
    // 还有补贴吗 asks whether there is one, not its amount
    expect(analyzeQuestion('今年种粮还有补贴吗', e.internals.ctx).intent).not.toBe('cost');
    expect(analyzeQuestion('今年种粮补贴每亩多少钱', e.internals.ctx).intent).toBe('cost');
  });
});

describe('a set the report announces and then spells out', () => {
  const text = [
    '某某县2024年政府工作报告',
    '各位代表：',
    '一、2023年工作回顾',
    '过去一年，全县地区生产总值增长6.1%，城镇新增就业3200人。',
    '二、2024年重点工作',
    '今年经济社会发展的主要预期目标是：地区生产总值增长6%左右，城镇新增就业3000人以上。',
    '持续推进农业供给侧结构性改革，提高农业综合效益，做强“一菜一果一药”三大特色产业。一是蔬菜产业。新建设施蔬菜基地5000亩。二是林果产业。改造提升老果园2万亩。三是中药材产业。建设道地药材种植基地1万亩。',
    '改善人居环境。实施农村人居环境整治，建设美丽乡村示范村20个。',
  ].join('\n');
  it('answers what the set holds with its items, not with the sentence that counts them', async () => {
    const dir = join(work, 'announced');
    mkdirSync(join(dir, 'r'), { recursive: true });
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(dir, 'r', '2024_某某县_政府工作报告.txt'), `${text}\n`);
    const e = await createEngine({ reportsDir: join(dir, 'r'), dictDir: DICT_DIR, indexDir: join(dir, 'i'), readOnly: true });
    const a = await e.ask('三大特色产业是哪几个');
    expect(a.found).toBe(true);
    for (const item of ['蔬菜产业', '林果产业', '中药材产业']) expect(a.answer).toContain(item);
    // the explanations between the items are not the items
    expect(a.answer).not.toContain('5000亩');
    const quote = a.citations[0]!;
    expect(e.internals.index.reports[0]!.text.slice(quote.start, quote.end)).toBe(quote.quote);
  });
});
