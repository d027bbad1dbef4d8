import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';

/**
 * A one-shot answer as a user runs it: `npm run ask -- "…"` on a built index, wall time, median of
 * several runs, with the parts that are not the project's own (Node's and npm's start) beside it.
 * Prints one JSON line (bench/run.ts makes the table).
 */
const RUNS = 7;
const QUESTION = '今年新增多少托位';
const index = mkdtempSync(join(tmpdir(), 'workplan-oneshot-'));
const env: NodeJS.ProcessEnv = { ...process.env, INDEX_DIR: join(index, 'index'), LOG_LEVEL: 'warn' };

function wall(cmd: string, args: string[]): number {
  const t = performance.now();
  execFileSync(cmd, args, { env, stdio: ['ignore', 'ignore', 'ignore'] });
  return performance.now() - t;
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const repeat = (f: () => number): number => median(Array.from({ length: RUNS }, f));

// The first run builds the index (and the caches beside it); it is not counted.
const firstMs = wall('npm', ['run', '-s', 'ask', '--', QUESTION]);
const nodeMs = repeat(() => wall(process.execPath, ['-e', '']));
const npmNoopMs = repeat(() => wall('npm', ['run', '-s', 'env', '--', '--version']));
const directMs = repeat(() => wall(process.execPath, [resolve('scripts/run.mjs'), 'ask', QUESTION]));
const npmMs = repeat(() => wall('npm', ['run', '-s', 'ask', '--', QUESTION]));
const answer = JSON.parse(execFileSync(process.execPath, [resolve('scripts/run.mjs'), 'ask', '--json', QUESTION], { env, encoding: 'utf8' })) as { latencyMs: number };
rmSync(index, { recursive: true, force: true });
console.log(JSON.stringify({ firstMs, nodeMs, npmNoopMs, directMs, npmMs, answerMs: answer.latencyMs }));
