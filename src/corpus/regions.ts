import { pinyin } from 'pinyin-pro';

/**
 * The gazetteer: China's administrative divisions (data/dict/regions.tsv) and extra places and aliases
 * (data/dict/places.txt). It answers three questions for the rest of the engine: which region a report
 * governs (from its title or meeting line), which places a question names (浙江, 浙, Zhejiang, 济南市),
 * and how places nest (济南市 lies in 山东省), so a question about a city of a loaded province is told
 * apart from a question about a province that is not loaded.
 *
 * ```ts
 * const g = createGazetteer(regionLines, placeLines);
 * g.find('山东今年GDP目标')[0]?.region.name;   // '山东省'
 * g.within('济南市', '山东省');                 // true
 * ```
 */
export type RegionLevel = 'country' | 'province' | 'city' | 'county' | 'area';

export interface Region {
  name: string;
  level: RegionLevel;
  parent?: string;
  /** Chinese short forms (山东, 济南); one-character abbreviations are kept apart. */
  aliases: string[];
  abbreviations: string[];
  /** Romanised names, lower case, words joined by one space (inner mongolia). */
  latin: string[];
}

export interface PlaceMention {
  region: Region;
  /** The name stands inside a longer name the reports write (上海港, 青岛金地中心): it locates, it does not ask. */
  partOfName?: boolean;
  /** The name only says where a loaded place named next to it lies (青岛 of 青岛市北区). */
  qualifier?: boolean;
  /** The form as written in the text (lower case for latin). */
  form: string;
  start: number;
  end: number;
}

export interface Gazetteer {
  readonly size: number;
  get(name: string): Region | undefined;
  /** Every region a name or alias may denote (a county name can repeat across provinces). */
  lookup(nameOrAlias: string): Region[];
  /** Is `name` the region `ancestor` or inside it? */
  within(name: string, ancestor: string): boolean;
  /** Names of `name` and all regions above it, nearest first. */
  ancestors(name: string): string[];
  /** The divisions directly below a region (a city's districts and counties). */
  children(name: string): Region[];
  /** Places named in a (normalised, lower-case) text, longest match first, no overlaps. */
  find(text: string, options?: { abbreviations?: boolean }): PlaceMention[];
  /** The short form used in speech: 山东省 → 山东, 广西壮族自治区 → 广西, 市北区 → 市北. */
  shortName(name: string): string;
  /** Counties and districts by their short form (安国 → 安国市), which `find` does not read in free text. */
  countiesByShortName(short: string): Region[];
  /** The romanised short name (shandong), for report ids. */
  romanise(name: string): string;
}

const LEVELS = new Set<RegionLevel>(['country', 'province', 'city', 'county', 'area']);

/** Suffixes of administrative names, longest first. */
const SUFFIX = /(?:维吾尔自治区|壮族自治区|回族自治区|特别行政区|自治区|自治州|自治县|地区|新区|省|市|区|县|盟|旗)$/;

