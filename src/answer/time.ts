/**
 * When a question asks about: this year (今年, 2026年), last year (去年, 上年), a named year, the past
 * five years (十四五, 过去五年) or the next five (十五五, 到2030年). Years are read as the question writes
 * them; which report and which of its parts that means is decided by scope.ts against what is loaded.
 */
export type TimeKind = 'none' | 'current' | 'last-year' | 'year' | 'five-year-review' | 'five-year-plan' | 'plan' | 'next-year';

export interface TimeAsked {
  kind: TimeKind;
  /** A year the question names (2025年 → 2025). */
  year?: number;
  /** A five-year plan named by its number (十四五 → 14), for kind `plan`. */
  plan?: number;
  /** The words that say when, as written (去年, 十四五, 2025年), for messages. */
  marker?: string;
}

const CN = '一二三四五六七八九';

/** 十四五, “十三五”, 14五, the 14th Five-Year Plan: a plan named by number; which one is past is read against the reports. */
const NAMED_PLAN = /十([一二三四五六七八九])五|(?<!\d)1(\d)五|\b1(\d)th five/;
const FIVE_REVIEW = /过去五年|五年来|这五年|这几年|前五年|过去5年|上一个五年|近五年|五年间|五年里|五年累计/;
const FIVE_PLAN = /未来五年|今后五年|下一个五年/;
const LAST_YEAR = /去年|上年|上一年|过去一年|前一年|\blast year\b/;
const NEXT_YEAR = /明年|后年|下一年|\bnext year\b/;
const CURRENT = /今年|本年|当年|年内|全年|\bthis year\b/;

/** Words that only say when (去年, 十四五期间, 2025年, 这五年): blanked before the subject is read. */
const TIME_WORDS = /(?:到|截至|截止)?(?:“?十[一二三四五六七八九]五”?|1\d五)(?:时期|期间|规划|以来|末|初|这几年|这五年)?|过去五年|五年来|这五年|这几年|前五年|过去5年|上一个五年|未来五年|今后五年|下一个五年|(?:到|截至)?(?<!\d)(?:19|20)\d{2}年?(?:底|末|初)?|去年|上年|上一年|过去一年|前一年|明年|后年|下一年|今年|本年|当年|年内|全年/g;

/** The first words that say when, as written (今年, 十四五期间, 2025年), if any. */
export function timeWords(text: string): string | undefined {
  return new RegExp(TIME_WORDS.source).exec(text)?.[0].trim() || undefined;
}

export function withoutTime(text: string): string {
  return text.replace(TIME_WORDS, (m) => ' '.repeat(m.length));
}

export function timeOf(text: string): TimeAsked {
  const named = NAMED_PLAN.exec(text);
  if (named) {
    const digit = named[1] ? CN.indexOf(named[1]) + 1 : Number(named[2] ?? named[3]);
    const plan = 10 + digit;
    return { kind: 'plan', plan, marker: `十${CN[digit - 1]}五` };
  }
  const five = FIVE_PLAN.exec(text);
  if (five) return { kind: 'five-year-plan', marker: five[0] === '到2030' ? '到2030年' : five[0] };
  const review = FIVE_REVIEW.exec(text);
  if (review) return { kind: 'five-year-review', marker: review[0] };
  // 2018到2022年, 2021—2025年: five years are the look back over a plan or a government's term;
  // another span is asked of its last year.
  const span = /(?<!\d)((?:19|20)\d{2})\s*年?\s*(?:到|至|—|–|-|~|～)\s*((?:19|20)\d{2})(?!\d)\s*年?/.exec(text);
  if (span) {
    const [from, to] = [Number(span[1]), Number(span[2])];
    if (to - from === 4) return { kind: 'five-year-review', marker: `${from}—${to}年` };
    if (to > from) return { kind: 'year', year: to, marker: `${to}年` };
  }
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
