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

const RELATIVE = /(?:全|本|我|咱|咱们|我们)(省|市|区|县|州)|(省|市|区|县)里/g;
const LEVEL: Record<string, RegionLevel> = { 省: 'province', 市: 'city', 区: 'county', 县: 'county', 州: 'city' };

export function placesOf(
  text: string,
  gazetteer: Gazetteer,
  own: Array<{ form: string; region: Region }> = [],
  /** Does the reports' text write this string (a place name inside a longer name: 青岛金地中心, 长沙路)? */
  written: (s: string) => boolean = () => false,
): PlaceAsked {
  // A place name that runs on into a name the reports write (青岛金地中心, 长沙路, 上海港) is part of that
  // name: it names a thing, which may locate the question but never puts it out of scope.
  const mentions = gazetteer
    .find(text, { abbreviations: true })
    // 全国第二, 高于全国, 全国首位: a comparison with the country, not a question about it.
    .filter((m) => !(m.region.level === 'country' && m.start >= 0 && (/^(?:第|排|前|首|平均|水平|领先|前列|上游|之最)/.test(text.slice(m.end)) || /(?:居|高于|低于|(?<![现正实存所好])在|占)$/.test(text.slice(0, m.start)))))
    // 国家级, 中国式现代化, 全国人大: the word inside a name or a term, not the country asked about.
    .filter((m) => !(m.region.level === 'country' && m.start >= 0 && !countryAsked(m, text, written)))
    .map((m) => (inName(m, text, written) ? { ...m, partOfName: true } : m));
  // The loaded regions' own short forms (市北 for 市北区), which the gazetteer does not list for counties.
  for (const { form, region } of own) {
    if (/^[a-z ]+$/.test(form)) {
      if (` ${text.replace(/[^a-z]+/g, ' ')} `.includes(` ${form} `) && !mentions.some((m) => m.region === region)) {
        // Qingyuan is 清苑区 when that is loaded, not the 清远市 the gazetteer spells the same.
        for (let k = mentions.length - 1; k >= 0; k--) if (mentions[k]!.start < 0 && mentions[k]!.form === form) mentions.splice(k, 1);
        mentions.push({ region, form, start: -1, end: -1 });
      }
      continue;
    }
    for (let at = text.indexOf(form); at >= 0; at = text.indexOf(form, at + form.length)) {
      // 青岛市北区: the gazetteer reads 青岛市, but the loaded district 市北 is what is named.
      for (let k = mentions.length - 1; k >= 0; k--) {
        const m = mentions[k]!;
        if (m.start >= 0 && m.start < at + form.length && at < m.end && m.region !== region && gazetteer.within(region.name, m.region.name)) {
          // What is left of it (青岛) only qualifies the district: blanked from the subject, not a place asked.
          if (m.start < at) mentions.splice(k, 1, { ...m, end: at, form: text.slice(m.start, at), qualifier: true });
          else mentions.splice(k, 1);
        }
      }
      if (mentions.some((m) => m.start >= 0 && m.start < at + form.length && at < m.end)) continue;
      mentions.push({ region, form, start: at, end: at + form.length });
    }
  }
  // 安国今年…: a county's short name right before the time asked is a place, wherever it lies.
  for (const m of text.matchAll(/(?:^|[\s,，。?？!！、:：])(\p{Script=Han}{2,4}?)(?=今年|去年|明年|前年|(?:19|20)\d{2}年)/gu)) {
    const short = m[1]!;
    const start = (m.index ?? 0) + m[0].length - short.length;
    if (mentions.some((x) => x.start >= 0 && x.start < start + short.length && start < x.end)) continue;
    const region = gazetteer.countiesByShortName(short)[0];
    if (region && !written(short + text.slice(start + short.length, start + short.length + 1))) mentions.push({ region, form: short, start, end: start + short.length });
  }
  // China-Laos Railway, Taiwan-funded firms: a place name joined by a hyphen names a thing.
  for (const m of mentions) {
    if (m.start < 0 && new RegExp(`\\b${m.form.replace(/ /g, '[ -]')}-[a-z]|[a-z]-${m.form.replace(/ /g, '[ -]')}\\b`).test(text)) m.partOfName = true;
  }
  mentions.sort((a, b) => a.start - b.start);
  let rest = text;
  for (const m of [...mentions].filter((x) => x.start >= 0 && !x.partOfName).sort((a, b) => b.start - a.start)) {
    rest = rest.slice(0, m.start) + ' '.repeat(m.end - m.start) + rest.slice(m.end);
  }
  if (mentions.some((m) => m.start < 0)) {
    for (const m of mentions) if (m.start < 0) rest = rest.replace(new RegExp(`\\b${m.form}(?:'s)?\\b`, 'g'), ' ');
  }
  const relative: RegionLevel[] = [];
  // (the name-part forms stay in the subject: 上海港 is what is asked about)
  for (const m of rest.matchAll(RELATIVE)) {
    const level = LEVEL[(m[1] ?? m[2])!];
    if (level && !relative.includes(level)) relative.push(level);
  }
  return { mentions, relative, rest };
}

/**
 * 国家 and 中国 are words of many terms (国家级, 国家重点实验室, 中国式现代化); they ask about the country
 * unless they run on into such a term the reports write. 全国 is a place unless it names the congress
 * (全国人大, 全国政协).
 */
function countryAsked(m: PlaceMention, text: string, written: (s: string) => boolean): boolean {
  const next = text.slice(m.end);
  if (/^(?:人大|人民代表大会|政协|人民政治协商)/.test(next)) return false;
  if (m.form !== '国家' && m.form !== '中国') return true;
  if (!/^\p{Script=Han}/u.test(next) || /^(?:今年|去年|明年|前年|上年|的|政府|层面|总体|整体|全年)/.test(next)) return true;
  return !written(m.form + next.slice(0, 1)) && !written(m.form + next.slice(0, 2));
}

function inName(m: PlaceMention, text: string, written: (s: string) => boolean): boolean {
  if (m.start < 0 || [...m.form].length < 2) return false;
  const next = text.slice(m.end, m.end + 2);
  if (!/^\p{Script=Han}/u.test(next) || /^(?:今年|去年|明年|全|省|市|的|在|和|与|及|、|这|那|各|有|要|是|将)/.test(next)) return false;
  // 长沙路, 青岛港, 青岛金地中心: a road, port, park or building named after the place. (西藏经济 is not.)
  if (/^[路街港湾桥园馆站场]/.test(next) && written(m.form + next[0])) return true;
  const rest = text.slice(m.end, m.end + 6);
  const name = /^\p{Script=Han}{0,4}?(?:中心|大厦|集团|大学|机场|广场|新区)/u.exec(rest)?.[0];
  return Boolean(name && written(m.form + name));
}
