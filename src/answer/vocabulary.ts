import { pinyin } from 'pinyin-pro';
import type { Bm25Index } from '../search/bm25.ts';
import { bigrams } from '../search/tokenizer.ts';

/**
 * What the report's words are, for question analysis: whether a word occurs at all, how rare it is,
 * and which report words sound like a word that does not occur (a homophone typo: 瞪铃 → 瞪羚,
 * 托为 → 托位). Chinese IME typos are overwhelmingly homophones, so toneless pinyin is the key.
 */
export interface Vocabulary {
  contains(form: string): boolean;
  /** Was this exact word produced by the segmenter somewhere in the report? */
  isWord(word: string): boolean;
  /** Does the report write this exact string (a word, or a phrase across words)? */
  isWordOrPhrase(text: string): boolean;
  idf(form: string): number;
  maxIdf(): number;
  /** Report words of the same length that sound the same (toneless pinyin), most frequent first. */
  soundsLike(word: string): string[];
  /** Builds the sound table now rather than on the first typo (keeps the first answer fast). */
  warm(): void;
  /** Builds it in slices between other work, so a large collection starts at once. */
  warmInBackground(): Promise<void>;
  /** The sound table (toneless pinyin → report words), to save beside the index. */
  soundTable(): Array<[string, string[]]>;
  /** The report word written with this pinyin (jinsong → 劲松), for romanised names; one or none. */
  fromPinyin(latin: string): string | undefined;
}

/**
 * Toneless pinyin of the words seen in this process: a reload's new sound table reads the words the
 * serving one already sounded out from here (most of them: one report added among many).
 */
const SOUNDS = new Map<string, string>();

export function createVocabulary(index: Bm25Index, corpusText?: string, sounds?: Array<[string, string[]]>): Vocabulary {
  let byPinyin: Map<string, string[]> | undefined = sounds ? new Map(sounds) : undefined;
  let byLatin: Map<string, string | null> | undefined;
  const hasWord = (f: string): boolean => index.has(`w:${f}`);
  const hasBigram = (f: string): boolean => index.has(`b:${f}`);
  const contains = (form: string): boolean => {
    const f = form.toLowerCase();
    if (hasWord(f) || hasBigram(f)) return true;
    const bs = bigrams(f);
    return bs.length > 0 && bs.length <= 4 && bs.every(hasBigram);
  };
  const sound = (w: string): string => {
    let s = SOUNDS.get(w);
    if (s === undefined) {
      s = pinyin(w, { toneType: 'none', type: 'array' }).join(' ');
      if (SOUNDS.size < 400_000) SOUNDS.set(w, s);
    }
    return s;
  };

  // The sound table is filled from the index's terms, in slices when warmed in the background.
  let pending: Iterator<string> | undefined;
  const fill = (limit: number): boolean => {
    if (!byPinyin) {
      byPinyin = new Map();
      pending = index.vocabulary();
    }
    for (let n = 0; n < limit; n++) {
      const next = pending?.next();
      if (!next || next.done) {
        pending = undefined;
        return true;
      }
      const term = next.value;
      const kind = term.slice(0, 2);
      if (kind !== 'w:' && kind !== 'b:') continue;
      const w = term.slice(2);
      if (!/^\p{Script=Han}{2,6}$/u.test(w)) continue;
      const key = sound(w);
      const list = byPinyin.get(key) ?? [];
      if (!list.includes(w)) list.push(w);
      byPinyin.set(key, list);
    }
    return pending === undefined;
  };
  const table = (): Map<string, string[]> => {
    if (!byPinyin || pending) fill(Infinity);
    return byPinyin!;
  };

  return {
    contains,
    isWord: (w) => hasWord(w.toLowerCase()),
    isWordOrPhrase: (w) => hasWord(w.toLowerCase()) || (corpusText !== undefined ? corpusText.includes(w) : contains(w)),
    warm: () => void table(),
    soundTable: () => [...table()],
    async warmInBackground() {
      while (!fill(4000)) await new Promise((r) => setImmediate(r));
    },
    idf(form) {
      const f = form.toLowerCase();
      if (hasWord(f)) return index.idf(`w:${f}`);
      if (hasBigram(f)) return index.idf(`b:${f}`);
      const bs = bigrams(f).filter(hasBigram);
      if (bs.length === 0) return this.maxIdf();
      return Math.max(...bs.map((b) => index.idf(`b:${b}`)));
    },
    maxIdf() {
      return Math.log(1 + (index.size + 0.5) / 0.5);
    },
    fromPinyin(latin) {
      if (!byLatin) {
        byLatin = new Map();
        for (const [key, words] of table()) {
          const joined = key.replace(/ /g, '');
          // Ambiguous spellings map to nothing: a wrong name is worse than none.
          const one = words.filter((w) => hasWord(w));
          if (one.length !== 1 || joined.length < 5) continue;
          byLatin.set(joined, byLatin.has(joined) ? null : one[0]!);
        }
      }
      return byLatin.get(latin.toLowerCase().replace(/[^a-z]/g, '')) ?? undefined;
    },
    soundsLike(word) {
      const hits = (table().get(sound(word)) ?? []).filter((w) => w !== word && [...w].length === [...word].length);
      return hits.sort((a, b) => index.df(`w:${b}`) + index.df(`b:${b}`) - index.df(`w:${a}`) - index.df(`b:${a}`)).slice(0, 3);
    },
  };
}
