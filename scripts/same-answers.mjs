#!/usr/bin/env node
// Checks that two checkouts answer alike: every question of the files given is asked one-shot
// (`node scripts/run.mjs ask --json "…"`, one process a question, as `npm run ask` does) in each
// checkout, and the Answer JSON, less latencyMs, must be the same bytes (and the exit code and
// standard error the same). Used to check a change to
// how the command line starts (the start-up snapshot) against the commit before it:
//
//   node scripts/same-answers.mjs --before ../base --after . [--limit 200] [--env REPORTS_DIR=…] file.jsonl…
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { before: { type: 'string' }, after: { type: 'string', default: '.' }, limit: { type: 'string' }, env: { type: 'string', multiple: true, default: [] } },
});
const env = { ...process.env, LOG_LEVEL: 'warn' };
for (const kv of values.env) env[kv.slice(0, kv.indexOf('='))] = kv.slice(kv.indexOf('=') + 1);
const limit = values.limit ? Number(values.limit) : Infinity;
const questions = positionals.flatMap((f) =>
  readFileSync(f, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l).q)
    .slice(0, limit),
);
const ask = (root, q) => {
  const r = spawnSync(process.execPath, [resolve(root, 'scripts/run.mjs'), 'ask', '--json', q], { cwd: resolve(root), env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  // Standard error as well: nothing new may be said there.
  return `${r.status} ${JSON.stringify({ ...JSON.parse(r.stdout), latencyMs: 0 })} ${r.stderr}`;
};
let differ = 0;
for (const q of questions) {
  const a = ask(values.before, q);
  const b = ask(values.after, q);
  if (a !== b) {
    differ++;
    process.stdout.write(`differs: ${q}\n  before ${a}\n  after  ${b}\n`);
  }
}
process.stdout.write(`${questions.length} questions, ${differ} answered differently\n`);
process.exitCode = differ ? 1 : 0;
