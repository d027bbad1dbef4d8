import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { neutraliseCell, toCsv } from '../../src/shared/csv.ts';
import { CSV_COLUMNS, targetsCsv, type TargetView } from '../../src/targets/table.ts';

/** CSV a spreadsheet will not run: src/shared/csv.ts, and the targets table written through it. */

/** The CSV's rows as a spreadsheet-neutral reader (csv-parse) reads them, after the byte-order mark. */
function rowsOf(csv: string): string[][] {
  expect(csv.startsWith('\ufeff')).toBe(true);
  return parse(csv.slice(1)) as string[][];
}

describe('neutraliseCell', () => {
  it.each([
    ['=', '=HYPERLINK("http://evil.example","点击")'],
    ['+', '+1+cmd|\' /C calc\'!A0'],
    ['-', '-2+3'],
    ['@', '@SUM(1+1)'],
    ['a tab', '\t=1+1'],
    ['a carriage return', '\r=1+1'],
    ['NUL', '\0=1+1'],
  ])('prefixes a single quote to text starting with %s, keeping the text after it', (_, text) => {
    expect(neutraliseCell(text)).toBe(`'${text}`);
  });

  it('prefixes report figures written as text, such as "-0.5%" and "+3%" (text in a spreadsheet either way)', () => {
    expect(neutraliseCell('-0.5%')).toBe("'-0.5%");
    expect(neutraliseCell('+3%')).toBe("'+3%");
  });

  it('leaves other text alone: Chinese, full-width signs, a formula character inside, a leading quote or space', () => {
    for (const text of ['地区生产总值增长5%左右', '＝1+1', '＋3%', '－0.5%', '＠某某', 'GDP=5%', 'a-b', "'quoted", ' =1', '5000个', '“十四五”']) {
      expect(neutraliseCell(text)).toBe(text);
    }
  });

  it('writes numbers as numbers, negative ones too, and nothing as an empty cell', () => {
    expect([-0.5, 0, 5, 2026, -12].map(neutraliseCell)).toEqual(['-0.5', '0', '5', '2026', '-12']);
    expect([undefined, null, ''].map(neutraliseCell)).toEqual(['', '', '']);
  });
});

describe('toCsv', () => {
  it('writes a byte-order mark and neutralised cells that a CSV reader reads back, commas and quotes included', () => {
    const hostile = '=HYPERLINK("http://evil.example/?a=1,b=2","点击")';
    const rows = rowsOf(toCsv([['文字', '数'], [hostile, -0.5], ['多行\n文字,有逗号', undefined]]));
    expect(rows).toEqual([
      ['文字', '数'],
      [`'${hostile}`, '-0.5'],
      ['多行\n文字,有逗号', ''],
    ]);
  });
});

describe('targetsCsv', () => {
  const row = (over: Partial<TargetView>): TargetView => ({
    report: 'r', title: '某市2026年政府工作报告', region: '某市', year: 2026, years: '2026', reportYear: 2026, kind: 'target', indicator: '居民消费价格',
    wording: '居民消费价格涨幅', value: -0.5, unit: '%', qualifier: '左右', growth: true, main: true, text: '-0.5%左右',
    span: '居民消费价格涨幅-0.5%左右', paragraph: 3, quote: '居民消费价格涨幅-0.5%左右。', section: '二、2026年工作安排',
    ...over,
  });

  it('prefixes the text columns that start like a formula; the year and value stay the numbers they are', () => {
    const rows = rowsOf(targetsCsv([row({}), row({ wording: '@SUM(1+1)城镇新增就业', quote: '@SUM(1+1)城镇新增就业22万人。', value: 22, high: 25, text: '22万人' })]));
    expect(rows[0]).toEqual(CSV_COLUMNS.map(([, h]) => h));
    const cell = (r: string[], header: string) => r[CSV_COLUMNS.findIndex(([, h]) => h === header)];
    expect([cell(rows[1]!, '年份'), cell(rows[1]!, '数值'), cell(rows[1]!, '上限'), cell(rows[1]!, '原文数值')]).toEqual(['2026', '-0.5', '', "'-0.5%左右"]);
    expect(cell(rows[1]!, '原句')).toBe('居民消费价格涨幅-0.5%左右。');
    expect([cell(rows[2]!, '报告用语'), cell(rows[2]!, '原句'), cell(rows[2]!, '数值'), cell(rows[2]!, '上限')]).toEqual(["'@SUM(1+1)城镇新增就业", "'@SUM(1+1)城镇新增就业22万人。", '22', '25']);
  });
});
