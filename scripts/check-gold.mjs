#!/usr/bin/env node
// Checks a question file written for one report: every line is JSON with the required fields, the
// gold paragraph key occurs in exactly one line of the report, and every gold substring is in that line.
// Usage: node scripts/check-gold.mjs REPORT.txt QUESTIONS.jsonl
import { readFileSync } from 'node:fs';

const [reportFile, questionsFile] = process.argv.slice(2);
if (!reportFile || !questionsFile) {
  console.error('usage: node scripts/check-gold.mjs REPORT.txt QUESTIONS.jsonl');
  process.exit(2);
}
const lines = readFileSync(reportFile, 'utf8').split(/\r?\n/);
const TYPES = new Set(['number', 'list', 'fact', 'summary', 'unanswerable']);
const TIMES = new Set(['current', 'last-year', 'five-year-review', 'five-year-plan', 'none']);
let errors = 0;
const ids = new Set();
const fail = (n, msg) => {
  errors++;
  console.error(`line ${n}: ${msg}`);
};
readFileSync(questionsFile, 'utf8')
  .split(/\r?\n/)
  .forEach((raw, i) => {
    const n = i + 1;
    if (!raw.trim()) return;
    let q;
    try {
      q = JSON.parse(raw);
    } catch {
      return fail(n, 'not JSON');
    }
    for (const k of ['id', 'report', 'q', 'type', 'style', 'time']) if (typeof q[k] !== 'string' || !q[k]) fail(n, `missing ${k}`);
    if (ids.has(q.id)) fail(n, `duplicate id ${q.id}`);
    ids.add(q.id);
    if (!TYPES.has(q.type)) fail(n, `bad type ${q.type}`);
    if (!TIMES.has(q.time)) fail(n, `bad time ${q.time}`);
    if (!Array.isArray(q.gold)) fail(n, 'gold must be an array');
    if (q.type === 'unanswerable') {
      if (q.paragraph !== null) fail(n, 'unanswerable needs paragraph: null');
      if (q.gold?.length) fail(n, 'unanswerable needs gold: []');
      if (typeof q.why !== 'string') fail(n, 'unanswerable needs why');
      return;
    }
    if (typeof q.qPlace !== 'string' || !q.qPlace) fail(n, 'answerable needs qPlace');
    if (typeof q.paragraph !== 'string' || !q.paragraph) return fail(n, 'missing paragraph key');
    const hits = lines.filter((l) => l.includes(q.paragraph));
    if (hits.length !== 1) return fail(n, `paragraph key found in ${hits.length} lines (needs exactly 1): ${q.paragraph}`);
    if (!q.gold?.length) fail(n, 'answerable needs at least one gold substring');
    for (const g of q.gold ?? []) if (!hits[0].includes(g)) fail(n, `gold not in the gold paragraph: ${g}`);
  });
console.log(errors ? `${errors} problem(s)` : `ok: ${ids.size} questions`);
process.exit(errors ? 1 : 0);
