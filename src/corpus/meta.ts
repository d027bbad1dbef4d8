import { parseChineseNumber } from './normalize.ts';
import type { Gazetteer, RegionLevel } from './regions.ts';
import { foldWidth } from './text.ts';
import type { FrontMatter } from './front.ts';

/**
 * What a report says about itself: its region, the year its plan is for, the date and meeting it was
 * delivered at, and who delivered it. Read from the title (2026年山东省政府工作报告), the meeting line
 * (——2026年1月27日在山东省第十四届人民代表大会第四次会议上), the speaker (山东省省长 周乃翔), the file name
 * (2026_山东省_政府工作报告.txt) and, failing those, the headings and the text itself. A `.json` beside
 * the report overrides any field.
 */
export interface DetectedMeta {
  title?: string;
  region?: string;
  level?: RegionLevel;
  city?: string;
  province?: string;
  year?: number;
  /** ISO date the report was delivered. */
  date?: string;
  meeting?: string;
  speaker?: string;
  /** Where each field came from, for `npm run add` and the tests. */
  from: Record<string, string>;
}

const YEAR = /((?:19|20)\d{2})年/;
const CN_YEAR = /([〇零一二三四五六七八九]{4})年/;

export function detectMeta(text: string, fileName: string, front: FrontMatter, gazetteer: Gazetteer): DetectedMeta {
  const out: DetectedMeta = { from: {} };
  // Each source is read only when the ones before it said nothing.
  const set = <K extends keyof DetectedMeta>(key: K, read: DetectedMeta[K] | undefined | (() => DetectedMeta[K] | undefined), source: string): void => {
    if (out[key] !== undefined) return;
    const value = typeof read === 'function' ? (read as () => DetectedMeta[K] | undefined)() : read;
    if (value === undefined) return;
    out[key] = value;
    out.from[key as string] = source;
  };
  const meeting = front.meetingText ? readMeeting(front.meetingText) : undefined;
  // A scraper's label (标题：2021年保定市政府工作报告) is not part of the title.
  const title = (front.titleText ?? '').replace(/^标题\s*[:：]\s*/, '');
  const head = (): string => foldWidth(text.slice(0, 4000));

  // The State Council's report: delivered to the National People's Congress, by the Premier.
  set('region', () => (national(meeting, front, fileName, head()) ? NATIONAL : undefined), 'national congress or State Council');
  // Region: the meeting names the people's congress of the region (在山东省第十四届人民代表大会).
  set('region', () => (meeting?.region ? known(gazetteer, meeting.region) : undefined), 'meeting line');
  set('region', () => regionIn(title.replace(/政府工作报告.*$/, ''), gazetteer), 'title');
  set('region', () => (front.speakerText ? regionIn(front.speakerText, gazetteer) : undefined), 'speaker');
  set('region', () => regionIn(fileName.replace(/\.[a-z]+$/i, '').replace(/[_-]/g, ' '), gazetteer), 'file name');
  // A district's report names itself by its short form (市北) and its city in full (青岛): the short form first.
  set('region', () => shortNamed(text, gazetteer), 'text (short name)');
  set('region', () => mostNamed(head(), gazetteer), 'text');

  // Year of the plan: the title's year, else the meeting's (reports are delivered early in the plan year).
  set('year', yearOf(title), 'title');
  set('year', meeting?.year, 'meeting line');
  set('year', yearOf(fileName), 'file name');
  set('year', () => planHeadingYear(text), 'headings');
  set('year', () => mostMentionedYear(text), 'text');

  set('date', meeting?.date, 'meeting line');
  if (front.meetingText) set('meeting', front.meetingText.replace(/^[—\-(\s]+|[)\s]+$/g, ''), 'meeting line');
  if (front.speakerText) set('speaker', front.speakerText, 'speaker line');

  if (out.region === NATIONAL) {
    out.level = 'country';
  } else if (out.region) {
    // A name several divisions share (鼓楼区, 市中区): the one whose city or province the text names.
    const r = disambiguate(out.region, head(), gazetteer);
    if (r) {
      out.level = r.level;
      const up = r.parent ? [r.name, ...gazetteer.ancestors(r.parent)] : [r.name];
      const city = up.find((n) => gazetteer.get(n)?.level === 'city' && n !== out.region);
      const province = up.find((n) => gazetteer.get(n)?.level === 'province' && n !== out.region);
      if (city) out.city = city;
      if (province) out.province = province;
    } else {
      out.level = levelOf(out.region);
    }
  }
  // A title that names the region and the year is kept as written; a bare one (政府工作报告) is completed.
  const cleanTitle = title.replace(/^[《\s]+|[》\s。]+$/g, '');
  if (cleanTitle && out.region && out.year && cleanTitle.includes(String(out.year)) && cleanTitle.includes(gazetteer.shortName(out.region))) {
    set('title', cleanTitle, 'title');
  } else if (out.region && out.year) {
    set('title', `${out.year}年${out.region === NATIONAL ? '国务院' : out.region}政府工作报告`, cleanTitle ? 'title completed with region and year' : 'region and year');
  } else if (cleanTitle) {
    set('title', cleanTitle, 'title');
  }
  return out;
}

/** The region name of the national report (the gazetteer's country). */
export const NATIONAL = '全国';

function national(meeting: { region?: string } | undefined, front: FrontMatter, fileName: string, head: string): boolean {
  if (front.meetingText && /全国人民代表大会/.test(foldWidth(front.meetingText))) return true;
  if (front.speakerText && /国务院总理/.test(front.speakerText)) return true;
  if (/我代表国务院/.test(head.slice(0, 600))) return true;
  return !meeting?.region && /国务院|全国/.test(fileName);
}

