import * as OpenCC from 'opencc-js/t2cn';
import { describe, expect, it } from 'vitest';
import { extractQuantities, normalizeQuestion, normalizeText, parseChineseNumber } from '../../src/corpus/index.ts';
import { TRADITIONAL_CHARACTERS } from '../../src/corpus/traditional.ts';

describe('normalizeText', () => {
  it('folds full-width forms (NFKC) and traditional characters', () => {
    expect(normalizeText('今年新增多少託位?')).toBe('今年新增多少托位?');
    expect(normalizeText('嶗山區加裝電梯')).toBe('崂山区加装电梯');
    expect(normalizeText('ＧＤＰ增長５．５％')).toBe('GDP增长5.5%');
  });

  it('knows every character the converter changes on its own (it converts only text holding one)', () => {
    // The list spares the converter at start; an opencc-js upgrade that changes it fails here
    // (regenerate with node scripts/make-traditional.mjs > src/corpus/traditional.ts).
    const convert = OpenCC.Converter({ from: 't', to: 'cn' });
    const changed: string[] = [];
    for (let cp = 0x3400; cp <= 0x10ffff; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      const ch = String.fromCodePoint(cp);
      if (convert(ch) !== ch) changed.push(ch);
    }
    expect([...TRADITIONAL_CHARACTERS]).toEqual(changed);
    // Text with none of them is left as it is; one is enough for the whole text to be converted.
    expect(normalizeText('市北区加装电梯')).toBe('市北区加装电梯');
    expect(normalizeText('加装電梯')).toBe('加装电梯');
  });
});

describe('normalizeQuestion', () => {
  it('removes control characters, zero-width characters and markup but keeps the words', () => {
    expect(normalizeQuestion('<b>今年</b>\u0000新增\u200b**多少**托位\t\n')).toBe('今年 新增 多少 托位');
    // Tags go and their words stay as words: nothing of the markup reaches the question.
    expect(normalizeQuestion('<script>alert(1)</script>托位')).toBe('alert(1) 托位');
    expect(normalizeQuestion('<img src=x onerror=alert(1)>托位')).toBe('托位');
    expect(normalizeQuestion('😀😀 托位 😀')).toBe('😀😀 托位 😀');
  });
});

describe('Chinese numerals', () => {
  it.each([
    ['三千', 3000],
    ['两万', 20000],
    ['七十', 70],
    ['十五', 15],
    ['一百零五', 105],
    ['二〇二五', 2025],
    ['十万', 100000],
  ])('%s → %d', (text, value) => {
    expect(parseChineseNumber(text)).toBe(value);
  });

  it('leaves names that are not numbers alone', () => {
    expect(parseChineseNumber('十四五')).toBeUndefined();
    expect(parseChineseNumber('五筛两检')).toBeUndefined();
  });
});

describe('extractQuantities', () => {
  const values = (text: string) => extractQuantities(text).map((q) => [q.raw, q.value, q.family]);

  it('reads figures with their units, magnitudes and qualifiers', () => {
    const qs = extractQuantities('增加普惠托位300个,每千人口托位数达到4.6个,增长5.5%以上,新增就业4万人,4.2万平方米,总投资847亿元');
    expect(qs.map((q) => q.raw)).toEqual(['300个', '4.6个', '5.5%以上', '4万人', '4.2万平方米', '847亿元']);
    expect(qs.map((q) => q.value)).toEqual([300, 4.6, 5.5, 40000, 42000, 84700000000]);
    expect(qs.map((q) => q.family)).toEqual(['count', 'count', 'percent', 'people', 'area', 'money']);
    expect(qs[2]!.qualifier).toBe('以上');
  });

  it('reads spoken Chinese figures', () => {
    expect(values('引进两万多青年人才,三千多人')).toEqual([
      ['两万多', 20000, 'none'],
      ['三千多人', 3000, 'people'],
    ]);
  });

  it('treats 两位数增长 as a rate and 一批 as no figure at all', () => {
    expect(values('保持两位数增长')).toEqual([['两位数', 2, 'percent']]);
    expect(values('引进一批新能源品牌')).toEqual([]);
  });

  it('does not read names such as 十四五, 五筛两检 or 每千人口 as figures', () => {
    expect(values('“十四五”规划,“五筛两检”,每千人口')).toEqual([]);
  });

  it('marks ordinals and years', () => {
    const [fifth, year] = extractQuantities('第五部分,2025年');
    expect(fifth!.ordinal).toBe(true);
    expect(year!.family).toBe('year');
  });
});
