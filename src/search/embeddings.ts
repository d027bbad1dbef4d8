import { createHash } from 'node:crypto';
import { Embeddings, type EmbeddingsParams } from '@langchain/core/embeddings';
import { pinyin } from 'pinyin-pro';
import { normalizeText } from '../corpus/normalize.ts';
import { bigrams, numberTerms, type Tokenizer } from './tokenizer.ts';

/**
 * A local, deterministic embedder: no model, no download, no network. It hashes features of a text into
 * a fixed number of dimensions (the "hashing trick") and normalises the vector, so cosine similarity
 * measures weighted feature overlap. What makes it more than a bag of bigrams is the features it adds:
 *
 *   concept  every word of a synonym group maps to the group (托育 and 托位 share a dimension)
 *   sound    toneless pinyin of each word, so a homophone typo (瞪铃 for 瞪羚) still lands close
 *   word     jieba words (with the domain dictionary), weighted by length
 *   bigram   CJK character bigrams, lighter
 *
 * It implements LangChain's `Embeddings`, so it can be swapped for a neural embedder
 * (OpenAI-compatible or Ollama) without touching the vector store.
 */
export interface LocalEmbeddingsOptions extends EmbeddingsParams {
  tokenizer: Tokenizer;
  /** Synonym groups; the first member names the concept. */
  synonymGroups?: string[][];
  dimensions?: number;
}

const VERSION = 'local-hash-v1';

export class LocalHashEmbeddings extends Embeddings {
  /** Identifies the embedder and everything that shapes its vectors, for the index manifest. */
  readonly id: string;
  readonly dimensions: number;
  private readonly tokenizer: Tokenizer;
  private readonly concepts = new Map<string, string>();
  private readonly sounds = new Map<string, string>();

  constructor(options: LocalEmbeddingsOptions) {
    super(options);
    this.tokenizer = options.tokenizer;
    this.dimensions = options.dimensions ?? 384;
    for (const group of options.synonymGroups ?? []) {
      for (const term of group) if (!this.concepts.has(term)) this.concepts.set(term, group[0]!);
    }
    const groups = createHash('sha256')
      .update(JSON.stringify(options.synonymGroups ?? []))
      .digest('hex')
      .slice(0, 8);
    this.id = `${VERSION}:d${this.dimensions}:t${options.tokenizer.id}:s${groups}`;
  }

  async embedDocuments(texts: string[]): Promise<number[][]> {
    return texts.map((t) => this.embed(t));
  }

  async embedQuery(text: string): Promise<number[]> {
    return this.embed(text);
  }

  /** Synchronous core, also used directly on the hot path. */
  embed(text: string): number[] {
    const norm = normalizeText(text).toLowerCase();
    const v = new Float64Array(this.dimensions);
    for (const word of this.tokenizer.words(norm)) {
      const w = Math.min([...word].length, 4) / 2;
      this.add(v, `w:${word}`, w);
      const concept = this.concepts.get(word);
      if (concept) this.add(v, `c:${concept}`, w);
      this.add(v, `p:${this.sound(word)}`, 0.6 * w);
    }
    for (const b of bigrams(norm)) this.add(v, `b:${b}`, 0.5);
    for (const n of numberTerms(norm)) this.add(v, n, 0.5);
    let sum = 0;
    for (const x of v) sum += x * x;
    const scale = sum > 0 ? 1 / Math.sqrt(sum) : 0;
    return Array.from(v, (x) => x * scale);
  }

  private add(v: Float64Array, feature: string, weight: number): void {
    const h = fnv1a(feature);
    const sign = (h & 0x80000000) !== 0 ? -1 : 1;
    v[(h & 0x7fffffff) % this.dimensions]! += sign * weight;
  }

  private sound(word: string): string {
    let s = this.sounds.get(word);
    if (s === undefined) {
      s = /\p{Script=Han}/u.test(word) ? pinyin(word, { toneType: 'none', type: 'array' }).join('') : word;
      if (this.sounds.size < 200_000) this.sounds.set(word, s);
    }
    return s;
  }
}

/** 32-bit FNV-1a over UTF-16 code units: fast, stable across runs and platforms. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
