import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadLexicon, readReportSources } from '../../src/corpus/index.ts';
import type { Summary } from '../../src/eval/metrics.ts';
import { evalReports, readGroups } from '../../src/eval/reports.ts';
import { readQuestions, runEval } from '../../src/eval/run.ts';
import { evalVoices, readWriterGroups } from '../../src/eval/voices.ts';
import { DICT_DIR, REPORTS_DIR, ROOT, testEngine } from '../helpers/engine.ts';

/**
 * The quality gate: the dev question sets through the Answer JSON, scored as `npm run eval` scores
 * them, must stay at or above the figures in gate.json (what was reached, minus a margin). Held-out
 * sets are not part of the gate: they measure, they are not tuned against.
 */
type Gate = Partial<Record<keyof Summary, number>>;
const gates = JSON.parse(readFileSync(join(import.meta.dirname, 'gate.json'), 'utf8')) as Record<string, Gate>;
const LOWER_IS_BETTER = new Set(['falseRefusalRate', 'wrongFigureRate', 'refusedShowingAnswerRate', 'falseAbsenceClaims']);

function check(name: string, s: Summary): void {
  const gate = gates[name]!;
  for (const [metric, bound] of Object.entries(gate)) {
    const value = s[metric as keyof Summary] as number;
    if (LOWER_IS_BETTER.has(metric)) expect(value, `${name} ${metric}`).toBeLessThanOrEqual(bound!);
    else expect(value, `${name} ${metric}`).toBeGreaterThanOrEqual(bound!);
  }
}

describe('quality gate', () => {
  it('市北 dev questions', async () => {
    const engine = await testEngine();
    const questions = readQuestions(join(ROOT, 'test/eval/questions.jsonl'));
    const sources = readReportSources(REPORTS_DIR, loadLexicon(DICT_DIR)).map((s) => s.text);
    const paragraphs = sources.flatMap((s) => s.split(/\r?\n/)).filter((l) => l.trim());
    const run = await runEval(questions, (q) => engine.ask(q), paragraphs, sources);
    expect(run.summary.questions).toBeGreaterThan(400);
    check('shibei', run.summary);
  }, 120_000);

  const questionsDir = join(ROOT, 'test/eval/provinces');
  const dev = readGroups(questionsDir)['dev']!;

  it.each(['one', 'many'] as const)('provincial dev reports (%s)', async (mode) => {
    const run = await evalReports({
      fixtures: join(ROOT, 'test/fixtures/provinces-2026'),
      questions: questionsDir,
      dictDir: DICT_DIR,
      reports: dev,
      mode,
      extra: [join(REPORTS_DIR, 'qingdao-shibei-2025-work-report.txt'), join(REPORTS_DIR, 'qingdao-shibei-2025-work-report.json')],
    });
    expect(run.perReport).toHaveLength(dev.length);
    check(`provinces-${mode}`, run.summary);
  }, 300_000);

  // The dev writers' questions in several voices, over reports of every level (test/eval/voices). A
  // refusal must never claim that a report lacks a term it writes: falseAbsenceClaims is 0 in the gate,
  // over every dev question, each report alone and many loaded.
  const voices = join(ROOT, 'test/eval/voices');
  // Each set of dev writers is held to its own figures: the first writers (a–d) and the later ones
  // (h, i), written afresh in the voices the held-out writers showed hardest.
  it.each([
    ['dev-first', 'voices-dev', 'one', 850],
    ['dev-first', 'voices-dev', 'many', 850],
    ['dev-later', 'voices-later', 'one', 350],
    ['dev-later', 'voices-later', 'many', 350],
  ] as const)('voices: %s writers (%s, %s)', async (group, gate, mode, questions) => {
    const run = await evalVoices({
      questions: voices,
      reportDirs: [join(ROOT, 'test/fixtures/provinces-2026'), join(ROOT, 'test/fixtures/levels'), REPORTS_DIR],
      dictDir: DICT_DIR,
      writers: readWriterGroups(voices)[group]!,
      mode,
    });
    expect(run.summary.questions).toBeGreaterThan(questions);
    expect(run.rows.filter((r) => r.falseAbsence.length).map((r) => `${r.question.id}: ${r.answer.answer}`)).toEqual([]);
    check(`${gate}-${mode}`, run.summary);
  }, 600_000);
});