export function createGazetteer(regionLines: string[], placeLines: string[] = []): Gazetteer {
  const byName = new Map<string, Region>();
  const byForm = new Map<string, Region[]>();
  const add = (form: string, region: Region): void => {
    if (!form) return;
    const list = byForm.get(form) ?? [];
    if (!list.includes(region)) list.push(region);
    byForm.set(form, list);
  };

  for (const line of regionLines) {
    const [name = '', level = '', parent = '', aliases = ''] = line.split('\t');
    if (!name || !LEVELS.has(level as RegionLevel)) continue;
    const region: Region = { name, level: level as RegionLevel, aliases: [], abbreviations: [], latin: [] };
    if (parent) region.parent = parent;
    for (const a of aliases.split(/\s+/).filter(Boolean)) {
      if (/^[a-z_]+$/.test(a)) region.latin.push(a.replace(/_/g, ' '));
      else if ([...a].length === 1) region.abbreviations.push(a);
      else region.aliases.push(a);
    }
    // The first line with a name wins (a county name can repeat; get() returns the first).
    if (!byName.has(name)) byName.set(name, region);
    add(name, region);
    for (const a of region.aliases) add(a, region);
  }
  // places.txt: `name [aliases…]`; aliases of a known region, or a place of its own.
  for (const line of placeLines) {
    const [name = '', ...aliases] = line.split(/\s+/).filter(Boolean);
    if (!name) continue;
    let region = byName.get(name);
    if (!region) {
      region = { name, level: name === '全国' ? 'country' : 'area', aliases: [], abbreviations: [], latin: [] };
      byName.set(name, region);
      add(name, region);
    }
    for (const a of aliases) {
      if (/^[a-z_]+$/i.test(a)) region.latin.push(a.toLowerCase().replace(/_/g, ' '));
      else {
        region.aliases.push(a);
        add(a, region);
      }
    }
  }

  // Index by first character for scanning; latin forms by word.
  const byFirst = new Map<string, string[]>();
  for (const form of byForm.keys()) {
    const first = form[0]!;
    const list = byFirst.get(first) ?? [];
    list.push(form);
    byFirst.set(first, list);
  }
  for (const list of byFirst.values()) list.sort((a, b) => b.length - a.length);
  const latin = new Map<string, Region>();
  const abbreviation = new Map<string, Region>();
  for (const r of byName.values()) {
    for (const l of r.latin) if (!latin.has(l)) latin.set(l, r);
    if (r.level === 'province') for (const a of r.abbreviations) if (!abbreviation.has(a)) abbreviation.set(a, r);
  }
  const latinForms = [...latin.keys()].sort((a, b) => b.length - a.length);

  const childrenOf = new Map<string, Region[]>();
  for (const r of byName.values()) {
    if (!r.parent) continue;
    const list = childrenOf.get(r.parent) ?? [];
    list.push(r);
    childrenOf.set(r.parent, list);
  }
  const ancestors = (name: string): string[] => {
    const out: string[] = [];
    let r = byName.get(name);
    for (let guard = 0; r && guard < 6; guard++) {
      out.push(r.name);
      r = r.parent ? byName.get(r.parent) : undefined;
    }
    return out;
  };

  let counties: Map<string, Region[]> | undefined;
  const countyShort = (): Map<string, Region[]> => {
    if (counties) return counties;
    counties = new Map();
    for (const r of byName.values()) {
      if (r.level !== 'county') continue;
      const bare = r.name.replace(SUFFIX, '');
      if ([...bare].length < 2 || bare === r.name) continue;
      counties.set(bare, [...(counties.get(bare) ?? []), r]);
    }
    return counties;
  };

  return {
    size: byName.size,
    countiesByShortName: (short) => countyShort().get(short) ?? [],
    get: (name) => byName.get(name),
    lookup: (form) => byForm.get(form) ?? (byName.has(form) ? [byName.get(form)!] : []),
    within: (name, ancestor) => ancestors(name).includes(ancestor),
    ancestors,
    children: (name) => childrenOf.get(name) ?? [],
    shortName(name) {
      const r = byName.get(name);
      const alias = r?.aliases.find((a) => name.startsWith(a));
      if (alias) return alias;
      const bare = name.replace(SUFFIX, '');
      return [...bare].length >= 2 ? bare : name;
    },
    romanise(name) {
      const r = byName.get(name);
      if (r?.latin[0]) return r.latin[0].replace(/ /g, '');
      const short = this.shortName(name);
      return pinyin(short, { toneType: 'none', type: 'array' }).join('').replace(/[^a-z]/g, '');
    },
    find(text, options = {}) {
      const out: PlaceMention[] = [];
      const taken = new Uint8Array(text.length);
      for (let i = 0; i < text.length; i++) {
        if (taken[i]) continue;
        const candidates = byFirst.get(text[i]!);
        if (!candidates) continue;
        for (const form of candidates) {
          if (!text.startsWith(form, i)) continue;
          const regions = byForm.get(form)!;
          // Prefer the larger division when a short form is shared (吉林: the province, not the city).
          const region = [...regions].sort((a, b) => rank(a.level) - rank(b.level))[0]!;
          out.push({ region, form, start: i, end: i + form.length });
          taken.fill(1, i, i + form.length);
          i += form.length - 1;
          break;
        }
      }
      if (/[a-z]{4}/.test(text)) {
        let padded = ` ${text.replace(/[^a-z]+/g, ' ')} `;
        for (const form of latinForms) {
          const at = padded.indexOf(` ${form} `);
          if (at < 0) continue;
          // Longest first, and a matched name is used up (inner mongolia is not also mongolia).
          padded = padded.slice(0, at + 1) + '#'.repeat(form.length) + padded.slice(at + 1 + form.length);
          const region = latin.get(form)!;
          if (out.some((m) => m.region === region)) continue;
          out.push({ region, form, start: -1, end: -1 });
        }
      }
      if (options.abbreviations) {
        // 鲁 / 苏浙沪: a one-character abbreviation only counts standing alone, or in a run of them.
        for (const m of text.matchAll(/(?<![\p{Script=Han}])([\p{Script=Han}]{1,4})(?=[今去明十这那的在和与及、,。?!\s省]|$)/gu)) {
          const run = m[1]!;
          if (![...run].every((c) => abbreviation.has(c))) continue;
          const start = m.index ?? 0;
          if (taken.subarray(start, start + run.length).some(Boolean)) continue;
          [...run].forEach((c, k) => out.push({ region: abbreviation.get(c)!, form: c, start: start + k, end: start + k + 1 }));
        }
      }
      return out.sort((a, b) => a.start - b.start);
    },
  };
}

function rank(level: RegionLevel): number {
  return level === 'country' ? 0 : level === 'province' ? 1 : level === 'city' ? 2 : level === 'county' ? 3 : 4;
}
