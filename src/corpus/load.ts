import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { CorpusError } from '../errors.ts';
import { findFrontMatter, splitLines, type FrontMatter } from './front.ts';
import type { Lexicon } from './lexicon.ts';
import { detectMeta, type DetectedMeta } from './meta.ts';
import { parseReport } from './parse.ts';
import type { Report, ReportMeta } from './types.ts';

/** A `.json` beside a report overrides what was detected; every field is optional. */
const MetaSchema = z
  .object({
    id: z.string().min(1),
    title: z.string().min(1),
    region: z.string().min(1),
    level: z.enum(['province', 'city', 'county', 'area', 'country']),
    city: z.string(),
    province: z.string(),
    year: z.number().int().min(1949).max(2100),
    date: z.string(),
    meeting: z.string(),
    speaker: z.string(),
    kind: z.string().min(1),
    leadingPart: z.string(),
    covers: z.string(),
    source: z.string(),
    /** The document the text was extracted from (`npm run add`, an upload, a file dropped in). */
    original: z.object({
      name: z.string(),
      format: z.string(),
      sha256: z.string(),
      bytes: z.number(),
      stored: z.string().optional(),
      addedAt: z.string(),
    }),
  })
  .partial();

export type ReportOverrides = z.infer<typeof MetaSchema>;

export interface ReportSource {
  /** File name of the text under the reports directory. */
  file: string;
  text: string;
  meta: ReportMeta;
  /** What was read from the text, and from where (title, meeting line, file name…). */
  detected: DetectedMeta;
  /** Title, meeting and speaker lines and the page chrome, found once for detection and parsing. */
  front: FrontMatter;
}

/**
 * Reads every report under `dir`. A report is `name.txt` (one paragraph per line, as published, page
 * chrome and all); its title, region, year, date and meeting are read from the text, and `name.json`
 * beside it, when present, overrides any of them. Sorted by file name so the index is reproducible.
 */
export function readReportSources(
  dir: string,
  lexicon: Pick<Lexicon, 'gazetteer' | 'chrome'>,
  options: { allowEmpty?: boolean } = {},
): ReportSource[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.txt')).sort();
  } catch (cause) {
    throw new CorpusError(dir, 'the reports directory cannot be read', { cause });
  }
  if (names.length === 0 && !options.allowEmpty) throw new CorpusError(dir, 'holds no report (*.txt)');
  const ids = new Set<string>();
  return names.map((file) => {
    let text: string;
    try {
      text = readFileSync(join(dir, file), 'utf8');
    } catch (cause) {
      throw new CorpusError(join(dir, file), 'cannot be read', { cause });
    }
    const source = sourceOf(file, text, readOverrides(join(dir, `${basename(file, '.txt')}.json`)), lexicon);
    // Two files must never share an id: citations and the index address reports by it.
    let id = source.meta.id;
    for (let n = 2; ids.has(id); n++) id = `${source.meta.id}-${n}`;
    ids.add(id);
    source.meta.id = id;
    return source;
  });
}

export function readOverrides(file: string): ReportOverrides {
  if (!existsSync(file)) return {};
  try {
    return MetaSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  } catch (cause) {
    throw new CorpusError(file, 'invalid report metadata (JSON with title, region, year …)', { cause });
  }
}

/** Detects a report's metadata and applies the overrides. */
export function sourceOf(
  file: string,
  text: string,
  overrides: z.infer<typeof MetaSchema>,
  lexicon: Pick<Lexicon, 'gazetteer' | 'chrome'>,
): ReportSource {
  const front = findFrontMatter(splitLines(text).map((l) => l.text), lexicon.chrome);
  const detected = detectMeta(text, file, front, lexicon.gazetteer);
  // A report whose region or year cannot be read is still served, under its file name, rather than
  // keeping every other report from starting; `detected.from` says what is missing.
  const region = overrides.region ?? detected.region ?? basename(file).replace(/\.[^.]+$/, '');
  const year = overrides.year ?? detected.year ?? new Date().getFullYear();
  if (!overrides.region && !detected.region) detected.from['region'] = 'missing: file name used; add a .json with "region"';
  if (!overrides.year && !detected.year) detected.from['year'] = 'missing: this year used; add a .json with "year"';
  const g = lexicon.gazetteer;
  const level = overrides.level ?? (region === detected.region ? detected.level : g.get(region)?.level);
  const above = g.ancestors(region).slice(1);
  const city = overrides.city ?? (region === detected.region ? detected.city : above.find((n) => g.get(n)?.level === 'city'));
  const province = overrides.province ?? (region === detected.region ? detected.province : above.find((n) => g.get(n)?.level === 'province'));
  const meta: ReportMeta = {
    id: overrides.id ?? idOf(region, year, city, g),
    title: overrides.title ?? (region === detected.region && year === detected.year && detected.title ? detected.title : `${year}年${region}政府工作报告`),
    region,
    year,
    kind: overrides.kind ?? 'work-report',
    file,
    ...(level ? { level } : {}),
    ...(city ? { city } : {}),
    ...(province ? { province } : {}),
    ...pick(overrides.date ?? detected.date, 'date'),
    ...pick(overrides.meeting ?? detected.meeting, 'meeting'),
    ...pick(overrides.speaker ?? detected.speaker, 'speaker'),
    ...pick(overrides.leadingPart, 'leadingPart'),
    ...pick(overrides.covers, 'covers'),
    ...pick(overrides.source, 'source'),
  };
  return { file, text, meta, detected, front };
}

function pick<K extends string>(value: string | undefined, key: K): Partial<Record<K, string>> {
  return value ? ({ [key]: value } as Record<K, string>) : {};
}

/** shandong-2026; a county is named with its city (qingdao-shibei-2025), as names repeat across cities. */
function idOf(region: string, year: number, city: string | undefined, g: Lexicon['gazetteer']): string {
  const own = g.romanise(region) || 'report';
  const level = g.get(region)?.level;
  const prefix = level === 'county' && city ? `${g.romanise(city)}-` : '';
  return `${prefix}${own}-${year}`;
}

/** A report read from its source: detected, overridden and parsed. */
export function parseSource(s: ReportSource, lexicon: Pick<Lexicon, 'chrome'>): Report {
  return parseReport(s.text, s.meta, { chrome: lexicon.chrome, front: s.front });
}

/** One report from its text (and overrides), as the reports folder would read it. */
export function reportOf(file: string, text: string, overrides: ReportOverrides, lexicon: Pick<Lexicon, 'gazetteer' | 'chrome'>): Report {
  return parseSource(sourceOf(file, text, overrides, lexicon), lexicon);
}

export function loadReports(dir: string, lexicon: Lexicon): Report[] {
  return readReportSources(dir, lexicon).map((s) => parseSource(s, lexicon));
}
