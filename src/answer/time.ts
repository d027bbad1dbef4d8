/**
 * When a question asks about: this year (今年, 2026年), last year (去年, 上年), a named year, the past
 * five years (十四五, 过去五年) or the next five (十五五, 到2030年). Years are read as the question writes
 * them; which report and which of its parts that means is decided by scope.ts against what is loaded.
 */
export type TimeKind = 'none' | 'current' | 'last-year' | 'year' | 'five-year-review' | 'five-year-plan' | 'next-year';

export interface TimeAsked {
  kind: TimeKind;
  /** A year the question names (2025年 → 2025). */
  year?: number;
  /** The words that say when, as written (去年, 十四五, 2025年), for messages. */
  marker?: string;
}

const FIVE_REVIEW = /十四五|14五|过去五年|五年来|这五年|前五年|过去5年|上一个五年|\b14th five/;
const FIVE_PLAN = /十五五|15五|未来五年|今后五年|下一个五年|到2030|2030年|\b15th five/;
const LAST_YEAR = /去年|上年|上一年|过去一年|前一年|\blast year\b/;
const NEXT_YEAR = /明年|后年|下一年|\bnext year\b/;
const CURRENT = /今年|本年|当年|年内|全年|\bthis year\b/;

export function timeOf(text: string): TimeAsked {
  const five = FIVE_PLAN.exec(text);
  if (five) return { kind: 'five-year-plan', marker: five[0] === '到2030' ? '到2030年' : five[0] };
  const review = FIVE_REVIEW.exec(text);
  if (review) return { kind: 'five-year-review', marker: review[0] };
  // 2025年, 2025 (an ASCII year not glued to other digits).
  const year = /(?<!\d)((?:19|20)\d{2})(?!\d)(?:年)?/.exec(text);
  if (year) return { kind: 'year', year: Number(year[1]), marker: `${year[1]}年` };
  const last = LAST_YEAR.exec(text);
  if (last) return { kind: 'last-year', marker: last[0] };
  const next = NEXT_YEAR.exec(text);
  if (next) return { kind: 'next-year', marker: next[0] };
  if (CURRENT.test(text)) return { kind: 'current' };
  return { kind: 'none' };
}
