import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withConversation } from '../answer/conversation.ts';
import { createEngine, type Engine } from '../answer/engine.ts';
import { foldWidth } from '../corpus/text.ts';
import { MemoryState } from '../shared/state.ts';
import { containsOnBoundary } from './metrics.ts';

/**
 * `npm run eval -- --followups`: pairs of a first question and a follow-up as officials type them
 * (test/eval/followups/*.jsonl), asked in one conversation. A follow-up is answered right when the
 * answer holds the gold figure (for lists, one of the gold items); a silent misreading is a
 * follow-up that took something from the conversation without saying so, or said it took something
 * from a question that stood alone.
 */

export interface FollowUpPair {
  id: string;
  kind: string;
  mode: 'one' | 'many';
  report: string;
  first: string;
  next: string;
  means: string;
  gold: string[];
  inherits: string[];
}

export interface FollowUpRow {
  pair: FollowUpPair;
  right: boolean;
  interpretedAs?: string;
  /** Inherited without saying so, or said so for a question that stood alone. */
  silent: boolean;
  answer: string;
}

const norm = (s: string): string => foldWidth(s).replace(/\s+/g, '');

export function readPairs(dir: string): FollowUpPair[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .sort()
    .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as FollowUpPair));
}

export async function evalFollowUps(options: { pairs: FollowUpPair[]; reportDirs: string[]; dictDir: string }): Promise<FollowUpRow[]> {
  const work = mkdtempSync(join(tmpdir(), 'wp-followups-'));
  const engines = new Map<string, Promise<Engine>>();
  const fileOf = (name: string): [string, string] => {
    const dir = options.reportDirs.find((d) => existsSync(join(d, `${name}.txt`)));
    if (!dir) throw new Error(`no report text for ${name}`);
    return [dir, name];
  };
  const engineFor = (pair: FollowUpPair): Promise<Engine> => {
    const key = pair.mode === 'many' ? 'many' : pair.report;
    let e = engines.get(key);
    if (!e) {
      const dir = join(work, key);
      mkdirSync(dir);
      const names = pair.mode === 'many' ? readdirSync(options.reportDirs[0]!).filter((f) => f.endsWith('.txt')).map((f) => f.replace(/\.txt$/, '')) : [pair.report];
      for (const n of names) {
        const [from, name] = fileOf(n);
        for (const ext of ['.txt', '.json']) if (existsSync(join(from, name + ext))) copyFileSync(join(from, name + ext), join(dir, name + ext));
      }
      e = createEngine({ reportsDir: dir, dictDir: options.dictDir, indexDir: join(work, `${key}-index`), readOnly: true });
      engines.set(key, e);
    }
    return e;
  };
  const rows: FollowUpRow[] = [];
  try {
    for (const pair of options.pairs) {
      const engine = await engineFor(pair);
      const ask = withConversation((q, o) => engine.ask(q, o), { engine, state: new MemoryState() });
      await ask(pair.first, { channel: 'eval', conversationId: pair.id });
      const a = await ask(pair.next, { channel: 'eval', conversationId: pair.id });
      const hay = norm(a.answer);
      const golds = pair.gold.map(norm);
      const right = a.found && (pair.kind === 'list' ? golds.some((g) => hay.includes(g)) : golds.every((g) => containsOnBoundary(hay, g)));
      const inherits = pair.inherits.length > 0;
      const silent = inherits ? a.found && !a.interpretedAs : Boolean(a.interpretedAs);
      rows.push({ pair, right, ...(a.interpretedAs ? { interpretedAs: a.interpretedAs } : {}), silent, answer: a.answer });
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return rows;
}

export function formatFollowUps(rows: FollowUpRow[], verbose = false): string {
  const kinds = [...new Set(rows.map((r) => r.pair.kind))];
  const f3 = (x: number): string => x.toFixed(3);
  const line = (name: string, rs: FollowUpRow[]) =>
    `| ${name} | ${rs.length} | ${f3(rs.filter((r) => r.right).length / Math.max(1, rs.length))} | ${rs.filter((r) => r.silent).length} |`;
  const out = [
    `follow-ups: ${rows.length} pairs`,
    '',
    '| kind | n | answered right | silent misreadings |',
    '|---|---|---|---|',
    ...kinds.map((k) => line(k, rows.filter((r) => r.pair.kind === k))),
    line('**all**', rows),
  ];
  if (verbose) {
    for (const r of rows.filter((x) => !x.right || x.silent)) {
      out.push(`- ${r.pair.id} ${r.pair.first} → ${r.pair.next} (means ${r.pair.means}) read as ${r.interpretedAs ?? '-'}: ${r.answer.slice(0, 80).replace(/\n/g, ' ')} [gold ${r.pair.gold.join('/')}]${r.silent ? ' SILENT' : ''}`);
    }
  }
  return out.join('\n');
}
