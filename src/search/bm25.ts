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
  docs: number[];
  tf: number[];
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
      p.docs.push(doc);
      p.tf.push(Math.round(f * 1000) / 1000);
    }
    this.lengths.push(mainLength);
    this.avgLength += (mainLength - this.avgLength) / this.lengths.length;
    return doc;
  }

  /** Number of documents holding the term. */
  df(term: string): number {
    return this.postings.get(term)?.docs.length ?? 0;
  }

  has(term: string): boolean {
    return this.postings.has(term);
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
  }

  /**
   * Scores every document that holds at least one query term; returns the best `limit`, best first.
   * A query term's weight multiplies its contribution (synonyms and bigrams count less than words).
   */
  search(query: WeightedTerm[], limit = 50): ScoredDoc[] {
    const n = this.lengths.length;
    if (this.scores.length !== n) this.scores = new Float64Array(n);
    const scores = this.scores;
    const touched: number[] = [];
    const { k1, b } = this.params;
    for (const { term, weight } of query) {
      const p = this.postings.get(term);
      if (!p || weight <= 0) continue;
      const idf = this.idf(term) * weight;
      for (let i = 0; i < p.docs.length; i++) {
        const doc = p.docs[i]!;
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
      terms: [...this.postings].map(([t, p]) => [t, p.docs, p.tf]),
    };
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
