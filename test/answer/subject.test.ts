import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeQuestion, createEngine, type Engine } from '../../src/answer/index.ts';
import type { AnalyzeContext } from '../../src/answer/analyze.ts';
import { loadCues } from '../../src/answer/cues.ts';
import { createVocabulary } from '../../src/answer/vocabulary.ts';
import { extractQuantities } from '../../src/corpus/normalize.ts';
import { DICT_DIR, fixtureEngines, testEngine } from '../helpers/engine.ts';

/**
 * The thing a figure question counts, found where reports write it: a qualifier the paragraph said
 * once (中药工业园区…入园企业), an enumeration comma inside the term (省、市重点项目), a qualifier inside
 * a wording (既有多层住宅), a total said with 累计, a money clause before what it is spent on, the head
 * of 困难的残疾人, the length of a period asked (十四五这五年) that is no figure of the answer, and note
 * numbers (〔43〕) that are no figures at all. Questions are worded afresh, not taken from the eval sets.
 */
const work = mkdtempSync(join(tmpdir(), 'workplan-subject-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const alone = fixtureEngines(work);

async function answers(file: string, question: string, figure: string): Promise<void> {
  const a = await (await alone(file)).ask(question);
  expect(a.found, `${question} → ${a.answer}`).toBe(true);
  expect(a.answer).toContain(figure);
  // The figure stands in the verbatim quote.
  expect(a.citations[0]?.quote).toContain(figure);
}

describe('the thing counted, where the report writes it', () => {
  it('takes a long qualifier the paragraph said once (中药工业园区 … 入园企业)', () =>
    answers('levels/2022_安国市_政府工作报告.txt', '中药工业园区去年入园企业有多少家', '132家'));

  it('reads a term written with an enumeration comma inside (省、市重点项目)', () =>
    answers('levels/2022_涞源县_政府工作报告.txt', '去年列入省市重点项目的有几个', '16个'));

  it('reads a wording with a qualifier inside (老房子 → 既有住宅 in 既有多层住宅)', () =>
    answers('provinces-2026/2026_上海市_政府工作报告.txt', '老房子加装电梯去年装了几台', '3295台'));

  it('answers a total asked with the clause that says 累计', () =>
    answers('provinces-2026/2026_云南省_政府工作报告.txt', '高标准农田一共建了多少亩', '4128万亩'));

  it('answers the cost of a project from the money clause before it (投资280万元,完成…宿舍楼项目建设)', () =>
    answers('levels/2022_博野县_政府工作报告.txt', '南邑中学宿舍楼项目花多少钱', '280万元'));

  it('keeps the total investment said in the next clause (…项目15个,总投资49.84亿元)', async () => {
    const a = await (await alone('levels/2022_博野县_政府工作报告.txt')).ask('去年省市重点项目实施了几个，总投资是多少');
    expect(a.answer).toContain('15个');
    expect(a.answer).toContain('49.84亿元');
  });

  it('does not look for the length of the period asked among the figures (十四五五年间)', () =>
    answers('provinces-2026/2026_江苏省_政府工作报告.txt', '十四五五年间城镇新增就业有多少人', '690万人'));

  it('still refuses a short qualifier the sentence does not name (省重点项目 is not 省市重点项目)', async () => {
    const a = await (await alone('levels/2024_徐水区_政府工作报告.txt')).ask('今年省市重点项目要实施几项');
    // The plan names 4 of the province's own key projects only; that is not the figure asked.
    expect(a.answer).not.toContain('4个');
  });
});

describe('reading the question', () => {
  let ctx: AnalyzeContext;
  beforeAll(async () => {
    const engine = await testEngine();
    const { index, tokenizer, lexicon } = engine.internals;
    ctx = { tokenizer, lexicon, vocabulary: createVocabulary(index.sentenceIndex, index.paragraphText.join('\n')), cues: loadCues(DICT_DIR), ownPlaces: [] };
  });
  const focus = (q: string) => analyzeQuestion(q, ctx).concepts.filter((c) => c.focus).map((c) => c.text);

  it('counts the noun after 的, not the word that qualifies it', () => {
    expect(focus('今年要救助多少名生活困难的老年人')).toEqual(['老年人']);
    expect(focus('新建多少公里的道路')).toContain('道路');
  });

});

describe('figures', () => {
  it('are not note references or list numbers', () => {
    expect(extractQuantities('〔43〕六稳：指的是稳就业')).toEqual([]);
    expect(extractQuantities('[16]“红色三馆”')).toEqual([]);
    expect(extractQuantities('（3）实施12个项目').map((q) => q.raw)).toEqual(['12个']);
    expect(extractQuantities('增长（5%）').map((q) => q.raw)).toEqual(['5%']);
  });
});

describe('what a coined name stands for', () => {
  it('answers with what follows the name’s own definition, inline (“四区”即…)', async () => {
    const a = await (await alone('levels/2021_阜平县_政府工作报告.txt')).ask('四区具体指什么');
    expect(a.found).toBe(true);
    expect(a.answer).toContain('大天生桥生态旅游度假区');
    expect(a.answer).not.toContain('一环');
  });

  it('finds the note that spells out an unquoted name with a number in it (1234发展思路)', async () => {
    const a = await (await alone('levels/2022_博野县_政府工作报告.txt')).ask('1234发展思路具体指什么');
    expect(a.found).toBe(true);
    expect(a.answer).toContain('小县大城战略');
    expect(a.citations[0]?.quote).toContain('1234发展思路');
  });

  it('reads a name typed by its sound (红色三管 for 红色三馆) and answers the items, not a refusal', async () => {
    const a = await (await alone('levels/2022_安国市_政府工作报告.txt')).ask('红色三管是哪三个馆');
    expect(a.found).toBe(true);
    expect(a.answer).toContain('毛主席视察纪念馆');
  });

  it('leaves a count of things (今年的20件实事) to the usual answers', () => {
    // The whole run before the asking is not a coined name: no concept swallows the question.
    const engine = alone('provinces-2026/2026_云南省_政府工作报告.txt');
    return engine.then(async (e) => {
      const a = await e.ask('今年的10件惠民实事具体是哪十件');
      expect(a.answer).not.toContain('没有找到关于“今年的10件惠民实事”');
    });
  });
});
