import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { writeSyntheticCorpus } from './synthetic.ts';

/**
 * `npm run bench`: the engine against two peers on the eval set, then a scale run on synthetic
 * corpora. Every system runs in its own child process so its peak memory is its own.
 *
 *   npm run bench                        all tables (the 1000-document run takes a few minutes)
 *   npm run bench -- --reports DIR       the engine and the peers on one folder of reports (e.g. the
 *                                        27 provinces and 市北 together), with the province question sets
 *   npm run bench -- --scale 100         only the sizes given (comma-separated); --scale 0 skips it
 *   npm run bench -- --tables oneshot,reload   only these tables (oneshot, reload, eval, many, scale)
 */
// npm run bench -- --backend memory|postgres --scale N: the search backend at N reports (bench/backend.ts).
if (process.argv.includes('--backend')) {
  execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', resolve('bench/backend.ts'), ...process.argv.slice(2)], { stdio: 'inherit', env: { ...process.env, LOG_LEVEL: 'silent' } });
  process.exit(0);
}
const { values } = parseArgs({
  options: {
    questions: { type: 'string', default: 'test/eval/questions.jsonl' },
    'question-sets': { type: 'string', default: 'test/eval/provinces' },
    reports: { type: 'string' },
    scale: { type: 'string', default: '1,100,1000' },
    tables: { type: 'string', default: 'oneshot,reload,eval,many,scale' },
  },
});
const tables = new Set(values.tables!.split(',').map((t) => t.trim()));

interface Result {
  system: string;
  documents: number;
  hit1: number;
  hit3: number;
  wrongFigureRate: number;
  accuracy: number;
  accuracyShort: number;
  refusalRecall: number;
  p50: number;
  p99: number;
  buildMs: number;
  loadMs: number;
  peakRssMb: number;
  bytes: number;
}

function measure(system: string, extra: string[] = []): Result {
  const out = execFileSync(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', resolve('bench/system.ts'), '--system', system, '--questions', values.questions!, ...extra],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 16 << 20, env: { ...process.env, LOG_LEVEL: 'silent' } },
  );
  return JSON.parse(out.trim().split('\n').pop()!) as Result;
}

const f3 = (x: number) => x.toFixed(3);
const ms = (x: number) => (x < 10 ? x.toFixed(2) : x.toFixed(0));

const names: Record<string, string> = {
  workplan: 'workplan-bot (hybrid, sentence-level, extractive)',
  minisearch: 'MiniSearch + CJK bigrams (paragraphs)',
  hnswlib: 'LangChain HNSWLib + hashed bigrams (paragraphs)',
};

function table(title: string, extra: string[]): void {
  console.log(`${title}\n`);
  console.log('| system | Hit@1 | Hit@3 | answer acc. | refused unanswerable | wrong figure | p50 ask ms | p99 ask ms | build ms | load ms | peak RSS MB |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const system of ['workplan', 'minisearch', 'hnswlib']) {
    const r = measure(system, extra);
    console.log(
      `| ${names[system]} | ${f3(r.hit1)} | ${f3(r.hit3)} | ${f3(r.accuracy)} | ${f3(r.refusalRecall)} | ${f3(r.wrongFigureRate)} | ${ms(r.p50)} | ${ms(r.p99)} | ${ms(r.buildMs)} | ${ms(r.loadMs)} | ${r.peakRssMb.toFixed(0)} |`,
    );
  }
  console.log('\nPeers give no answer: their "answer" is the top paragraph and they never refuse (every figure they give for an absent figure counts as wrong).\n');
}

/** Runs a bench script in its own process and returns its last line as JSON. */
function child<T>(script: string, args: string[] = []): T {
  const out = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', resolve(script), ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 16 << 20,
    env: { ...process.env, LOG_LEVEL: 'silent' },
  });
  return JSON.parse(out.trim().split('\n').pop()!) as T;
}

