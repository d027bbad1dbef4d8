import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Document } from '@langchain/core/documents';
import { Embeddings } from '@langchain/core/embeddings';
import { HNSWLib } from '@langchain/community/vectorstores/hnswlib';
import MiniSearch from 'minisearch';
import { fnv1a } from '../src/search/embeddings.ts';

/**
 * The two peers the engine is measured against, both over whole paragraphs (the usual way these tools
 * are used), neither giving an answer nor refusing: their "answer" is the top paragraph.
 */
export interface Peer {
  build(paragraphs: string[]): Promise<void>;
  save(dir: string): Promise<void>;
  load(dir: string): Promise<void>;
  /** Top paragraphs, best first. */
  search(question: string, k: number): Promise<string[]>;
}

const HAN_RUN = /\p{Script=Han}+/gu;

/** CJK bigrams plus latin words and digit runs: the common way to make an English-first engine read Chinese. */
export function bigramTokens(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(HAN_RUN)) {
    const chars = [...m[0]];
    if (chars.length === 1) out.push(chars[0]!);
    for (let i = 0; i + 1 < chars.length; i++) out.push(chars[i]! + chars[i + 1]!);
  }
  for (const m of text.matchAll(/[A-Za-z]+|\d+(?:\.\d+)?/g)) out.push(m[0].toLowerCase());
  return out;
}

export class MiniSearchPeer implements Peer {
  private ms?: MiniSearch<{ id: number; text: string }>;
  private paragraphs: string[] = [];
  private readonly options = { fields: ['text'], storeFields: [] as string[], tokenize: bigramTokens, processTerm: (t: string) => t };

  async build(paragraphs: string[]): Promise<void> {
    this.paragraphs = paragraphs;
    this.ms = new MiniSearch(this.options);
    this.ms.addAll(paragraphs.map((text, id) => ({ id, text })));
  }
  async save(dir: string): Promise<void> {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'minisearch.json'), JSON.stringify({ index: this.ms!.toJSON(), paragraphs: this.paragraphs }));
  }
  async load(dir: string): Promise<void> {
    const saved = JSON.parse(readFileSync(join(dir, 'minisearch.json'), 'utf8'));
    this.paragraphs = saved.paragraphs;
    this.ms = MiniSearch.loadJS(saved.index, this.options);
  }
  async search(question: string, k: number): Promise<string[]> {
    return this.ms!.search(question, { combineWith: 'OR' })
      .slice(0, k)
      .map((r) => this.paragraphs[r.id as number]!);
  }
}

/** Hashed CJK bigrams: the naive embedder one writes to try LangChain + HNSWLib with no model. */
export class HashedBigramEmbeddings extends Embeddings {
  constructor(private readonly dimensions = 256) {
    super({});
  }
  private embed(text: string): number[] {
    const v = new Array<number>(this.dimensions).fill(0);
    for (const t of bigramTokens(text)) v[fnv1a(t) % this.dimensions]! += 1;
    const norm = Math.sqrt(v.reduce((a, x) => a + x * x, 0)) || 1;
    return v.map((x) => x / norm);
  }
  async embedDocuments(texts: string[]): Promise<number[][]> {
    return texts.map((t) => this.embed(t));
  }
  async embedQuery(text: string): Promise<number[]> {
    return this.embed(text);
  }
}

export class HnswBigramPeer implements Peer {
  private store?: HNSWLib;
  private readonly embeddings = new HashedBigramEmbeddings();

  async build(paragraphs: string[]): Promise<void> {
    this.store = await HNSWLib.fromDocuments(
      paragraphs.map((pageContent, i) => new Document({ pageContent, metadata: { i } })),
      this.embeddings,
    );
  }
  async save(dir: string): Promise<void> {
    await this.store!.save(dir);
  }
  async load(dir: string): Promise<void> {
    this.store = await HNSWLib.load(dir, this.embeddings);
  }
  async search(question: string, k: number): Promise<string[]> {
    const hits = await this.store!.similaritySearch(question, k);
    return hits.map((d) => d.pageContent);
  }
}
