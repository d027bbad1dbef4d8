export { createTokenizer, bigrams, numberTerms, type Tokenizer, type TokenizerOptions } from './tokenizer.ts';
export { Bm25Index, type WeightedTerm, type ScoredDoc } from './bm25.ts';
export { LocalHashEmbeddings, fnv1a, type LocalEmbeddingsOptions } from './embeddings.ts';
export {
  buildIndex,
  saveIndex,
  loadIndex,
  staleness,
  sha256,
  INDEX_FORMAT_VERSION,
  type SearchIndex,
  type Manifest,
  type IndexIdentity,
  type IdentifiedEmbeddings,
  type Unit,
  type ParagraphRef,
  type SourceFingerprint,
} from './store.ts';
export { retrieve, DEFAULT_WEIGHTS, type Candidate, type RetrievalQuery, type RetrievalWeights } from './retrieve.ts';
