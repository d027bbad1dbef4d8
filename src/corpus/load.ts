import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { CorpusError } from '../errors.ts';
import { parseReport } from './parse.ts';
import type { Report, ReportMeta } from './types.ts';

const MetaSchema = z.object({
  id: z.string().min(1),
  title: z.string().min(1),
  region: z.string().min(1),
  city: z.string().optional(),
  province: z.string().optional(),
  year: z.number().int(),
  kind: z.string().min(1),
  leadingPart: z.string().optional(),
  covers: z.string().optional(),
  source: z.string().optional(),
});

export interface ReportSource {
  /** File name of the text under the reports directory. */
  file: string;
  text: string;
  meta: ReportMeta;
}

/**
 * Reads every report under `dir`: `name.txt` holds the text (one paragraph per line), `name.json`
 * its metadata (title, region, year, kind). Sorted by file name so the index is reproducible.
 */
export function readReportSources(dir: string): ReportSource[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.txt')).sort();
  } catch (cause) {
    throw new CorpusError(dir, 'the reports directory cannot be read', { cause });
  }
  if (names.length === 0) throw new CorpusError(dir, 'holds no report (*.txt)');
  return names.map((file) => {
    const metaFile = join(dir, `${basename(file, '.txt')}.json`);
    let meta: ReportMeta;
    try {
      meta = MetaSchema.parse(JSON.parse(readFileSync(metaFile, 'utf8'))) as ReportMeta;
    } catch (cause) {
      throw new CorpusError(metaFile, 'missing or invalid report metadata', { cause });
    }
    return { file, text: readFileSync(join(dir, file), 'utf8'), meta };
  });
}

export function loadReports(dir: string): Report[] {
  return readReportSources(dir).map((s) => parseReport(s.text, s.meta));
}
