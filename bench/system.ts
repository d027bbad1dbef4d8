import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createEngine } from '../src/answer/index.ts';
import type { Answer } from '../src/answer/index.ts';
import { loadLexicon, readReportSources } from '../src/corpus/index.ts';
import type { EvalQuestion } from '../src/eval/metrics.ts';
import { readQuestions, runEval } from '../src/eval/run.ts';
import { HnswBigramPeer, MiniSearchPeer, type Peer } from './peers.ts';
import { questionsFor } from './questions.ts';

/**
 * Measures one system in this process (so peak RSS belongs to it) and prints one JSON line:
 * quality on the question set, build and load time, ask latency after warm-up, peak RSS.
 */
const { values } = parseArgs({
  options: {
    system: { type: 'string', default: 'workplan' },
    reports: { type: 'string', default: 'data/reports' },
    dict: { type: 'string', default: 'data/dict' },
    questions: { type: 'string', default: 'test/eval/questions.jsonl' },
    /** A folder of per-report question sets (province sets): used instead of --questions when given. */
    'question-sets': { type: 'string' },
    rounds: { type: 'string', default: '5' },
  },
});

const reportSources = readReportSources(resolve(values.reports!), loadLexicon(resolve(values.dict!)));
const sources = reportSources.map((s) => s.text);
const paragraphs = sources.flatMap((s) => s.split(/\r?\n/)).filter((l) => l.trim() && !/免责声明|本站/.test(l));
const sets = values['question-sets'] ? questionsFor(resolve(values.reports!), resolve(values['question-sets'])) : undefined;
const questions: EvalQuestion[] = sets ?? readQuestions(resolve(values.questions!));
// Gold paragraphs are looked up in the question's own report when the set says which.
const linesOf = sets ? (q: EvalQuestion) => (q as (typeof sets)[number]).lines : paragraphs;
const work = mkdtempSync(join(tmpdir(), 'workplan-bench-'));
const rounds = Number(values.rounds);

let ask: (q: string) => Promise<Answer>;
let buildMs: number;
let loadMs: number;

if (values.system === 'workplan') {
  const options = { reportsDir: resolve(values.reports!), dictDir: resolve(values.dict!), indexDir: join(work, 'index') };
  let t = performance.now();
  await createEngine({ ...options, rebuild: true });
  buildMs = performance.now() - t;
  // The built engine is dropped, as a deployment's first start would exit or serve from it alone:
  // collect it so the peak is that of building or of serving, not of the two stacked.
  await new Promise((r) => setTimeout(r, 50));
  globalThis.gc?.();
  t = performance.now();
  const engine = await createEngine(options);
  loadMs = performance.now() - t;
  if (engine.info.rebuilt) throw new Error('the saved index was not reused');
  ask = (q) => engine.ask(q);
} else {
  const peer: Peer = values.system === 'minisearch' ? new MiniSearchPeer() : new HnswBigramPeer();
  let t = performance.now();
  await peer.build(paragraphs);
  await peer.save(join(work, 'peer'));
  buildMs = performance.now() - t;
  const loaded: Peer = values.system === 'minisearch' ? new MiniSearchPeer() : new HnswBigramPeer();
  t = performance.now();
  await loaded.load(join(work, 'peer'));
  loadMs = performance.now() - t;
  ask = async (q) => {
    const top = await loaded.search(q, 3);
    return {
      question: q,
      found: top.length > 0,
      answer: top[0] ?? '',
      citations: top.map((quote) => ({ doc: '', section: '', quote, score: 1, docId: '', paragraph: 0, start: 0, end: 0, context: { text: quote, start: 0, end: quote.length } })),
      latencyMs: 0,
      intent: 'fact',
      highlights: [],
    };
  };
}

const run = await runEval(questions, ask, linesOf, sources);
const latencies: number[] = [];
for (let r = 0; r < rounds; r++) {
  for (const q of questions) {
    const t = performance.now();
    await ask(q.q);
    latencies.push(performance.now() - t);
  }
}
latencies.sort((a, b) => a - b);
const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!;
rmSync(work, { recursive: true, force: true });

process.stdout.write(
  `${JSON.stringify({
    system: values.system,
    documents: reportSources.length,
    units: paragraphs.length,
    hit1: run.summary.hit1,
    hit3: run.summary.hit3,
    accuracy: run.summary.accuracy,
    accuracyShort: run.summary.accuracyShort,
    refusalRecall: run.summary.refusalRecall,
    falseRefusalRate: run.summary.falseRefusalRate,
    wrongFigureRate: run.summary.wrongFigureRate,
    questions: questions.length,
    p50: pct(50),
    p99: pct(99),
    buildMs,
    loadMs,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    bytes: sources.reduce((a, s) => a + Buffer.byteLength(s), 0),
  })}\n`,
);

