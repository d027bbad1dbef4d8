import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CorpusError } from '../errors.ts';

/**
 * Cue phrasings of questions (data/dict/cues.txt): how people ask for a figure, a date, a summary, an
 * opinion, and the words they wrap a question in. Words are data, matching is code: a new phrasing is
 * a new line in the file. Cues are read by the question analysis only, so they are not part of the
 * index identity and editing them needs no re-index.
 *
 * ```ts
 * const cues = loadCues('data/dict');
 * cues.opinion.test('你怎么看今年的就业形势'); // true
 * ```
 */
export const CUE_NAMES = [
  'cost',
  'when',
  'where',
  'number',
  'who',
  'summary',
  'list',
  'yes-no',
  'section',
  'personal',
  'injection',
  'how-to',
  'greeting',
  'list-over-count',
  'figure-words',
  'goals',
  'opinion',
  'define',
  'wrapper-clause',
  'wrapper-prefix',
  'wrapper-suffix',
] as const;

export type CueName = (typeof CUE_NAMES)[number];

/** One matcher per cue; `greeting` and the wrappers are anchored as their use needs. */
export interface Cues extends Record<Exclude<CueName, 'greeting' | 'wrapper-clause' | 'wrapper-prefix' | 'wrapper-suffix'>, RegExp> {
  /** At the start of the question. */
  greeting: RegExp;
  /** Nothing but greetings and punctuation. */
  bareGreeting: RegExp;
  /** A whole clause. */
  wrapperClause: RegExp;
  /** At the start of a clause. */
  wrapperPrefix: RegExp;
  /** At the end of a clause. */
  wrapperSuffix: RegExp;
}

export const CUES_FILE = 'cues.txt';

export function loadCues(dictDir: string): Cues {
  const file = join(dictDir, CUES_FILE);
  if (!existsSync(file)) throw new CorpusError(file, 'is missing (the question cues)');
  return parseCues(readFileSync(file, 'utf8'), file);
}

export function parseCues(text: string, file = CUES_FILE): Cues {
  const sections = new Map<string, string[]>();
  let current: string[] | undefined;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const head = /^\[([a-z-]+)\]$/.exec(line);
    if (head) {
      if (!(CUE_NAMES as readonly string[]).includes(head[1]!)) throw new CorpusError(file, `line ${i + 1}: unknown cue [${head[1]}]`);
      sections.set(head[1]!, (current = sections.get(head[1]!) ?? []));
      return;
    }
    if (!current) throw new CorpusError(file, `line ${i + 1}: a phrasing before any [cue]`);
    try {
      new RegExp(line);
    } catch (cause) {
      throw new CorpusError(file, `line ${i + 1}: not a valid pattern: ${line}`, { cause });
    }
    current.push(line);
  });
  const union = (name: CueName): string => {
    const alts = sections.get(name);
    if (!alts?.length) throw new CorpusError(file, `has no phrasings for [${name}]`);
    return alts.join('|');
  };
  const re = (name: CueName): RegExp => new RegExp(union(name));
  const punct = '[\\s,.!?,。!?~～，！？、]';
  return {
    cost: re('cost'),
    when: re('when'),
    where: re('where'),
    number: re('number'),
    who: re('who'),
    summary: re('summary'),
    list: re('list'),
    'yes-no': re('yes-no'),
    section: re('section'),
    personal: re('personal'),
    injection: re('injection'),
    'how-to': re('how-to'),
    'list-over-count': re('list-over-count'),
    'figure-words': re('figure-words'),
    goals: re('goals'),
    opinion: re('opinion'),
    define: re('define'),
    greeting: new RegExp(`^(?:${union('greeting')})`),
    bareGreeting: new RegExp(`^${punct}*(?:(?:${union('greeting')})[呀啊哈啦吗呢的]*${punct}*)+$`),
    wrapperClause: new RegExp(`^(?:${union('wrapper-clause')})$`),
    wrapperPrefix: new RegExp(`^(?:${union('wrapper-prefix')})`),
    wrapperSuffix: new RegExp(`(?:${union('wrapper-suffix')})$`),
  };
}

/**
 * The question without its wrapping: clauses that only say who asks and why (单位要写总结, 替处长问一句),
 * and words that only ask to look something up or say how to answer (帮我查下, 原文怎么表述的). What is
 * left keeps its order; a question that is all wrapping is returned as it was.
 */
export function unwrap(text: string, cues: Pick<Cues, 'wrapperClause' | 'wrapperPrefix' | 'wrapperSuffix'>): string {
  const pieces = text.split(/([,，。;；!！?？:：\s]+)/);
  const out: string[] = [];
  for (let i = 0; i < pieces.length; i += 2) {
    let clause = pieces[i] ?? '';
    const sep = pieces[i + 1] ?? '';
    if (clause && cues.wrapperClause.test(clause)) clause = '';
    for (let guard = 0; clause && guard < 3; guard++) {
      const next = clause.replace(cues.wrapperPrefix, '').replace(cues.wrapperSuffix, '');
      if (next === clause) break;
      clause = cues.wrapperClause.test(next) ? '' : next;
    }
    if (clause) out.push(clause, sep);
  }
  const kept = out.join('').replace(/^[,，。;；:：\s]+|[,，;；:：\s]+$/g, '');
  return /[\p{Script=Han}a-z0-9]/u.test(kept) ? kept : text;
}

/** A kind of thing a question asks to be named (data/dict/entities.txt). */
export interface EntityKind {
  kind: string;
  /** 哪家企业, 哪个城市: how the refusal names what is missing. */
  which: string;
  ask: RegExp;
  /** What a name of that kind looks like in an answer. */
  instance: RegExp;
}

export const ENTITIES_FILE = 'entities.txt';

export function loadEntityKinds(dictDir: string): EntityKind[] {
  return readTable(dictDir, ENTITIES_FILE, (cells, fail) => {
    const [kind = '', measure = '', ask = '', instance = ''] = cells;
    if (!kind || !measure || !ask || !instance) fail('expected kind, measure word, ask and instance separated by tabs');
    return { kind, which: `哪${measure}${kind}`, ask: new RegExp(ask), instance: new RegExp(instance, 'u') };
  });
}

/**
 * The rows of a tab-separated file of data/dict/ (comments and blank lines skipped), each read by
 * `row`, which calls `fail` to refuse a line with a message that says where; none when the file is absent.
 */
export function readTable<T>(dictDir: string, name: string, row: (cells: string[], fail: (why: string) => never) => T): T[] {
  const file = join(dictDir, name);
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .flatMap((l, i) => (l.trim() && !l.startsWith('#') ? [row(l.split('\t'), (why) => { throw new CorpusError(file, `line ${i + 1}: ${why}`); })] : []));
}
