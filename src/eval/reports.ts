import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { createEngine, type Engine } from '../answer/engine.ts';
import type { Answer } from '../answer/types.ts';
import { score, summarize, type EvalQuestion, type Scored, type Summary } from './metrics.ts';
import { readQuestions } from './run.ts';

/**
 * Quality over many reports, measured the way the product is used:
 *   one    each report alone in its own deployment (an office's bot), questions as its officials ask
 *   many   every report loaded at once (a province-wide channel), questions that name the place
 * Question files are `<report file name>.jsonl` beside the reports' fixtures; groups of reports
 * (dev, holdout1, holdout2) are listed in groups.json so whole reports can be held out.
 */
export interface ReportsEvalOptions {
  /** Folder with the reports (`<name>.txt`). */
  fixtures: string;
  /** Folder with `<name>.jsonl` question files and groups.json. */
  questions: string;
  dictDir: string;
  reports: string[];
  mode: 'one' | 'many';
  /** More reports loaded in `many` mode (the default deployment's, say), asked nothing. */
  extra?: string[];
  onProgress?: (done: number, total: number) => void;
}

export interface ReportsEvalRun {
  mode: 'one' | 'many';
  rows: Array<Scored & { report: string }>;
  perReport: Array<{ report: string; summary: Summary }>;
  perTime: Array<{ time: string; summary: Summary }>;
  summary: Summary;
  latencies: number[];
}

export function readGroups(questionsDir: string): Record<string, string[]> {
  const file = join(questionsDir, 'groups.json');
  const raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(raw)) if (Array.isArray(v)) out[k] = v.map(String);
  out['all'] = [...new Set(Object.values(out).flat())];
  return out;
}

export async function evalReports(options: ReportsEvalOptions): Promise<ReportsEvalRun> {
  const rows: ReportsEvalRun['rows'] = [];
  const latencies: number[] = [];
  const work = mkdtempSync(join(tmpdir(), 'workplan-eval-'));
  try {
    const questionsOf = (report: string): EvalQuestion[] => {
      const file = join(options.questions, `${report}.jsonl`);
      return existsSync(file) ? readQuestions(file) : [];
    };
    const run = async (engine: Engine, report: string, sources: string[], own: string, many: boolean): Promise<void> => {
      // The gold paragraph is looked up in the question's own report (two reports can share a phrase).
      const paragraphs = linesOf([own]);
      for (const q of questionsOf(report)) {
        const asked = askedIn(q, many, placeOf(engine, report));
        if (asked === undefined) continue;
        const t = performance.now();
        const answer: Answer = await engine.ask(asked, { channel: 'eval' });
        latencies.push(performance.now() - t);
        rows.push({ ...score({ ...q, q: asked }, answer, paragraphs, sources), report });
      }
    };
    const linesOf = (texts: string[]): string[] => texts.flatMap((s) => s.split(/\r?\n/)).filter((l) => l.trim());
    if (options.mode === 'one') {
      let done = 0;
      for (const report of options.reports) {
        const dir = join(work, `r${done}`);
        const reportsDir = join(dir, 'reports');
        copyInto(reportsDir, [join(options.fixtures, `${report}.txt`)]);
        const engine = await createEngine({ reportsDir, dictDir: options.dictDir, indexDir: join(dir, 'index'), readOnly: true });
        const text = readFileSync(join(options.fixtures, `${report}.txt`), 'utf8');
        await run(engine, report, [text], text, false);
        options.onProgress?.(++done, options.reports.length);
      }
    } else {
      const reportsDir = join(work, 'all', 'reports');
      const files = [...options.reports.map((r) => join(options.fixtures, `${r}.txt`)), ...(options.extra ?? [])];
      copyInto(reportsDir, files);
      const engine = await createEngine({ reportsDir, dictDir: options.dictDir, indexDir: join(work, 'all', 'index'), readOnly: true });
      const texts = files.filter((f) => f.endsWith('.txt')).map((f) => readFileSync(f, 'utf8'));
      let done = 0;
      for (const report of options.reports) {
        await run(engine, report, texts, readFileSync(join(options.fixtures, `${report}.txt`), 'utf8'), true);
        options.onProgress?.(++done, options.reports.length);
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const group = <K extends string>(key: (r: ReportsEvalRun['rows'][number]) => K): Array<{ key: K; summary: Summary }> => {
    const by = new Map<K, Scored[]>();
    for (const r of rows) {
      const k = key(r);
      by.set(k, [...(by.get(k) ?? []), r]);
    }
    return [...by].map(([k, rs]) => ({ key: k, summary: summarize(rs) }));
  };
  return {
    mode: options.mode,
    rows,
    perReport: group((r) => r.report).map(({ key, summary }) => ({ report: key, summary })),
    perTime: group((r) => r.question.time ?? 'none').map(({ key, summary }) => ({ time: key, summary })),
    summary: summarize(rows),
    latencies,
  };
}

/**
 * A question as asked in a deployment. With every region loaded it must say which, so one written
 * without a place gets the report's; one about another region's figure is answerable there, so it
 * counts only where its report stands alone (undefined).
 */
export function askedIn(q: EvalQuestion, many: boolean, place: string): string | undefined {
  if (many && q.type === 'unanswerable' && q.why === 'other-place') return undefined;
  return many ? q.qPlace ?? `${place}${q.q}` : q.q;
}

/** The short name of a report's region (山东), as officials prefix a question with it. */
function placeOf(engine: Engine, report: string): string {
  const doc = engine.info.documents.find((d) => d.file === `${report}.txt`);
  return doc ? doc.region.replace(/(?:维吾尔|壮族|回族)?自治区$|省$|市$/, '') : '';
}

function copyInto(dir: string, files: string[]): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const f of files) copyFileSync(f, join(dir, basename(f)));
}

const pct = (x: number): string => x.toFixed(3);

/** The per-report and per-period tables `npm run eval` prints for report sets. */
export function formatReports(run: ReportsEvalRun, title: string): string {
  const head = '| report | n | Hit@1 | answer | answerable refused | unanswerable refused | wrong figure |';
  const line = (name: string, s: Summary): string =>
    `| ${name} | ${s.questions} | ${pct(s.hit1)} | ${pct(s.accuracy)} | ${pct(s.falseRefusalRate)} | ${pct(s.refusalRecall)} | ${pct(s.wrongFigureRate)} |`;
  const out = [
    `${title} (${run.mode === 'one' ? 'each report alone' : 'all reports loaded, place named'}): ${run.summary.questions} questions`,
    '',
    head,
    '|---|---|---|---|---|---|---|',
    ...run.perReport.map((r) => line(r.report.replace(/^\d{4}_|_政府工作报告$/g, ''), r.summary)),
    line('**all**', run.summary),
    '',
    '| period asked | n | Hit@1 | answer | answerable refused | unanswerable refused | wrong figure |',
    '|---|---|---|---|---|---|---|',
    ...run.perTime.sort((a, b) => a.time.localeCompare(b.time)).map((r) => line(r.time, r.summary)),
    '',
    `verbatim quotes ${pct(run.summary.verbatimRate)}`,
  ];
  return out.join('\n');
}
