import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { writeSyntheticCorpus } from './synthetic.ts';

/**
 * `npm run bench`: the engine against two peers on the eval set, then a scale run on synthetic
 * corpora. Every system runs in its own child process so its peak memory is its own.
 *
 *   npm run bench                      both tables (the 1000-document run takes a few minutes)
 *   npm run bench -- --scale 100       only the sizes given (comma-separated); --scale 0 skips it
 */
const { values } = parseArgs({
  options: {
    questions: { type: 'string', default: 'test/eval/questions.jsonl' },
    scale: { type: 'string', default: '1,100,1000' },
  },
});

interface Result {
  system: string;
  documents: number;
  hit1: number;
  hit3: number;
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
    ['--import', 'tsx', resolve('bench/system.ts'), '--system', system, '--questions', values.questions!, ...extra],
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

console.log(`Eval set: ${values.questions}\n`);
console.log('| system | Hit@1 | Hit@3 | answer acc. | acc. ≤60 chars | refused unanswerable | p50 ask ms | p99 ask ms | build ms | load ms | peak RSS MB |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|');
for (const system of ['workplan', 'minisearch', 'hnswlib']) {
  const r = measure(system);
  console.log(
    `| ${names[system]} | ${f3(r.hit1)} | ${f3(r.hit3)} | ${f3(r.accuracy)} | ${f3(r.accuracyShort)} | ${f3(r.refusalRecall)} | ${ms(r.p50)} | ${ms(r.p99)} | ${ms(r.buildMs)} | ${ms(r.loadMs)} | ${r.peakRssMb.toFixed(0)} |`,
  );
}
console.log('\nPeers give no answer: their "answer" is the top paragraph (so accuracy ≤ 60 characters is near 0) and they never refuse.');

const sizes = values.scale!.split(',').map(Number).filter((n) => n > 0);
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
