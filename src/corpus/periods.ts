import type { Period } from './types.ts';

/**
 * Which period a part of a report speaks of. A work report of the genre reviews last year and, in the
 * first year of a plan period, the past five years (一、2025年和“十四五”时期工作回顾); sets out the next
 * five years (二、“十五五”时期主要目标任务); plans this year (三、2026年重点工作); and may close with
 * annexes (名词解释, 民生实事). Headings name their periods in the order the text takes them; inside a part
 * that covers two, the opening of a paragraph says where the text turns (五年来，…; 今年是“十五五”开局之年).
 *
 * The cues are phrases of the genre, read on width-folded text; {Y} stands for the plan year and {Y-1}
 * for the year before it.
 */

interface Cue {
  period: Period;
  pattern: (year: number) => RegExp;
}

/** The number of the five-year plan a year belongs to: 2021–2025 → 14, 2026–2030 → 15. */
export function planNumber(year: number): number {
  return Math.floor((year - 2021) / 5) + 14;
}

/** The five-year plan a year belongs to: 2021–2025 → 十四五, 2026–2030 → 十五五. */
export function planName(year: number): string {
  return planNameOf(planNumber(year));
}

/** 14 → 十四五. */
export function planNameOf(n: number): string {
  const cn = ['', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
  return `${n >= 10 ? `十${cn[n - 10]}` : cn[n]}五`;
}

/** Is the year the first of a five-year plan (2021, 2026): the year whose report reviews one plan and sets out the next? */
export function opensPlan(year: number): boolean {
  return planNumber(year) !== planNumber(year - 1);
}

/** 二〇二五年 → 2025年, so headings in Chinese numerals read like the others. */
export function arabicYears(text: string): string {
  return text.replace(/([〇零一二三四五六七八九]{4})年/g, (_, y: string) => `${[...y].map((c) => '〇一二三四五六七八九'.indexOf(c === '零' ? '〇' : c)).join('')}年`);
}

/**
 * The plans a report of year `y` names: in the first year of a plan (2021, 2026) the new one (十四五 in
 * 2021, 十五五 in 2026) is the plan ahead and the one before it the review; in the other years the plan
 * under way is neither (…“十四五”规划实施的关键之年).
 */
function planPatterns(y: number): { ahead?: RegExp; behind?: RegExp } {
  if (!opensPlan(y)) return {};
  const ahead = planNumber(y);
  const cn = ['', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
  const re = (n: number): RegExp => new RegExp(`十${cn[n - 10]}五|第十${cn[n - 10]}个五年`);
  return { ahead: re(ahead), behind: re(ahead - 1) };
}

/**
 * A heading is read chunk by chunk (split at 和 及 与 、 ,), each chunk naming at most one period:
 * 一、2025年和“十四五”时期工作回顾 → last-year, five-year-review.
 */
function chunkPeriod(raw: string, y: number): Period | undefined {
  const chunk = arabicYears(raw);
  const plans = planPatterns(y);
  if ((plans.ahead?.test(chunk)) || /未来五年|今后五年/.test(chunk)) return /开局|开好局|起好步/.test(chunk) ? 'current' : 'five-year-plan';
  if ((plans.behind?.test(chunk)) || /过去五年|五年来|这五年/.test(chunk)) return 'five-year-review';
  if (new RegExp(`${y - 1}年|一年来|过去一年|一年接着一年`).test(chunk)) return 'last-year';
  if (new RegExp(`${y}年|今年`).test(chunk)) return 'current';
  if (/回顾|总结|成就/.test(chunk)) return 'last-year';
  if (/重点工作|工作安排|主要任务|重点任务|主要工作|目标任务|抓好.{0,4}工作|自身建设|政府治理|服务型政府|法治型|人民满意的/.test(chunk)) return 'current';
  return undefined;
}

/** Cues at the start of a sentence in a paragraph's opening. */
const LEAD_CUES: Cue[] = [
  {
    period: 'five-year-review',
    pattern: (y) => {
      const behind = opensPlan(y) ? planName(y - 1) : '(?!)';
      return new RegExp(`^(?:——)?(?:过去五年|五年来|这五年|五年间|(?:回顾|回望|回首)(?:过去)?(?:五年|这五年|“?十[一二三四五六七八九]五)|“?${behind}”?(?:时期|期间|以来)|这是.{2,24}的五年)`);
    },
  },
  {
    period: 'five-year-plan',
    pattern: (y) => {
      if (!opensPlan(y)) return /^(?:未来五年|今后五年)/;
      const ahead = planName(y);
      const n = ['', '一', '二', '三', '四', '五', '六', '七', '八', '九'][planNumber(y) - 10];
      const end = y + 4;
      return new RegExp(`^(?:“?${ahead}”?时期|未来五年|今后五年|展望“?${ahead}|到${end}年|.{0,50}(?:第十${n}个五年规划|“?${ahead}”?规划(?:纲要|建议)))`);
    },
  },
  { period: 'current', pattern: (y) => new RegExp(`^(?:今年|${y}年(?:是|,|政府工作|工作|经济社会发展)|做好今年|综合考虑)`) },
  { period: 'last-year', pattern: (y) => new RegExp(`^(?:过去一年|一年来|刚刚过去的|去年|初步统计|${y - 1}年(?:是|,|我们|全[省市区县]|面对|以来|主要|工作))`) },
];

/** The periods a heading names, in the order it names them (一、2025年和“十四五”时期工作回顾 → last-year, five-year-review). */
export function headingPeriods(heading: string, year: number): Period[] {
  const body = heading.replace(/^[一二三四五六七八九十]{1,3}、/, '');
  const periods: Period[] = [];
  for (const chunk of body.split(/[和及与、,]/)) {
    const p = chunkPeriod(chunk, year);
    if (p && !periods.includes(p)) periods.push(p);
  }
  return periods;
}

/** The period the opening of a paragraph turns to, if it says (the first two sentences are read). */
export function leadPeriod(sentences: string[], year: number): Period | undefined {
  const found: Period[] = [];
  // 各位代表！ is a sentence of its own: the opening starts after it.
  const opening = sentences.map((s) => s.replace(/^各位代表[!:,。]\s*/, '').trim()).filter(Boolean);
  for (const s of opening.slice(0, 2)) {
    const a = arabicYears(s);
    for (const cue of LEAD_CUES) if (cue.pattern(year).test(a)) found.push(cue.period);
  }
  // 2025年是“十四五”收官之年。五年来，…: the five years, which the second sentence turns to.
  if (found.includes('five-year-review')) return 'five-year-review';
  return found[0];
}

/** Annexes: a list of this year's practical projects (2026年民生实事) belongs to the plan. */
export function annexPeriod(heading: string, year: number): Period {
  return new RegExp(`${year}年|今年|民生实事|实事项目`).test(arabicYears(heading)) ? 'current' : 'annex';
}

export const PERIOD_LABEL: Record<Period, string> = {
  front: '报告信息',
  'last-year': '上年工作回顾',
  'five-year-review': '过去五年回顾',
  'five-year-plan': '五年目标任务',
  current: '今年工作安排',
  annex: '附件',
};
