import { describe, expect, it } from 'vitest';
import { loadCues, loadEntityKinds, parseCues, unwrap } from '../../src/answer/cues.ts';
import { timeOf } from '../../src/answer/time.ts';
import { loadBroadAsks } from '../../src/answer/pick/broad.ts';
import { CorpusError } from '../../src/errors.ts';
import { DICT_DIR } from '../helpers/engine.ts';

/**
 * The question as people type it: wrapped in who asks and why, in traditional script, with a typo,
 * in English. Each class is read away before the question is analysed; these tests pin the reading
 * itself, ask.test.ts and honesty.test.ts what the engine answers.
 */
const cues = loadCues(DICT_DIR);

describe('wrappers', () => {
  it.each([
    ['替处长问一句，广东今年新增就业目标多少，原文怎么表述的', '广东今年新增就业目标多少'],
    ['单位要写总结，帮我查下山东今年高标准农田建多少亩', '山东今年高标准农田建多少亩'],
    ['明天开会要用，医车电数游五大产业分别指哪几个', '医车电数游五大产业分别指哪几个'],
    ['领导要个准数：今年新能源汽车产量争取到多少', '今年新能源汽车产量争取到多少'],
    ['我是做统计的，想确认一下去年城镇新增就业多少人', '去年城镇新增就业多少人'],
    ['麻烦问一下今年托位新增多少，谢谢', '今年托位新增多少'],
  ])('%s → %s', (asked, left) => {
    expect(unwrap(asked, cues)).toBe(left);
  });

  it('keeps a question that is all wrapping as it was, and leaves plain questions alone', () => {
    expect(unwrap('谢谢', cues)).toBe('谢谢');
    expect(unwrap('今年新增多少托位', cues)).toBe('今年新增多少托位');
    // Words of the report that look like a wrapper's are kept (写进报告的计划 is a subject).
    expect(unwrap('今年写进报告的计划有哪些', cues)).toBe('今年写进报告的计划有哪些');
  });
});

describe('opinions, forecasts and advice', () => {
  it.each(['你怎么看湖北今年的就业形势', '明年房价会不会涨', '孩子高考报郑州大学好还是河南大学好', '博野的输送带企业值得投资吗', 'What do you think of the job market?'])('%s', (q) => {
    expect(cues.opinion.test(q.toLowerCase())).toBe(true);
  });

  it.each(['今年能不能把助餐点覆盖所有社区', '今年会不会新建学校', '有没有提到低空经济'])('not an opinion: %s', (q) => {
    expect(cues.opinion.test(q)).toBe(false);
  });
});

describe('prices and amounts', () => {
  it.each(['门票多少钱', '公交票价多少', '停车场收费标准是多少'])('a price: %s', (q) => expect(cues.cost.test(q)).toBe(true));
  it.each(['高速公路省界收费站是不是要取消了', '研发费用加计扣除比例提到多少', '进博会意向成交金额是多少', '城镇居民人均可支配收入多少钱'])('not a price: %s', (q) => expect(cues.cost.test(q)).toBe(false));
});

describe('time', () => {
  it('reads a span of five years as the look back, another span by its last year', () => {
    expect(timeOf('2018到2022五年累计减税降费多少')).toMatchObject({ kind: 'five-year-review' });
    expect(timeOf('2021—2023年粮食产量')).toMatchObject({ kind: 'year', year: 2023 });
    expect(timeOf('五年间新增就业多少')).toMatchObject({ kind: 'five-year-review' });
  });
});

describe('the data files', () => {
  it('refuse a cue file with an unknown section, a bad pattern or a phrasing before any section, saying where', () => {
    expect(() => parseCues('[nonsense]\nabc\n')).toThrow(CorpusError);
    expect(() => parseCues('[cost]\n(unclosed\n')).toThrow(/line 2/);
    expect(() => parseCues('多少钱\n[cost]\n')).toThrow(/line 1/);
  });

  it('load the broad asks and entity kinds of the genre', () => {
    const broad = loadBroadAsks(DICT_DIR).map((b) => b.name);
    expect(broad).toEqual(expect.arrayContaining(['problems', 'main-targets', 'requirements', 'achievements']));
    const kinds = loadEntityKinds(DICT_DIR);
    const company = kinds.find((k) => k.kind === '企业')!;
    expect(company.which).toBe('哪家企业');
    expect(company.ask.test('要签约的机器人项目是哪家企业')).toBe(true);
    expect(company.instance.test('靶向招引国信会视等领军企业')).toBe(true);
    expect(company.instance.test('力争机器人项目顺利签约')).toBe(false);
  });
});
