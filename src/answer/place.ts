import type { Gazetteer, PlaceMention, Region, RegionLevel } from '../corpus/regions.ts';

/**
 * Where a question asks about: places it names (浙江省, 浙江, 浙, Zhejiang, 济南市) through the
 * gazetteer, and words that point at a level relative to the asker (全省, 我市, 区里). Which reports
 * that selects, and whether it is a place no loaded report governs, is decided by scope.ts.
 */
export interface PlaceAsked {
  mentions: PlaceMention[];
  /** 全省 / 本市 / 区里 …: the level pointed at. */
  relative: RegionLevel[];
  /** The question with the place names blanked out, for concept extraction. */
  rest: string;
}

const RELATIVE = /(?:全|本|我|咱|咱们|我们)(省|市|区|县|州)|(省|市|区|县)(?:里|级)(?!别)/g;
const LEVEL: Record<string, RegionLevel> = { 省: 'province', 市: 'city', 区: 'county', 县: 'county', 州: 'city' };

export function placesOf(text: string, gazetteer: Gazetteer, own: Array<{ form: string; region: Region }> = []): PlaceAsked {
  const mentions = gazetteer.find(text, { abbreviations: true });
  // The loaded regions' own short forms (市北 for 市北区), which the gazetteer does not list for counties.
  for (const { form, region } of own) {
    for (let at = text.indexOf(form); at >= 0; at = text.indexOf(form, at + form.length)) {
      if (mentions.some((m) => m.start >= 0 && m.start < at + form.length && at < m.end)) continue;
      mentions.push({ region, form, start: at, end: at + form.length });
    }
  }
  mentions.sort((a, b) => a.start - b.start);
  let rest = text;
  for (const m of [...mentions].filter((x) => x.start >= 0).sort((a, b) => b.start - a.start)) {
    rest = rest.slice(0, m.start) + ' '.repeat(m.end - m.start) + rest.slice(m.end);
  }
  if (mentions.some((m) => m.start < 0)) {
    for (const m of mentions) if (m.start < 0) rest = rest.replace(new RegExp(`\\b${m.form}(?:'s)?\\b`, 'g'), ' ');
  }
  const relative: RegionLevel[] = [];
  for (const m of rest.matchAll(RELATIVE)) {
    const level = LEVEL[(m[1] ?? m[2])!];
    if (level && !relative.includes(level)) relative.push(level);
  }
  return { mentions, relative, rest };
}