if (tables.has('oneshot') && !values.reports) {
  const r = child<{ firstMs: number; nodeMs: number; npmNoopMs: number; directMs: number; npmMs: number; answerMs: number }>('bench/oneshot.ts');
  console.log('One-shot answer on a built index (`npm run ask -- "今年新增多少托位"`, wall, median of 7)\n');
  console.log('| what | ms |');
  console.log('|---|---|');
  console.log(`| \`npm run ask\` | ${r.npmMs.toFixed(0)} |`);
  console.log(`| \`node scripts/run.mjs ask\` (the same without npm) | ${r.directMs.toFixed(0)} |`);
  console.log(`| of which Node's own start (\`node -e ''\`) | ${r.nodeMs.toFixed(0)} |`);
  console.log(`| npm's own start (\`npm run -s env\`) | ${r.npmNoopMs.toFixed(0)} |`);
  console.log(`| the answer itself (latencyMs) | ${r.answerMs.toFixed(1)} |`);
  console.log(`| first run (builds the index and the caches beside it) | ${r.firstMs.toFixed(0)} |\n`);
}

if (tables.has('reload') && !values.reports) {
  const r = child<{ reports: number; firstMs: number; reloadMs: number; rssBeforeMb: number; peakDuringMb: number; units: number }>('bench/reload.ts');
  console.log(`A reload that adds one report to ${r.reports - 1} (the 27 provinces; the old engine serves until the swap)\n`);
  console.log('| what | value |');
  console.log('|---|---|');
  console.log(`| first build of ${r.reports - 1} reports | ${(r.firstMs / 1000).toFixed(1)} s |`);
  console.log(`| reload with one report added | ${(r.reloadMs / 1000).toFixed(1)} s |`);
  console.log(`| RSS serving ${r.reports - 1} reports | ${r.rssBeforeMb.toFixed(0)} MB |`);
  console.log(`| peak RSS during the reload | ${r.peakDuringMb.toFixed(0)} MB (+${(r.peakDuringMb - r.rssBeforeMb).toFixed(0)}) |\n`);
}

if (values.reports) {
  const dir = resolve(values.reports);
  const count = readdirSync(dir).filter((f) => f.endsWith('.txt')).length;
  table(`${count} reports in ${values.reports}, province question sets (place named when several are loaded)`, ['--reports', dir, '--question-sets', values['question-sets']!, '--rounds', '3']);
  process.exit(0);
}

if (tables.has('eval')) table(`Eval set: ${values.questions}`, []);

// Many reports: the 27 provincial reports and the default deployment's report in one index.
const fixtures = resolve('test/fixtures/provinces-2026');
if (tables.has('many') && existsSync(fixtures)) {
  const dir = mkdtempSync(join(tmpdir(), 'workplan-many-'));
  try {
    for (const f of readdirSync(fixtures).filter((f) => f.endsWith('.txt'))) copyFileSync(join(fixtures, f), join(dir, f));
    for (const f of readdirSync(resolve('data/reports'))) copyFileSync(resolve('data/reports', f), join(dir, f));
    const count = readdirSync(dir).filter((f) => f.endsWith('.txt')).length;
    table(`${count} reports loaded together (27 provinces + 市北), province question sets naming the place`, ['--reports', dir, '--question-sets', values['question-sets']!, '--rounds', '3']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const sizes = tables.has('scale') ? values.scale!.split(',').map(Number).filter((n) => n > 0) : [];
if (sizes.length) {
  console.log('\nScale run (synthetic report-like documents, same questions):\n');
  console.log('| documents | text MB | build s | load ms | p50 ask ms | p99 ask ms | peak RSS MB |');
  console.log('|---|---|---|---|---|---|---|');
  for (const n of sizes) {
    const dir = mkdtempSync(join(tmpdir(), `workplan-scale-${n}-`));
    try {
      const reports = writeSyntheticCorpus(resolve('data/reports'), dir, n);
      const r = measure('workplan', ['--reports', reports, '--rounds', '2']);
      console.log(`| ${r.documents} | ${(r.bytes / 1e6).toFixed(1)} | ${(r.buildMs / 1000).toFixed(1)} | ${ms(r.loadMs)} | ${ms(r.p50)} | ${ms(r.p99)} | ${r.peakRssMb.toFixed(0)} |`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
