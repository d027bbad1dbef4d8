import { readFileSync } from 'node:fs';
import type { Answer } from '../answer/types.ts';
import { score, summarize, type EvalQuestion, type Scored, type Summary } from './metrics.ts';

export function readQuestions(file: string): EvalQuestion[] {
  return readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .filter((l) => l.trim())
    .map((l, i) => {
      try {
        return JSON.parse(l) as EvalQuestion;
      } catch (cause) {
        throw new Error(`${file}:${i + 1}: not JSON`, { cause });
      }
    });
}

export interface EvalRun {
  rows: Scored[];
  summary: Summary;
  latencies: number[];
}

/** Runs every question through `ask` (any implementation of the Answer contract) and scores it. */
export async function runEval(
  questions: EvalQuestion[],
  ask: (q: string) => Promise<Answer>,
  paragraphs: string[] | ((q: EvalQuestion) => string[]),
  sources: string[],
): Promise<EvalRun> {
  const rows: Scored[] = [];
  const latencies: number[] = [];
  for (const q of questions) {
    const t = performance.now();
    const answer = await ask(q.q);
    latencies.push(performance.now() - t);
    rows.push(score(q, answer, typeof paragraphs === 'function' ? paragraphs(q) : paragraphs, sources));
  }
  return { rows, summary: summarize(rows), latencies };
}

const pct = (x: number): string => x.toFixed(3);

/** The table `npm run eval` prints. */
export function formatSummary(s: Summary, title: string): string {
  const lines = [
    `${title}: ${s.questions} questions (${s.answerable} answerable, ${s.unanswerable} unanswerable)`,
    '',
    '| metric | value | target |',
    '|---|---|---|',
    `| Hit@1 | ${pct(s.hit1)} | ≥ 0.95 |`,
    `| Hit@3 | ${pct(s.hit3)} | ≥ 0.98 |`,
    `| MRR | ${pct(s.mrr)} | |`,
    `| answer accuracy | ${pct(s.accuracy)} | ≥ 0.90 |`,
    `| answer accuracy, number/fact ≤ 60 chars | ${pct(s.accuracyShort)} | ≥ 0.85 |`,
    `| refusal precision | ${pct(s.refusalPrecision)} | |`,
    `| refusal recall (unanswerable refused) | ${pct(s.refusalRecall)} | ≥ 0.85 |`,
    `| answerable refused | ${pct(s.falseRefusalRate)} | ≤ 0.03 |`,
    `| verbatim quotes | ${pct(s.verbatimRate)} | 1.000 |`,
    '',
    '| type | n | Hit@1 | accuracy (refused, for unanswerable) |',
    '|---|---|---|---|',
    ...Object.entries(s.byType).map(([t, v]) => `| ${t} | ${v.n} | ${t === 'unanswerable' ? '–' : pct(v.hit1)} | ${pct(v.accuracy)} |`),
  ];
  return lines.join('\n');
}

export function formatFailures(rows: Scored[]): string {
  const out: string[] = [];
  for (const r of rows) {
    const bad = r.answerable ? r.rank !== 1 || !r.correct : !r.refused;
    if (!bad) continue;
    const what = r.answerable
      ? `${r.refused ? 'REFUSED' : r.correct ? 'ok' : 'WRONG'} rank=${r.rank}`
      : 'ANSWERED';
    out.push(
      `${r.question.id} [${r.question.type}/${r.question.style ?? ''}] ${what}\n  Q: ${r.question.q}\n  gold: ${JSON.stringify(r.question.gold)} @ ${r.question.paragraph ?? '-'}\n  A: ${r.answer.answer}${r.answer.reason ? ` (${r.answer.reason})` : ''}\n  1st quote: ${r.answer.citations[0]?.quote.slice(0, 60) ?? '-'}`,
    );
  }
  return out.join('\n');
}