function known(g: Gazetteer, name: string): string | undefined {
  if (g.get(name)) return name;
  return regionIn(name, g);
}

/** The most specific region named in a short text (省 < 市 < 区: 青岛市市北区 → 市北区). */
function regionIn(text: string, g: Gazetteer): string | undefined {
  const found = g.find(foldWidth(text).toLowerCase()).filter((m) => m.region.level !== 'country' && m.region.level !== 'area');
  if (!found.length) return undefined;
  const depth = (lvl: RegionLevel): number => (lvl === 'province' ? 1 : lvl === 'city' ? 2 : 3);
  return [...found].sort((a, b) => depth(b.region.level) - depth(a.region.level))[0]!.region.name;
}

/** The region the opening of the report names most often, with its full name. */
function mostNamed(head: string, g: Gazetteer): string | undefined {
  const counts = new Map<string, number>();
  for (const m of g.find(head.toLowerCase())) {
    if (m.region.level === 'country' || m.region.level === 'area') continue;
    counts.set(m.region.name, (counts.get(m.region.name) ?? 0) + 1);
  }
  const best = [...counts].sort((a, b) => b[1] - a[1])[0];
  return best && best[1] >= 2 ? best[0] : undefined;
}

/**
 * 全区 … 市北 … 市北: a district's report names itself by its short form and its city in full. Among the
 * districts and counties of the cities the text names, the one whose short form it uses most (three
 * times at least).
 */
function shortNamed(text: string, g: Gazetteer): string | undefined {
  const f = foldWidth(text.slice(0, 30000));
  if (!/全区|全县|区委|县委|区政府|县政府|区人大|县人大/.test(f)) return undefined;
  const cities = new Set(g.find(f.slice(0, 6000).toLowerCase()).filter((m) => m.region.level === 'city').map((m) => m.region.name));
  let best: { name: string; n: number } | undefined;
  for (const city of cities) {
    for (const county of g.children(city)) {
      const short = g.shortName(county.name);
      if ([...short].length < 2) continue;
      const n = f.split(short).length - 1;
      if (n >= 3 && (!best || n > best.n)) best = { name: county.name, n };
    }
  }
  return best?.name;
}

function disambiguate(name: string, head: string, g: Gazetteer) {
  const all = g.lookup(name).filter((r) => r.name === name);
  if (all.length <= 1) return all[0] ?? g.get(name);
  const f = head.toLowerCase();
  const score = (r: { parent?: string }): number =>
    (r.parent ? g.ancestors(r.parent) : []).reduce((n, a) => n + (f.includes(g.shortName(a)) ? 1 : 0), 0);
  return [...all].sort((a, b) => score(b) - score(a))[0];
}

/** The year the text speaks of most in its headings and openings, as a last resort. */
function mostMentionedYear(text: string): number | undefined {
  const counts = new Map<number, number>();
  for (const m of foldWidth(text.slice(0, 30000)).matchAll(/((?:19|20)\d{2})年/g)) counts.set(Number(m[1]), (counts.get(Number(m[1])) ?? 0) + 1);
  const best = [...counts].sort((a, b) => b[1] - a[1] || b[0] - a[0])[0];
  return best?.[0];
}

function levelOf(region: string): RegionLevel {
  if (/(?:省|自治区)$/.test(region)) return 'province';
  if (/(?:区|县|旗)$/.test(region)) return 'county';
  return 'city';
}

function yearOf(text: string): number | undefined {
  const m = YEAR.exec(foldWidth(text)) ?? /(?<!\d)((?:19|20)\d{2})(?=[_\-\s.]|$)/.exec(text);
  if (m) return Number(m[1]);
  const c = CN_YEAR.exec(text);
  return c ? parseChineseNumber(c[1]!) : undefined;
}

/** The year in the heading of the plan part (三、2026年重点工作 / 二、2025年工作安排). */
function planHeadingYear(text: string): number | undefined {
  let best: number | undefined;
  for (const m of foldWidth(text).matchAll(/^[一二三四五六七八九十]{1,3}、(?:关于)?((?:19|20)\d{2})年(?:的)?(?:重点工作|工作安排|主要任务|主要工作|政府工作任务|经济社会发展总体要求|工作(?!回顾|总结))/gm)) {
    const y = Number(m[1]);
    if (best === undefined || y > best) best = y;
  }
  return best;
}

/** ——2026年1月27日在山东省第十四届人民代表大会第四次会议上 → date, year, region. */
export function readMeeting(line: string): { date?: string; year?: number; region?: string } {
  const f = foldWidth(line).replace(/\s+/g, '');
  const out: { date?: string; year?: number; region?: string } = {};
  const arabic = /((?:19|20)\d{2})年(\d{1,2})月(\d{1,2})日/.exec(f);
  const chinese = /([〇零一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日/.exec(f);
  const parts = arabic
    ? [Number(arabic[1]), Number(arabic[2]), Number(arabic[3])]
    : chinese
      ? [parseChineseNumber(chinese[1]!), parseChineseNumber(chinese[2]!), parseChineseNumber(chinese[3]!)]
      : undefined;
  if (parts && parts.every((n) => n !== undefined)) {
    const [y, mo, d] = parts as number[];
    out.year = y;
    out.date = `${y}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  }
  const region = /在(.{2,20}?)(?:第[一二三四五六七八九十\d]+届)?人民代表大会/.exec(f);
  if (region?.[1]) out.region = region[1].replace(/^.*?日/, '');
  return out;
}
