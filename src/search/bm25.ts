/**
 * Okapi BM25 over an inverted index. Documents arrive as weighted terms, so one document can hold a
 * main field (weight 1) and context such as its paragraph topic (a lower weight): the weights add to the
 * term frequency, a light form of BM25F. Only the main field counts towards the document length.
 */

export interface WeightedTerm {
  term: string;
  weight: number;
}

export interface Bm25Params {
  k1: number;
  b: number;
}

interface Posting {
  docs: number[] | Int32Array;
  tf: number[] | Float32Array;
}

/** The compact saved form: term strings as JSON, postings as typed arrays in one binary file. */
export interface Bm25Binary {
  meta: { params: Bm25Params; terms: string[]; counts: number[] };
  /** lengths (Float32 × docs), then per term: doc ids (Int32), then term frequencies (Float32). */
  data: Buffer;
}

export interface Bm25Json {
  params: Bm25Params;
  lengths: number[];
  terms: Array<[string, number[], number[]]>;
}

export interface ScoredDoc {
  doc: number;
  score: number;
}

export class Bm25Index {
  readonly params: Bm25Params;
  private readonly postings = new Map<string, Posting>();
  /** A loaded index keeps its postings packed (term → position) and makes views on demand. */
  private readonly packed = new Map<string, number>();
  private packedAt: Int32Array = new Int32Array(0);
  private packedCount: Int32Array = new Int32Array(0);
  private i32: Int32Array = new Int32Array(0);
  private f32: Float32Array = new Float32Array(0);
  private readonly lengths: number[] = [];
  private avgLength = 0;
  private scores: Float64Array = new Float64Array(0);

  constructor(params: Partial<Bm25Params> = {}) {
    this.params = { k1: params.k1 ?? 1.2, b: params.b ?? 0.75 };
  }

  get size(): number {
    return this.lengths.length;
  }

  /** Adds a document; `mainLength` is the length of its main field in terms. Returns its number. */
  add(terms: Iterable<WeightedTerm>, mainLength: number): number {
    const doc = this.lengths.length;
    const tf = new Map<string, number>();
    for (const { term, weight } of terms) tf.set(term, (tf.get(term) ?? 0) + weight);
    for (const [term, f] of tf) {
      let p = this.postings.get(term);
      if (!p) {
        p = { docs: [], tf: [] };
        this.postings.set(term, p);
      }
      (p.docs as number[]).push(doc);
      (p.tf as number[]).push(Math.round(f * 1000) / 1000);
    }
    this.lengths.push(mainLength);
    this.avgLength += (mainLength - this.avgLength) / this.lengths.length;
    return doc;
  }

  private posting(term: string): Posting | undefined {
    const p = this.postings.get(term);
    if (p) return p;
    const i = this.packed.get(term);
    if (i === undefined) return undefined;
    const at = this.packedAt[i]!;
    const n = this.packedCount[i]!;
    return { docs: this.i32.subarray(at, at + n), tf: this.f32.subarray(at + n, at + 2 * n) };
  }

  /** Number of documents holding the term. */
  df(term: string): number {
    const p = this.postings.get(term);
    if (p) return p.docs.length;
    const i = this.packed.get(term);
    return i === undefined ? 0 : this.packedCount[i]!;
  }

  has(term: string): boolean {
    return this.postings.has(term) || this.packed.has(term);
  }

  /** Inverse document frequency (BM25's, always positive). */
  idf(term: string): number {
    const n = this.lengths.length;
    const df = this.df(term);
    return Math.log(1 + (n - df + 0.5) / (df + 0.5));
  }

  /** Every indexed term (for vocabulary look-ups such as typo correction). */
  *vocabulary(): IterableIterator<string> {
    yield* this.postings.keys();
    yield* this.packed.keys();
  }

  /**
   * Scores every document that holds at least one query term; returns the best `limit`, best first.
   * A query term's weight multiplies its contribution (synonyms and bigrams count less than words).
   */
  search(query: WeightedTerm[], limit = 50, allow?: (doc: number) => boolean): ScoredDoc[] {
    const n = this.lengths.length;
    if (this.scores.length !== n) this.scores = new Float64Array(n);
    const scores = this.scores;
    const touched: number[] = [];
    const { k1, b } = this.params;
    for (const { term, weight } of query) {
      const p = this.posting(term);
      if (!p || weight <= 0) continue;
      const idf = this.idf(term) * weight;
      for (let i = 0; i < p.docs.length; i++) {
        const doc = p.docs[i]!;
        if (allow && !allow(doc)) continue;
        const f = p.tf[i]!;
        const norm = k1 * (1 - b + (b * this.lengths[doc]!) / (this.avgLength || 1));
        if (scores[doc] === 0) touched.push(doc);
        scores[doc]! += (idf * f * (k1 + 1)) / (f + norm);
      }
    }
    const out = topK(touched, scores, limit);
    for (const doc of touched) scores[doc] = 0;
    return out;
  }

  toJSON(): Bm25Json {
    return {
      params: this.params,
      lengths: this.lengths,
      terms: [...this.vocabulary()].map((t) => {
        const p = this.posting(t)!;
        return [t, [...p.docs], [...p.tf]];
      }),
    };
  }

  /** Serialises to typed arrays: an order of magnitude smaller and faster to load than JSON. */
  toBinary(): Bm25Binary {
    const terms: string[] = [];
    const counts: number[] = [];
    let total = 0;
    const all = [...this.vocabulary()].map((t) => [t, this.posting(t)!] as const);
    for (const [t, p] of all) {
      terms.push(t);
      counts.push(p.docs.length);
      total += p.docs.length;
    }
    const data = Buffer.alloc(4 * (this.lengths.length + 2 * total));
    const f32 = new Float32Array(data.buffer, data.byteOffset, data.length / 4);
    const i32 = new Int32Array(data.buffer, data.byteOffset, data.length / 4);
    f32.set(this.lengths, 0);
    let at = this.lengths.length;
    for (const [, p] of all) {
      i32.set(p.docs, at);
      f32.set(p.tf, at + p.docs.length);
      at += 2 * p.docs.length;
    }
    return { meta: { params: this.params, terms, counts }, data };
  }

