import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { createEngine, type Engine } from '../answer/engine.ts';
import { score, summarize, type Scored, type Summary } from './metrics.ts';
import { askedIn } from './reports.ts';
import { readQuestions } from './run.ts';

/**
 * Question sets written in several voices (test/eval/voices/<writer>/<report>.jsonl), each writer by
 * an independent helper with its own mix of voices (../shared/VOICES.md), over reports of every level:
 * the provincial 2026 reports, the national reports, a city, districts and counties, and 市北. Writers
 * and their reports are held out whole: groups.json says which writers are `dev` (tuned on) and which
 * `holdout` (scored, never tuned on).
 *
 *   one    each report alone, as an office deploys its own report
 *   many   many reports loaded and the place named: a provincial report with all 27 provinces and 市北;
 *          a report of another level with the 27 provinces and every other level's report of its year
 *          (the national, a city's, districts' and counties' reports side by side)
 */
export interface VoicesEvalOptions {
  /** test/eval/voices */
  questions: string;
  /** Where reports are found by file name: the provincial and the levels fixtures, data/reports. */
  reportDirs: string[];
  dictDir: string;
  writers: string[];
  mode: 'one' | 'many';
  onProgress?: (done: number, total: number) => void;
  /** Another engine speaking the Answer contract (an earlier version, for unseen-first figures). */
  create?: typeof createEngine;
}

export interface VoicesRow extends Scored {
  writer: string;
  report: string;
}

export interface VoicesRun {
  mode: 'one' | 'many';
  rows: VoicesRow[];
  summary: Summary;
  byWriter: Array<{ key: string; summary: Summary }>;
  byReport: Array<{ key: string; summary: Summary }>;
  byKind: Array<{ key: string; summary: Summary }>;
  byStyle: Array<{ key: string; summary: Summary }>;
  latencies: number[];
}

/** Where the voices' reports are found: the provincial and the levels fixtures, then the deployment's own reports. */
export function voiceReportDirs(reportsDir: string, root = '.'): string[] {
  return [resolve(root, 'test/fixtures/provinces-2026'), resolve(root, 'test/fixtures/levels'), resolve(reportsDir)];
}

export function readWriterGroups(dir: string): Record<string, string[]> {
  const raw = JSON.parse(readFileSync(join(dir, 'groups.json'), 'utf8')) as Record<string, unknown>;
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(raw)) if (Array.isArray(v)) out[k] = v.map(String);
  out['all'] = [...new Set(Object.values(out).flat())];
  return out;
}

/** The report's source files (.txt and a .json beside it) in the first folder that holds it. */
function filesOf(report: string, dirs: string[]): string[] {
  for (const d of dirs) {
    const txt = join(d, `${report}.txt`);
    if (existsSync(txt)) return [txt, ...(existsSync(join(d, `${report}.json`)) ? [join(d, `${report}.json`)] : [])];
  }
  throw new Error(`no report ${report}.txt in ${dirs.join(', ')}`);
}

/** provincial, levels or the 市北 district, by the report's file name. */
export function kindOf(report: string): 'province' | 'levels' | 'shibei' {
  if (/^\d{4}_.+(?:省|自治区|北京市|上海市|天津市|重庆市)_政府工作报告$/.test(report) && report.startsWith('2026_')) return 'province';
  return /shibei/.test(report) ? 'shibei' : 'levels';
}

