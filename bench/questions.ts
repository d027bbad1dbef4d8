import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { EvalQuestion } from '../src/eval/metrics.ts';
import { askedIn } from '../src/eval/reports.ts';
import { readQuestions } from '../src/eval/run.ts';

/**
 * The questions for a folder of reports: for every `<name>.txt` with a `<name>.jsonl` in the province
 * question sets, its questions as asked where every region is loaded (naming the place); with one
 * report, as its own officials ask. Questions about another region's figure are left out when many
 * regions are loaded (they are answerable there).
 */
export function questionsFor(reportsDir: string, questionsDir: string): Array<EvalQuestion & { lines: string[] }> {
  const files = readdirSync(reportsDir).filter((f) => f.endsWith('.txt'));
  const many = files.length > 1;
  const out: Array<EvalQuestion & { lines: string[] }> = [];
  for (const file of files) {
    const set = join(questionsDir, `${basename(file, '.txt')}.jsonl`);
    if (!existsSync(set)) continue;
    const text = readFileSync(join(reportsDir, file), 'utf8');
    const lines = text.split(/\r?\n/).filter((l) => l.trim());
    const place = /_(.+?)(?:省|市|(?:维吾尔|壮族|回族)?自治区)_/.exec(file)?.[1] ?? '';
    for (const q of readQuestions(set)) {
      const asked = askedIn(q, many, place);
      if (asked !== undefined) out.push({ ...q, q: asked, lines });
    }
  }
  return out;
}
