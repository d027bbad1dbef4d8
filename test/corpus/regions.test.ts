import { beforeAll, describe, expect, it } from 'vitest';
import { loadLexicon, type Gazetteer } from '../../src/corpus/index.ts';
import { DICT_DIR } from '../helpers/engine.ts';

let g: Gazetteer;
beforeAll(() => {
  g = loadLexicon(DICT_DIR).gazetteer;
});

const names = (text: string, abbreviations = false) => g.find(text, { abbreviations }).map((m) => m.region.name);

describe('the gazetteer', () => {
  it('holds every province and its cities and counties, nested', () => {
    expect(g.get('山东省')?.level).toBe('province');
    expect(g.get('济南市')).toMatchObject({ level: 'city', parent: '山东省' });
    expect(g.get('市北区')).toMatchObject({ level: 'county', parent: '青岛市' });
    expect(g.within('市北区', '山东省')).toBe(true);
    expect(g.within('济南市', '江苏省')).toBe(false);
    expect(g.ancestors('市北区')).toEqual(['市北区', '青岛市', '山东省']);
  });

  it('finds places by full name, short form, nickname and romanised name', () => {
    expect(names('浙江省今年GDP目标')).toEqual(['浙江省']);
    expect(names('浙江今年GDP目标')).toEqual(['浙江省']);
    expect(names('广西去年GDP')).toEqual(['广西壮族自治区']);
    expect(names('沪上今年就业目标')).toEqual(['上海市']);
    expect(names('济南今年')).toEqual(['济南市']);
    expect(names('what is the gdp target of zhejiang')).toEqual(['浙江省']);
    expect(names('inner mongolia growth')).toEqual(['内蒙古自治区']);
  });

  it('prefers the larger division when a short form is shared, and leaves ordinary words alone', () => {
    expect(names('吉林今年GDP')).toEqual(['吉林省']);
    expect(names('老城区改造')).toEqual([]);
    expect(names('长治久安')).toEqual([]);
    expect(names('大同小异')).toEqual([]);
  });

  it('reads one-character abbreviations only standing alone', () => {
    expect(names('鲁今年GDP目标', true)).toEqual(['山东省']);
    expect(names('苏浙沪的目标', true)).toEqual(['江苏省', '浙江省', '上海市']);
    expect(names('收藏本页', true)).toEqual([]);
    expect(names('经济复苏', true)).toEqual([]);
  });

  it('gives short and romanised names for ids and messages', () => {
    expect(g.shortName('广西壮族自治区')).toBe('广西');
    expect(g.shortName('市北区')).toBe('市北');
    expect(g.romanise('山东省')).toBe('shandong');
    expect(g.romanise('内蒙古自治区')).toBe('innermongolia');
  });
});