export async function evalVoices(options: VoicesEvalOptions): Promise<VoicesRun> {
  const work = mkdtempSync(join(tmpdir(), 'workplan-voices-'));
  const engines = new Map<string, Promise<Engine>>();
  const deployment = (key: string, files: string[]): Promise<Engine> => {
    let e = engines.get(key);
    if (!e) {
      const dir = join(work, `d${engines.size}`);
      mkdirSync(join(dir, 'reports'), { recursive: true });
      for (const f of files) copyFileSync(f, join(dir, 'reports', basename(f)));
      e = (options.create ?? createEngine)({ reportsDir: join(dir, 'reports'), dictDir: options.dictDir, indexDir: join(dir, 'index'), readOnly: true });
      engines.set(key, e);
    }
    return e;
  };
  const all = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.txt')).map((f) => f.replace(/\.txt$/, '')) : []);
  const provinces = options.reportDirs.flatMap(all).filter((r) => kindOf(r) === 'province');
  const levels = options.reportDirs.flatMap(all).filter((r) => kindOf(r) === 'levels');
  const shibei = options.reportDirs.flatMap(all).filter((r) => kindOf(r) === 'shibei');
  const engineFor = (report: string): Promise<Engine> => {
    if (options.mode === 'one') return deployment(report, filesOf(report, options.reportDirs));
    const kind = kindOf(report);
    if (kind !== 'levels') return deployment('provinces', [...provinces, ...shibei].flatMap((r) => filesOf(r, options.reportDirs)));
    const year = report.slice(0, 4);
    const sameYear = levels.filter((r) => r.startsWith(year));
    return deployment(`levels-${year}`, [...provinces, ...sameYear].flatMap((r) => filesOf(r, options.reportDirs)));
  };

  const rows: VoicesRow[] = [];
  const latencies: number[] = [];
  try {
    const jobs = options.writers.flatMap((writer) =>
      readdirSync(join(options.questions, writer))
        .filter((f) => f.endsWith('.jsonl'))
        .map((f) => ({ writer, report: f.replace(/\.jsonl$/, '') })),
    );
    let done = 0;
    for (const { writer, report } of jobs) {
      const engine = await engineFor(report);
      const text = readFileSync(filesOf(report, options.reportDirs)[0]!, 'utf8');
      const paragraphs = text.split(/\r?\n/).filter((l) => l.trim());
      const sources = options.mode === 'one' ? [text] : undefined;
      for (const q of readQuestions(join(options.questions, writer, `${report}.jsonl`))) {
        const asked = askedIn(q, options.mode === 'many', '');
        if (asked === undefined) continue;
        const t = performance.now();
        const answer = await engine.ask(asked, { channel: 'eval', explain: true });
        latencies.push(performance.now() - t);
        // Quotes are checked against every loaded source (a citation may come from another report).
        const loaded = sources ?? engineSources(engine);
        rows.push({ ...score({ ...q, q: asked }, answer, paragraphs, loaded), writer, report });
      }
      options.onProgress?.(++done, jobs.length);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const group = (key: (r: VoicesRow) => string) => {
    const by = new Map<string, Scored[]>();
    for (const r of rows) by.set(key(r), [...(by.get(key(r)) ?? []), r]);
    return [...by].map(([k, rs]) => ({ key: k, summary: summarize(rs) }));
  };
  return {
    mode: options.mode,
    rows,
    summary: summarize(rows),
    byWriter: group((r) => r.writer),
    byReport: group((r) => r.report),
    byKind: group((r) => kindOf(r.report)),
    byStyle: group((r) => r.question.style ?? ''),
    latencies,
  };
}

const sourceCache = new WeakMap<Engine, string[]>();
function engineSources(engine: Engine): string[] {
  let s = sourceCache.get(engine);
  if (!s) sourceCache.set(engine, (s = engine.internals.index.reports.map((r) => r.text)));
  return s;
}

const pct = (x: number): string => x.toFixed(3);

export const VOICES_HEAD =
  '| set | n | Hit@1 | answer | answerable refused | refused showing the answer | false absence (of claims) | unanswerable refused | wrong figure |';

export function voicesLine(name: string, s: Summary): string {
  return `| ${name} | ${s.questions} | ${pct(s.hit1)} | ${pct(s.accuracy)} | ${pct(s.falseRefusalRate)} | ${pct(s.refusedShowingAnswerRate)} | ${s.falseAbsenceClaims} of ${s.absenceClaims} | ${pct(s.refusalRecall)} | ${pct(s.wrongFigureRate)} |`;
}

/** The tables `npm run eval -- --voices` prints. */
export function formatVoices(run: VoicesRun, title: string, detail = false): string {
  const short = (r: string) => r.replace(/^(\d{4})_(.+)_政府工作报告$/, '$2 $1').replace('qingdao-shibei-2025-work-report', '市北 2025');
  const out = [
    `${title} (${run.mode === 'one' ? 'each report alone' : 'many reports loaded, place named'}): ${run.summary.questions} questions`,
    '',
    VOICES_HEAD,
    '|---|---|---|---|---|---|---|---|---|',
    ...run.byKind.sort((a, b) => a.key.localeCompare(b.key)).map((k) => voicesLine(k.key, k.summary)),
    ...run.byWriter.sort((a, b) => a.key.localeCompare(b.key)).map((k) => voicesLine(`writer ${k.key}`, k.summary)),
    voicesLine('**all**', run.summary),
  ];
  if (detail) {
    out.push('', VOICES_HEAD, '|---|---|---|---|---|---|---|---|---|', ...run.byReport.map((k) => voicesLine(short(k.key), k.summary)));
    out.push('', VOICES_HEAD.replace('| set |', '| voice |'), '|---|---|---|---|---|---|---|---|---|', ...run.byStyle.sort((a, b) => a.key.localeCompare(b.key)).map((k) => voicesLine(k.key, k.summary)));
  }
  out.push('', `verbatim quotes ${pct(run.summary.verbatimRate)}`);
  return out.join('\n');
}
