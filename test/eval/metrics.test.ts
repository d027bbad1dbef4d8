import { describe, expect, it } from 'vitest';
import { containsOnBoundary, score, summarize, type EvalQuestion } from '../../src/eval/metrics.ts';
import type { Answer } from '../../src/answer/index.ts';

describe('containsOnBoundary', () => {
  it('matches figures only on digit boundaries', () => {
    expect(containsOnBoundary('增加学位3300个以上', '300个')).toBe(false);
    expect(containsOnBoundary('增加普惠托位300个', '300个')).toBe(true);
    expect(containsOnBoundary('地区生产总值增长5.5%以上', '5%以上')).toBe(false);
    expect(containsOnBoundary('社零增长5%以上', '5%以上')).toBe(true);
    expect(containsOnBoundary('共3003个', '300')).toBe(false);
    expect(containsOnBoundary('河西、河崖', '河崖')).toBe(true);
  });
});

describe('score and summarize', () => {
  const paragraphs = ['甲段:增加普惠托位300个。', '乙段:加装电梯120部以上。'];
  const answer = (found: boolean, text: string, quotes: string[]): Answer => ({
    question: 'q',
    found,
    answer: text,
    citations: quotes.map((quote) => ({
      doc: 'd',
      section: 's',
      quote,
      score: 1,
      docId: 'd',
      paragraph: 0,
      start: 0,
      end: 0,
      context: { text: quote, start: 0, end: quote.length },
    })),
    latencyMs: 1,
    intent: 'number',
    highlights: [],
  });
  const q = (type: EvalQuestion['type'], paragraph: string | null, gold: string[]): EvalQuestion => ({ id: 'x', q: 'q', type, paragraph, gold });

  it('computes hit ranks, accuracy, refusals and the verbatim rate', () => {
    const rows = [
      score(q('number', '普惠托位', ['300个']), answer(true, '增加普惠托位300个。', ['增加普惠托位300个。']), paragraphs, paragraphs),
      score(q('number', '加装电梯', ['120部以上']), answer(true, '3120部以上', ['无关', '加装电梯120部以上。']), paragraphs, paragraphs),
      score(q('unanswerable', null, []), answer(false, '报告中没有', []), paragraphs, paragraphs),
      score(q('number', '普惠托位', ['300个']), answer(false, '报告中没有', []), paragraphs, paragraphs),
    ];
    const s = summarize(rows);
    expect(s.hit1).toBeCloseTo(1 / 3);
    expect(s.hit3).toBeCloseTo(2 / 3);
    expect(s.accuracy).toBeCloseTo(1 / 3);
    expect(s.refusalRecall).toBe(1);
    expect(s.refusalPrecision).toBe(0.5);
    expect(s.falseRefusalRate).toBeCloseTo(1 / 3);
    expect(s.verbatimRate).toBeCloseTo(2 / 3);
  });
});
