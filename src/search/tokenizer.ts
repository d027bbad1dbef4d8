import { createHash } from 'node:crypto';
import type { Jieba } from '@node-rs/jieba';
import { extractQuantities, valueKey } from '../corpus/normalize.ts';
import { fullSegmenter, mergeDomainWords, segmenterFor, type DomainWords, type SegmenterLookup } from './segmenter.ts';

/**
 * Chinese keyword recall breaks on segmentation: the stock jieba dictionary splits 托位 into 托/位.
 * So the index holds three kinds of terms for every unit of text:
 *   w:托位     jieba words in search mode (long words and their dictionary sub-words), with a domain dictionary
 *   b:托位     CJK character bigrams, which match whatever the segmenter did
 *   n:300      figures by value (300个, 4万 → 40000), so 两万 in a question meets 2万 in the text
 *
 * ```ts
 * const tokenizer = createTokenizer({ words: ['托位 2000 n'] });
 * tokenizer.terms('增加普惠托位300个'); // ['w:增加', 'w:普惠', 'w:托位', …, 'b:托位', …, 'n:300']
 * ```
 */
export interface Tokenizer {
  /** Identifies the dictionary, so an index built with another one is rebuilt. */
  readonly id: string;
  /** Content words of a (normalised) text: CJK words of two or more characters, latin words, lower case. */
  words(text: string): string[];
  /** Index terms: w: words, b: bigrams, n: figures. */
  terms(text: string): string[];
  /** The raw segmentation (jieba precise mode), every token in order including punctuation. */
  cut(text: string): string[];
  /** Precise-mode segmentation with part-of-speech tags (n, v, vn, nz …). */
  tag(text: string): Array<{ word: string; tag: string }>;
  /** Whether the whole dictionary has been built (else texts were cut by per-text segmenters). */
  readonly whole: boolean;
  /** Builds the whole dictionary now (about 0.2 s), so later texts are cut at full speed. */
  prepare(): void;
}

export interface TokenizerOptions {
  /** Dictionary lines: `word [frequency] [tag]`. */
  words?: string[];
  /**
   * The stock dictionary sorted for lookup (saved beside the index). With it, short texts (a
   * question, a sentence) are cut by a segmenter made of their own words, and the whole dictionary
   * is built only when a long text or many texts need it: a one-shot answer starts without it.
   */
  lookup?: SegmenterLookup;
  /** Time spent on per-text segmenters after which the whole dictionary is built (default 150 ms). */
  perTextBudgetMs?: number;
}

/** Texts longer than this are cut with the whole dictionary (built once). */
const SHORT_TEXT = 240;
/** Time spent on per-text segmenters after which building the whole dictionary is cheaper. */
const PER_TEXT_BUDGET_MS = 150;
const RECENT_TEXTS = 32;

const HAN = /\p{Script=Han}/u;
const HAN_RUN = /\p{Script=Han}+/gu;
const LATIN_OR_DIGIT = /^[a-z0-9][a-z0-9.+-]*$/;

export function createTokenizer(options: TokenizerOptions = {}): Tokenizer {
  const lines = (options.words ?? []).map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const id = createHash('sha256').update(lines.join('\n')).digest('hex').slice(0, 16);
  let full: Jieba | undefined;
  const domain: DomainWords | undefined = options.lookup ? mergeDomainWords(lines, options.lookup) : undefined;
  const recent = new Map<string, Jieba>();
  let spentMs = 0;
  // Both ways cut every text the same (test/search/segmenter.test.ts); only their cost differs.
  const whole = (): Jieba => {
    if (!full) {
      recent.clear();
      full = fullSegmenter(lines);
    }
    return full;
  };
  const segmenter = (text: string): Jieba => {
    if (full || !domain || text.length > SHORT_TEXT || spentMs > (options.perTextBudgetMs ?? PER_TEXT_BUDGET_MS)) return whole();
    let s = recent.get(text);
    if (!s) {
      const t = performance.now();
      s = segmenterFor(text, options.lookup!, domain);
      spentMs += performance.now() - t;
      if (recent.size >= RECENT_TEXTS) recent.delete(recent.keys().next().value!);
      recent.set(text, s);
    }
    return s;
  };

  const words = (text: string): string[] => {
    const out: string[] = [];
    const lower = text.toLowerCase();
    for (const raw of segmenter(lower).cutForSearch(lower, false)) {
      const w = raw.trim();
      if (!w) continue;
      if (HAN.test(w) ? [...w].length >= 2 : LATIN_OR_DIGIT.test(w) && /[a-z]/.test(w)) out.push(w);
    }
    return out;
  };

  return {
    id,
    get whole() {
      return full !== undefined;
    },
    prepare: () => void whole(),
    words,
    cut: (text) => segmenter(text).cut(text, false),
    tag: (text) => segmenter(text).tag(text, false),
    terms(text: string): string[] {
      const out = words(text).map((w) => `w:${w}`);
      for (const b of bigrams(text)) out.push(`b:${b}`);
      for (const n of numberTerms(text)) out.push(n);
      return out;
    },
  };
}

/** Adjacent CJK character pairs within each run of CJK characters. */
export function bigrams(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(HAN_RUN)) {
    const chars = [...m[0]];
    for (let i = 0; i + 1 < chars.length; i++) out.push(chars[i]! + chars[i + 1]!);
  }
  return out;
}

/** Figures in the text as n: terms by value; ordinals and years count too (第五, 2025年). */
export function numberTerms(text: string): string[] {
  return extractQuantities(text).map((q) => `n:${valueKey(q.value)}`);
}
