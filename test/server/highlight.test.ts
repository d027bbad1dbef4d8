import { describe, expect, it } from 'vitest';
import { breadcrumb, markSegments, spanSegments } from '../../web/highlight.js';

const marked = (text: string, needles: string[]) =>
  markSegments(text, needles)
    .map((s) => (s.mark ? `[${s.text}]` : s.text))
    .join('');

describe('markSegments (figures in the answer and quotes)', () => {
  it('marks every occurrence and keeps all the text', () => {
    const text = '增加普惠托位300个,每千人口托位数达到4.6个。';
    expect(marked(text, ['300个', '4.6个'])).toBe('增加普惠托位[300个],每千人口托位数达到[4.6个]。');
    expect(markSegments(text, ['300个']).map((s) => s.text).join('')).toBe(text);
  });

  it('prefers the longest needle and never overlaps', () => {
    expect(marked('增长5.5%以上', ['5.5%', '5.5%以上'])).toBe('增长[5.5%以上]');
    expect(marked('aaaa', ['aa'])).toBe('[aa][aa]');
  });

  it('does not mark a figure inside a longer number', () => {
    expect(marked('学位3300个以上,托位300个', ['300个'])).toBe('学位3300个以上,托位[300个]');
    expect(marked('4.65个', ['4.6'])).toBe('4.65个');
  });

  it('ignores empty needles and returns nothing for empty text', () => {
    expect(marked('文本', ['', '文'])).toBe('[文]本');
    expect(markSegments('', ['x'])).toEqual([]);
    expect(markSegments('无', [])).toEqual([{ text: '无', mark: false }]);
  });
});

describe('spanSegments (the quote inside its paragraph)', () => {
  it('cuts at the offsets', () => {
    expect(spanSegments('甲乙丙丁', 1, 3)).toEqual({ before: '甲', inside: '乙丙', after: '丁' });
  });

  it('clamps offsets that fall outside the text', () => {
    expect(spanSegments('甲乙', -5, 99)).toEqual({ before: '', inside: '甲乙', after: '' });
    expect(spanSegments('甲乙', 2, 1)).toEqual({ before: '甲乙', inside: '', after: '' });
    expect(spanSegments('甲乙', Number.NaN, 1)).toEqual({ before: '', inside: '甲', after: '乙' });
  });
});

describe('breadcrumb', () => {
  it('leads with the document and splits the section path', () => {
    expect(breadcrumb('报告', '二、安排 › (五)民生 › 强化社会兜底保障')).toEqual(['报告', '二、安排', '(五)民生', '强化社会兜底保障']);
    expect(breadcrumb('报告', '')).toEqual(['报告']);
  });
});
