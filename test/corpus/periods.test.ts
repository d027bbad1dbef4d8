import { describe, expect, it } from 'vitest';
import { headingPeriods, leadPeriod, annexPeriod } from '../../src/corpus/periods.ts';
import { parseReport } from '../../src/corpus/index.ts';

describe('headings name their periods in order', () => {
  it.each([
    ['一、2025年和“十四五”时期工作回顾', ['last-year', 'five-year-review']],
    ['一、“十四五”时期和2025年工作回顾', ['five-year-review', 'last-year']],
    ['一、“十四五”时期经济社会发展回顾', ['five-year-review']],
    ['二、“十五五”时期主要目标任务', ['five-year-plan']],
    ['二、“十四五”时期发展成就和“十五五”时期主要目标任务', ['five-year-review', 'five-year-plan']],
    ['二、“十五五”时期目标任务和2026年工作安排', ['five-year-plan', 'current']],
    ['三、2026年重点工作', ['current']],
    ['四、全面加强政府自身建设', ['current']],
    ['三、一鼓作气勇争先，全力推动“十五五”开好局、起好步', ['current']],
    ['一、工作回顾', ['last-year']],
    ['一、把铸牢中华民族共同体意识作为民族地区各项工作的主线', []],
  ])('%s', (heading, periods) => {
    expect(headingPeriods(heading.replace(/，/g, ','), 2026)).toEqual(periods);
  });

  it('reads years relative to the plan year (a 2025 report reviews 2024)', () => {
    expect(headingPeriods('一、2024年工作回顾', 2025)).toEqual(['last-year']);
    expect(headingPeriods('二、2025年工作安排', 2025)).toEqual(['current']);
  });
});

describe('a paragraph’s opening turns the period', () => {
  it.each([
    [['各位代表!', '2025年是“十四五”收官之年。', '五年来,我们牢记嘱托。'], 'five-year-review'],
    [['2025年是“十四五”收官之年。', '一年来,我们坚持…。'], 'last-year'],
    [['“十五五”时期是基本实现社会主义现代化夯实基础的关键时期。'], 'five-year-plan'],
    [['今年是“十五五”开局之年。'], 'current'],
    [['这是生态文明建设取得显著成效的五年。'], 'five-year-review'],
    [['根据《中共某省委关于制定国民经济和社会发展第十五个五年规划的建议》,省政府编制了纲要草案。'], 'five-year-plan'],
    [['我们也清醒认识到,发展中还有不少困难。'], undefined],
  ])('%j → %s', (sentences, period) => {
    expect(leadPeriod(sentences, 2026)).toBe(period);
  });

  it('keeps a list of this year’s practical projects in the plan, a glossary in the annexes', () => {
    expect(annexPeriod('2026年自治区民生实事', 2026)).toBe('current');
    expect(annexPeriod('名词解释', 2026)).toBe('annex');
  });
});

describe('periods through a whole report', () => {
  const text = [
    '2026年某省政府工作报告',
    '——2026年1月27日在某省第十四届人民代表大会第四次会议上',
    '各位代表:',
    '一、2025年和“十四五”时期工作回顾',
    '2025年是很不平凡的一年。全省地区生产总值增长5%。',
    '各位代表!2025年是“十四五”收官之年。五年来,高铁里程由2000公里增至3000公里。',
    '二、“十五五”时期主要目标任务',
    '“十五五”时期是关键五年。到2030年,研发投入强度达到3%。',
    '三、2026年重点工作',
    '今年经济社会发展主要预期目标是:地区生产总值增长5%左右;城镇新增就业60万人以上。',
    '附件',
    '名词解释',
    '1.新质生产力:由技术革命性突破催生的先进生产力。',
  ].join('\n');
  const r = parseReport(text, { id: 't', title: 't', region: '某省', year: 2026, kind: 'work-report' });
  const period = (needle: string) => r.paragraphs.find((p) => p.text.includes(needle))!.period;

  it('labels every paragraph', () => {
    expect(period('人民代表大会')).toBe('front');
    expect(period('增长5%。')).toBe('last-year');
    expect(period('高铁里程')).toBe('five-year-review');
    expect(period('研发投入强度')).toBe('five-year-plan');
    expect(period('城镇新增就业')).toBe('current');
    expect(period('新质生产力')).toBe('annex');
  });

  it('reads the items of a lead-in with the lead-in as their topic', () => {
    const jobs = r.sentences.find((s) => s.text.includes('城镇新增就业'))!;
    expect(jobs.topic).toBe('今年经济社会发展主要预期目标');
  });
});
