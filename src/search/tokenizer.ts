import { createHash } from 'node:crypto';
import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict.js';
import { extractQuantities, valueKey } from '../corpus/normalize.ts';

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
}

export interface TokenizerOptions {
  /** Dictionary lines: `word [frequency] [tag]`. */
  words?: string[];
}

const HAN = /\p{Script=Han}/u;
const HAN_RUN = /\p{Script=Han}+/gu;
const LATIN_OR_DIGIT = /^[a-z0-9][a-z0-9.+-]*$/;

export function createTokenizer(options: TokenizerOptions = {}): Tokenizer {
  const lines = (options.words ?? []).map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const jieba = Jieba.withDict(dict);
  if (lines.length) jieba.loadDict(Buffer.from(lines.join('\n') + '\n'));
  const id = createHash('sha256').update(lines.join('\n')).digest('hex').slice(0, 16);

  const words = (text: string): string[] => {
    const out: string[] = [];
    for (const raw of jieba.cutForSearch(text.toLowerCase(), false)) {
      const w = raw.trim();
      if (!w) continue;
      if (HAN.test(w) ? [...w].length >= 2 : LATIN_OR_DIGIT.test(w) && /[a-z]/.test(w)) out.push(w);
    }
    return out;
  };

  return {
    id,
    words,
    cut: (text) => jieba.cut(text, false),
    tag: (text) => jieba.tag(text, false),
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
