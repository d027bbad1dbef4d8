import * as OpenCC from 'opencc-js/t2cn';
import { foldWidth } from './text.ts';
import { TRADITIONAL_CHARACTERS } from './traditional.ts';

/**
 * Text normalisation shared by indexing and question analysis: Unicode NFKC (full-width → half-width),
 * traditional → simplified characters, control characters and markup removed, and Chinese numerals read
 * as numbers. Quotes are never cut from normalised text: offsets always point into the stored source.
 */

// Building the converter (a trie of its whole dictionary) takes longer than anything else at start;
// most text holds no character it changes, so it is built when the first such text comes.
let converter: ((text: string) => string) | undefined;
const toSimplified = (text: string): string => (converter ??= OpenCC.Converter({ from: 't', to: 'cn' }))(text);

// Zero-width characters, the BOM and C0/C1 controls (keeping tab and newline as spaces).
const INVISIBLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]/g;
const MARKUP = /<\/?[a-zA-Z][^<>]{0,200}>|<!--[\s\S]{0,500}?-->|[*_`#>~|]{1,3}/g;

/**
 * Characters that the converter changes on their own (listed by scripts/make-traditional.mjs; a test
 * checks the list against the converter): most text has none and skips conversion.
 */
const CHANGED = new Set(TRADITIONAL_CHARACTERS);
function hasTraditional(text: string): boolean {
  for (const ch of text) {
    if (ch.charCodeAt(0) < 0x3400) continue;
    if (CHANGED.has(ch)) return true;
  }
  return false;
}

/** NFKC, simplified script, no control characters; keeps the text's meaning and length roughly. */
export function normalizeText(text: string): string {
  const t = text.normalize('NFKC').replace(INVISIBLE, ' ');
  return hasTraditional(t) ? toSimplified(t) : t;
}

/** Normalises a user's question: also drops HTML/Markdown markup and collapses white space. */
export function normalizeQuestion(text: string): string {
  return normalizeText(text)
    .replace(MARKUP, ' ')
    .replace(/&(?:nbsp|amp|lt|gt|quot|#\d+);/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

export type UnitFamily =
  | 'age'
  | 'weight'
  | 'energy'
  | 'concentration'
  | 'money'
  | 'percent'
  | 'people'
  | 'count'
  | 'times'
  | 'area'
  | 'length'
  | 'year'
  | 'date'
  | 'duration'
  | 'none';

/** Measure words and units, longest first so 平方米 wins over 米. */
const UNITS: Array<[string, UnitFamily]> = [
  ['微克/立方米', 'concentration'],
  ['毫克/立方米', 'concentration'],
  ['标准箱', 'count'],
  ['标箱', 'count'],
  ['千瓦时', 'energy'],
  ['千瓦', 'energy'],
  ['兆瓦', 'energy'],
  ['个工作日', 'duration'],
  ['工作日', 'duration'],
  ['吨标准煤', 'weight'],
  ['立方米', 'area'],
  ['平方公里', 'area'],
  ['平方米', 'area'],
  ['公顷', 'area'],
  ['亩', 'area'],
  ['公里', 'length'],
  ['千米', 'length'],
  ['米', 'length'],
  ['亿元', 'money'],
  ['万元', 'money'],
  ['美元', 'money'],
  ['元', 'money'],
  ['块钱', 'money'],
  ['块', 'money'],
  ['个百分点', 'percent'],
  ['百分点', 'percent'],
  ['%', 'percent'],
  ['人次', 'people'],
  ['岁', 'age'],
  ['公斤', 'weight'],
  ['斤', 'weight'],
  ['架次', 'times'],
  ['列', 'count'],
  ['人', 'people'],
  ['名', 'people'],
  ['位', 'people'],
  ['户', 'count'],
  ['场次', 'times'],
  ['批次', 'times'],
  ['航次', 'times'],
  ['次', 'times'],
  ['场', 'times'],
  ['批', 'times'],
  ['个', 'count'],
  ['家', 'count'],
  ['处', 'count'],
  ['座', 'count'],
  ['部', 'count'],
  ['条', 'count'],
  ['所', 'count'],
  ['项', 'count'],
  ['件', 'count'],
  ['张', 'count'],
  ['台', 'count'],
  ['辆', 'count'],
  ['套', 'count'],
  ['栋', 'count'],
  ['间', 'count'],
  ['床', 'count'],
  ['支', 'count'],
  ['只', 'count'],
  ['艘', 'count'],
  ['吨', 'weight'],
  ['倍', 'count'],
  ['年', 'duration'],
  ['月', 'date'],
  ['日', 'date'],
  ['号', 'date'],
  ['天', 'duration'],
  // Computing power (1.7万P, 5EFLOPS), written after the figure in Latin letters.
  ['EFLOPS', 'count'],
  ['PFLOPS', 'count'],
  ['P', 'count'],
];

const UNIT_PATTERN = UNITS.map(([u]) => u.replace('/', '\\/')).join('|');
const QUALIFIER = '以上|以下|左右|以内|多|余|上下';

export interface Quantity {
  /** The value with 万/亿 applied: 4万 → 40000, 2.1万 → 21000. */
  value: number;
  unit?: string;
  family: UnitFamily;
  /** 以上, 左右, 多 … as written. */
  qualifier?: string;
  /** Ordinal (第五): not a quantity of anything. */
  ordinal: boolean;
  start: number;
  end: number;
  raw: string;
}

const CN_DIGIT: Record<string, number> = {
  零: 0,
  〇: 0,
  一: 1,
  二: 2,
  两: 2,
  三: 3,
  四: 4,
  五: 5,
  六: 6,
  七: 7,
  八: 8,
  九: 9,
};
const CN_SMALL_UNIT: Record<string, number> = { 十: 10, 百: 100, 千: 1000 };
const CN_BIG_UNIT: Record<string, number> = { 万: 1e4, 亿: 1e8 };

/**
 * Reads a Chinese numeral: 三千 → 3000, 两万 → 20000, 七十 → 70, 十五 → 15, 一百零五 → 105,
 * 二〇二五 → 2025 (digit by digit). Returns undefined for strings that are not a well-formed numeral
 * (十四五, 五筛两检), which keeps names like “十四五” intact.
 */
export function parseChineseNumber(text: string): number | undefined {
  if (!text) return undefined;
  // Digit-by-digit years and codes: 二〇二五.
  if (/^[零〇一二三四五六七八九]{2,}$/.test(text)) {
    return Number([...text].map((c) => CN_DIGIT[c]).join(''));
  }
  let total = 0;
  let section = 0;
  let digit: number | undefined;
  let lastSmall = Infinity;
  let lastBig = Infinity;
  for (const ch of text) {
    if (ch in CN_DIGIT) {
      if (digit !== undefined && digit !== 0 && CN_DIGIT[ch] !== 0) return undefined; // 四五 is not a number
      digit = CN_DIGIT[ch]!;
    } else if (ch in CN_SMALL_UNIT) {
      const unit = CN_SMALL_UNIT[ch]!;
      if (unit >= lastSmall) return undefined;
      lastSmall = unit;
      section += (digit ?? 1) * unit;
      digit = undefined;
    } else if (ch in CN_BIG_UNIT) {
      const unit = CN_BIG_UNIT[ch]!;
      if (unit >= lastBig) return undefined;
      lastBig = unit;
      total += (section + (digit ?? 0)) * unit;
      section = 0;
      digit = undefined;
      lastSmall = Infinity;
    } else {
      return undefined;
    }
  }
  return total + section + (digit ?? 0);
}

const ARABIC = String.raw`\d+(?:\.\d+)?`;
const CN = '[零〇一二两三四五六七八九十百千万亿]+';
const QUANTITY = new RegExp(
  `(第)?(${ARABIC}|${CN})(万|亿|千|百)?(多|余)?(${UNIT_PATTERN})?(${QUALIFIER})?`,
  'g',
);

/**
 * Finds the quantities in a text: Arabic figures (300个, 5.5%以上, 847亿元, 4.2万平方米) and Chinese
 * numerals that clearly count something (三千多人, 两万, 七十家). Chinese numerals inside names such
 * as 十四五, 一院一园 or 五筛两检 are left alone: they need a unit or a 十/百/千/万 to count.
 */
export function extractQuantities(source: string): Quantity[] {
  // Full-width digits and ％ read like ASCII; folding keeps every offset.
  const text = foldWidth(source);
  const out: Quantity[] = [];
  // 首艘, 首批, 首个: “the first”, an ordinal written without 第.
  for (const m of text.matchAll(/首(艘|批|个|家|座|届|次|条|所|项|辆|台)/g)) {
    const start = m.index ?? 0;
    out.push({ value: 1, unit: m[1]!, family: familyOf(m[1]!), ordinal: true, start, end: start + m[0].length, raw: m[0] });
  }
  for (const m of text.matchAll(QUANTITY)) {
    const [raw, ordinalMark, num, magnitude, approx, unit, qualifier] = m;
    const start = m.index ?? 0;
    const isArabic = /^\d/.test(num!);
    let value: number | undefined;
    if (isArabic) {
      // A digit run glued to a letter (5G, RCEP2) is a name, not a figure.
      if (/[A-Za-z]/.test(text[start - 1] ?? '') || /[A-Za-z]/.test(text[start + raw!.length] ?? '') || /[A-Za-z]-$/.test(text.slice(Math.max(0, start - 2), start))) continue;
      // 〔43〕, [16], （3）: a note reference or a list number, not a figure.
      if (raw === num && /^[〔\[【(（]$/.test(text[start - 1] ?? '') && /^[〕\]】)）]$/.test(text[start + raw!.length] ?? '')) continue;
      value = Number(num);
    } else {
      // Chinese numerals: require something that makes them a count.
      const counts = Boolean(unit || magnitude || approx || ordinalMark) || /[十百千万亿]/.test(num!) || num!.length >= 3;
      if (!counts) continue;
      // A lone 千/百/万 (每千人口) is a rate, not a count, unless it is approximate (千余人).
      if (/^[十百千万亿]$/.test(num!) && !approx) continue;
      // 一批, 一处, 一件: an indefinite article, not a figure.
      if (num === '一' && !magnitude && !approx && !ordinalMark) continue;
      // 两位数增长: double-digit growth, a rate.
      if (unit === '位' && text.startsWith('数', start + raw!.length)) {
        out.push({ value: parseChineseNumber(num!) ?? 0, family: 'percent', ordinal: false, start, end: start + raw!.length + 1, raw: `${raw}数`, unit: '位数' });
        continue;
      }
      value = parseChineseNumber(num!);
      // A numeral glued to more numeral-like characters (十四五, 十五五) is a name.
      const next = text[start + raw!.length] ?? '';
      if (value !== undefined && !unit && /[一二三四五六七八九]/.test(next)) value = undefined;
      if (value !== undefined && /[一二三四五六七八九十]/.test(text[start - 1] ?? '')) value = undefined;
    }
    if (value === undefined || !Number.isFinite(value)) continue;
    if (magnitude) value *= magnitude === '万' ? 1e4 : magnitude === '亿' ? 1e8 : magnitude === '千' ? 1e3 : 100;
    value = Math.round(value * 1e6) / 1e6;
    if (out.some((q) => q.start < start + raw!.length && start < q.end)) continue;
    let family: UnitFamily = unit ? familyOf(unit) : 'none';
    if (unit === '年' && value >= 1900 && value <= 2100 && !magnitude) family = 'year';
    if (!unit && isArabic && !magnitude && value >= 1900 && value <= 2100 && /^\d{4}$/.test(num!)) family = 'year';
    if (magnitude === '亿' && !unit) family = 'money';
    out.push({
      value,
      family,
      ordinal: Boolean(ordinalMark),
      start,
      end: start + raw!.length,
      raw: raw!,
      ...(unit ? { unit } : {}),
      ...(qualifier || approx ? { qualifier: qualifier ?? approx } : {}),
    });
  }
  return out.sort((a, b) => a.start - b.start);
}

export function familyOf(unit: string): UnitFamily {
  for (const [u, family] of UNITS) if (u === unit) return family;
  return 'none';
}

/** Canonical form of a value used as an index term: 40000 → "40000", 4.6 → "4.6". */
export function valueKey(value: number): string {
  return String(Math.round(value * 1e6) / 1e6);
}
