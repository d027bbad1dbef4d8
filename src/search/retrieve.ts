import type { WeightedTerm } from './bm25.ts';
import type { SearchIndex } from './store.ts';

/**
 * Hybrid, paragraph-aware retrieval at sentence level. Three signals, each normalised to [0, 1]:
 *   lexical    BM25 of the sentence (its words plus a little of its paragraph's topic and heading)
 *   paragraph  BM25 of the whole paragraph, so a sentence inside the paragraph that is about the
 *              question wins over a lone sentence that happens to share a word
 *   dense      cosine similarity from the vector store (HNSWLib)
 * fused linearly. The lexical side dominates: in a single report, exact words are the strongest
 * evidence; the dense side adds synonyms and homophone typos.
 */
export interface RetrievalQuery {
  terms: WeightedTerm[];
  vector?: number[];
}

export interface Candidate {
  unit: number;
  lexical: number;
  paragraph: number;
  dense: number;
  score: number;
}

export interface RetrievalWeights {
  lexical: number;
  paragraph: number;
  dense: number;
}

export const DEFAULT_WEIGHTS: RetrievalWeights = { lexical: 0.6, paragraph: 0.25, dense: 0.15 };

export interface RetrievalOptions {
  limit?: number;
  weights?: RetrievalWeights;
  /** Only these reports (by position in the index); all when absent. */
  reports?: number[];
}

/** Up to this many units in scope are scanned exactly instead of searched in the graph. */
const EXACT_LIMIT = 12_000;

/** Each report's vectors, unit-normalised, copied out of the graph once (cosine = dot product). */
const matrices = new WeakMap<SearchIndex, Map<number, Float32Array>>();

function matrixOf(index: SearchIndex, report: number): Float32Array {
  let byReport = matrices.get(index);
  if (!byReport) matrices.set(index, (byReport = new Map()));
  let m = byReport.get(report);
  if (!m) {
    const base = index.unitOf(report, 0);
    const count = index.unitCount(report);
    const dim = index.vectors.args.numDimensions ?? 0;
    m = new Float32Array(count * dim);
    for (let i = 0; i < count; i++) {
      const v = index.vectors.index.getPoint(index.labelOf(base + i));
      let norm = 0;
      for (const x of v) norm += x * x;
      const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
      for (let d = 0; d < dim; d++) m[i * dim + d] = v[d]! * inv;
    }
    byReport.set(report, m);
  }
  return m;
}

function exactNeighbours(index: SearchIndex, vector: number[], reports: number[], k: number): Array<[number, number]> {
  const dim = vector.length;
  let norm = 0;
  for (const x of vector) norm += x * x;
  const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  const q = Float32Array.from(vector, (x) => x * inv);
  const out: Array<[number, number]> = [];
  for (const r of reports) {
    const m = matrixOf(index, r);
    const base = index.unitOf(r, 0);
    const count = m.length / dim;
    for (let i = 0; i < count; i++) {
      let dot = 0;
      const o = i * dim;
      for (let d = 0; d < dim; d++) dot += m[o + d]! * q[d]!;
      out.push([base + i, dot]);
    }
  }
  return out.sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, k);
}

export async function retrieve(
  index: SearchIndex,
  query: RetrievalQuery,
  options: RetrievalOptions = {},
): Promise<Candidate[]> {
  const limit = options.limit ?? 30;
  const w = options.weights ?? DEFAULT_WEIGHTS;
  const pool = Math.max(limit * 2, 60);
  const only = options.reports && options.reports.length < index.reports.length ? new Set(options.reports) : undefined;
  const allowUnit = only ? (unit: number): boolean => only.has(index.units[unit]!.report) : undefined;
  const allowParagraph = only ? (p: number): boolean => only.has(index.paragraphs[p]!.report) : undefined;
  const allowed = only ? options.reports!.reduce((n, r) => n + index.unitCount(r), 0) : index.units.length;

  const lexHits = index.sentenceIndex.search(query.terms, pool, allowUnit);
  const paraHits = index.paragraphIndex.search(query.terms, Math.max(20, Math.ceil(pool / 3)), allowParagraph);
  const lexMax = lexHits[0]?.score ?? 0;
  const paraMax = paraHits[0]?.score ?? 0;
  const paraScore = new Map<number, number>();
  for (const h of paraHits) paraScore.set(h.doc, paraMax > 0 ? h.score / paraMax : 0);

  const byUnit = new Map<number, Candidate>();
  const touch = (unit: number): Candidate => {
    let c = byUnit.get(unit);
    if (!c) {
      const u = index.units[unit]!;
      c = {
        unit,
        lexical: 0,
        paragraph: paraScore.get(index.paragraphOf(u.report, u.paragraph)) ?? 0,
        dense: 0,
        score: 0,
      };
      byUnit.set(unit, c);
    }
    return c;
  };
  for (const h of lexHits) touch(h.doc).lexical = lexMax > 0 ? h.score / lexMax : 0;

  if (query.vector && w.dense > 0) {
    const k = Math.min(pool, allowed);
    if (k > 0 && only && allowed <= EXACT_LIMIT) {
      // A few reports: an exact scan of their vectors is faster than a graph search that must skip
      // every other report's nodes, and exact.
      for (const [unit, similarity] of exactNeighbours(index, query.vector, options.reports!, k)) touch(unit).dense = Math.max(0, similarity);
    } else if (k > 0) {
      // The store's labels map to units without LangChain's docstore (a report keeps its labels when
      // others are added), so the scope filters labels directly. Distances are cosine: lower is closer.
      const allowLabel = (label: number): boolean => {
        const unit = index.unitOfLabel(label);
        return unit !== undefined && (!allowUnit || allowUnit(unit));
      };
      const { neighbors, distances } = index.vectors.index.searchKnn(query.vector, k, allowLabel);
      neighbors.forEach((label, i) => {
        const unit = index.unitOfLabel(label);
        if (unit !== undefined) touch(unit).dense = Math.max(0, 1 - distances[i]!);
      });
    }
  }

  for (const c of byUnit.values()) {
    c.score = w.lexical * c.lexical + w.paragraph * c.paragraph + w.dense * c.dense;
  }
  return [...byUnit.values()].sort((a, b) => b.score - a.score || a.unit - b.unit).slice(0, limit);
}