  static fromBinary(meta: Bm25Binary['meta'], data: Buffer, size: number): Bm25Index {
    if (!meta || !Array.isArray(meta.terms) || !Array.isArray(meta.counts) || meta.terms.length !== meta.counts.length) {
      throw new TypeError('not a BM25 index');
    }
    const expected = 4 * (size + 2 * meta.counts.reduce((a, n) => a + n, 0));
    if (data.length !== expected) throw new TypeError('BM25 postings are damaged');
    // Typed-array views need 4-byte alignment; a pooled buffer may not have it.
    if (data.byteOffset % 4 !== 0) data = Buffer.from(new Uint8Array(data).buffer);
    const f32 = new Float32Array(data.buffer, data.byteOffset, data.length / 4);
    const i32 = new Int32Array(data.buffer, data.byteOffset, data.length / 4);
    const index = new Bm25Index(meta.params);
    let sum = 0;
    for (let i = 0; i < size; i++) {
      const l = f32[i]!;
      index.lengths.push(l);
      sum += l;
    }
    index.avgLength = size ? sum / size : 0;
    let at = size;
    index.i32 = i32;
    index.f32 = f32;
    index.packedAt = new Int32Array(meta.terms.length);
    index.packedCount = Int32Array.from(meta.counts);
    meta.terms.forEach((term, i) => {
      index.packedAt[i] = at;
      index.packed.set(term, i);
      at += 2 * meta.counts[i]!;
    });
    return index;
  }

  /**
   * One index over the documents of several, in order: document d of the second comes after every
   * document of the first. Term frequencies and lengths are kept as they are, so the result scores
   * exactly as an index built from all the documents at once (and saved) would.
   */
  static concat(parts: Bm25Index[], params?: Partial<Bm25Params>): Bm25Index {
    const index = new Bm25Index(params ?? parts[0]?.params);
    // Packed as a loaded index is (one buffer of postings), not a pair of arrays per term. Each part's
    // terms are looked up once: the slot of its i-th term is kept for the second pass.
    const slot = new Map<string, number>();
    const counts: number[] = [];
    const views = parts.map((part) => {
      const terms = [...part.vocabulary()];
      const slots = new Int32Array(terms.length);
      const lists = terms.map((term, k) => {
        let i = slot.get(term);
        if (i === undefined) {
          slot.set(term, (i = counts.length));
          counts.push(0);
        }
        slots[k] = i;
        const p = part.posting(term)!;
        counts[i]! += p.docs.length;
        return p;
      });
      return { slots, lists, size: part.size, lengths: part.lengths };
    });
    const size = parts.reduce((n, p) => n + p.size, 0);
    const total = counts.reduce((a, n) => a + n, 0);
    const data = new ArrayBuffer(4 * (size + 2 * total));
    const f32 = new Float32Array(data);
    const i32 = new Int32Array(data);
    const at = new Int32Array(counts.length);
    let next = size;
    counts.forEach((n, i) => {
      at[i] = next;
      next += 2 * n;
    });
    const filled = new Int32Array(counts.length);
    let base = 0;
    let sum = 0;
    for (const v of views) {
      v.lists.forEach((p, k) => {
        const i = v.slots[k]!;
        const o = at[i]! + filled[i]!;
        const n = counts[i]!;
        const m = p.docs.length;
        for (let j = 0; j < m; j++) i32[o + j] = p.docs[j]! + base;
        f32.set(p.tf, o + n);
        filled[i]! += m;
      });
      for (const l of v.lengths) {
        f32[index.lengths.length] = l;
        index.lengths.push(l);
        sum += l;
      }
      base += v.size;
    }
    index.avgLength = size ? sum / size : 0;
    index.i32 = i32;
    index.f32 = f32;
    index.packedAt = at;
    index.packedCount = Int32Array.from(counts);
    for (const [term, i] of slot) index.packed.set(term, i);
    return index;
  }

  static fromJSON(json: Bm25Json): Bm25Index {
    if (!json || !Array.isArray(json.lengths) || !Array.isArray(json.terms)) {
      throw new TypeError('not a BM25 index');
    }
    const index = new Bm25Index(json.params);
    index.lengths.push(...json.lengths);
    let sum = 0;
    for (const l of json.lengths) sum += l;
    index.avgLength = json.lengths.length ? sum / json.lengths.length : 0;
    for (const [term, docs, tf] of json.terms) {
      if (docs.length !== tf.length) throw new TypeError(`posting list of ${term} is damaged`);
      index.postings.set(term, { docs, tf });
    }
    return index;
  }
}

function topK(docs: number[], scores: Float64Array, k: number): ScoredDoc[] {
  if (docs.length <= k) {
    return docs.map((doc) => ({ doc, score: scores[doc]! })).sort((a, b) => b.score - a.score || a.doc - b.doc);
  }
  // Threshold by a partial selection: cheaper than sorting every touched document.
  const values = Float64Array.from(docs, (d) => scores[d]!).sort();
  const threshold = values[values.length - k]!;
  const out: ScoredDoc[] = [];
  for (const doc of docs) if (scores[doc]! >= threshold) out.push({ doc, score: scores[doc]! });
  return out.sort((a, b) => b.score - a.score || a.doc - b.doc).slice(0, k);
}
