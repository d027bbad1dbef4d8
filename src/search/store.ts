import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { crc32 } from 'node:zlib';
import type { Document } from '@langchain/core/documents';
import type { EmbeddingsInterface } from '@langchain/core/embeddings';
import type { HNSWLib } from '@langchain/community/vectorstores/hnswlib';
import hnswlib from 'hnswlib-node';
import { normalizeText } from '../corpus/normalize.ts';
import type { Report } from '../corpus/types.ts';
import { IndexError } from '../errors.ts';
import { Bm25Index, type Bm25Binary, type WeightedTerm } from './bm25.ts';
import type { Tokenizer } from './tokenizer.ts';

/** Bumped whenever the saved layout or the meaning of its contents changes. */
export const INDEX_FORMAT_VERSION = 10;

/** Weight of a sentence's context (its paragraph topic and section heading) relative to its own words. */
const CONTEXT_WEIGHT = 0.25;

/** An embedder the index can record in its manifest. */
export interface IdentifiedEmbeddings extends EmbeddingsInterface {
  readonly id: string;
}

/**
 * The vector graph an index answers with. A built index holds LangChain's HNSWLib store (it embeds,
 * links and saves); a loaded one only the graph and its arguments, read with hnswlib-node itself:
 * answering never reads the docstore, and a one-shot answer then loads none of LangChain (a
 * megabyte of JavaScript to compile at every start).
 */
export type VectorGraph = Pick<HNSWLib, 'args' | 'index'> & { save?: HNSWLib['save'] };

/** LangChain's vector store and document class, loaded only to build an index. */
const langchain = async (): Promise<{ HNSWLib: typeof HNSWLib; Document: typeof Document }> => {
  const [{ HNSWLib }, { Document }] = await Promise.all([import('@langchain/community/vectorstores/hnswlib'), import('@langchain/core/documents')]);
  return { HNSWLib, Document };
};

/** The saved graph as LangChain's HNSWLib.load reads it (args.json, hnswlib.index), without the docstore. */
async function loadGraph(dir: string, argsJson: Buffer = readFileSync(join(dir, 'args.json'))): Promise<VectorGraph> {
  const args = JSON.parse(argsJson.toString('utf8')) as VectorGraph['args'];
  if (!args.space) throw new Error('hnswlib-node requires a space argument');
  if (args.numDimensions === undefined) throw new Error('hnswlib-node requires a numDimensions argument');
  const graph = new hnswlib.HierarchicalNSW(args.space, args.numDimensions);
  await graph.readIndex(join(dir, 'hnswlib.index'));
  return { args, index: graph };
}

/** A retrievable unit: one sentence, with the paragraph it belongs to. */
export interface Unit {
  report: number;
  paragraph: number;
  sentence: number;
}

export interface ParagraphRef {
  report: number;
  paragraph: number;
}

export interface SourceFingerprint {
  file: string;
  sha256: string;
}

export interface Manifest {
  formatVersion: number;
  createdAt: string;
  sources: SourceFingerprint[];
  lexicon: string;
  tokenizer: string;
  embedder: string;
  counts: { reports: number; paragraphs: number; units: number };
  /**
   * The vector store's label of each report's first sentence, in report order: a report keeps its
   * labels when others are added, so its vectors need not be embedded and linked again.
   */
  labels: number[];
  /** Size and CRC-32 of every saved file, checked before anything is parsed. */
  files: Record<string, { bytes: number; crc32: string }>;
  /** Each report's own lexical index and texts (`parts/<sha>.*`), read only to build the next index. */
  parts?: Record<string, { bytes: number; crc32: string }>;
  segmenter?: IndexIdentity['segmenter'];
}

/** What an index must have been built from to be usable now. */
export interface IndexIdentity {
  sources: SourceFingerprint[];
  lexicon: string;
  tokenizer: string;
  embedder: string;
  /**
   * The segmenter's words apart from the names quoted in the reports (“就享家”), and those names. A
   * report's part is reused while the words apart from the quoted names are the same: it was cut
   * with its own quoted names, and the names only a report added later quotes are not cut into it
   * again (they still meet it through bigrams). `npm run index` cuts everything afresh.
   */
  segmenter?: { base: string; quoted: string[] };
}

export interface SearchIndex {
  reports: Report[];
  units: Unit[];
  paragraphs: ParagraphRef[];
  /** Normalised, lower-cased text of each unit / paragraph, for coverage checks. */
  unitText: string[];
  paragraphText: string[];
  sentenceIndex: Bm25Index;
  paragraphIndex: Bm25Index;
  vectors: VectorGraph;
  manifest: Manifest;
  /** Global unit number of a report's sentence. */
  unitOf(report: number, sentence: number): number;
  /** Global paragraph number of a report's paragraph. */
  paragraphOf(report: number, paragraph: number): number;
  /** Number of units (sentences) of a report. */
  unitCount(report: number): number;
  /** The vector store's label of a unit, and back (undefined for a label of no loaded unit). */
  labelOf(unit: number): number;
  unitOfLabel(label: number): number | undefined;
}

export interface BuildOptions {
  reports: Report[];
  tokenizer: Tokenizer;
  embeddings: IdentifiedEmbeddings;
  identity: IndexIdentity;
  /** Called as units are embedded: (done, total). */
  onProgress?: (done: number, total: number) => void;
  /**
   * A saved index (usually the stale one being replaced) whose per-report parts are reused for the
   * reports it holds unchanged, and whose vectors are kept when reports were only added: adding one
   * report then costs about one report's tokenising, embedding and linking.
   */
  previous?: string;
  /**
   * Each report's part and vectors as saved elsewhere (PostgreSQL, by source sha256): used where they
   * were made with this tokenizer and embedder, exactly as the parts of a previous index are.
   */
  stored?: StoredParts;
}

/** One report's part as bytes: its normalised texts and its two lexical indexes. */
export interface PartBinary {
  texts: string;
  sentences: { meta: string; data: Buffer };
  paragraphs: { meta: string; data: Buffer };
}

export interface StoredParts {
  parts: Map<string, PartBinary>;
  /** Unit vectors of a report's sentences, in order (Float32, `dim` per sentence). */
  vectors: Map<string, Float32Array>;
  /** What each report's part and vectors were made with; those made with other tools are not used. */
  made?: Map<string, { lexicon: string; tokenizer: string; segmenter: string; embedder: string }>;
}

/** The stored parts usable for an index of `identity`, by the rule a previous index lends its parts. */
export function usableParts(stored: StoredParts, identity: IndexIdentity): StoredParts {
  if (!stored.made) return stored;
  const out: StoredParts = { parts: new Map(), vectors: new Map() };
  for (const [sha, made] of stored.made) {
    if (made.lexicon !== identity.lexicon) continue;
    const part = stored.parts.get(sha);
    if (part && (made.tokenizer === identity.tokenizer || made.segmenter === identity.segmenter?.base)) out.parts.set(sha, part);
    const vectors = stored.vectors.get(sha);
    if (vectors && made.embedder === identity.embedder) out.vectors.set(sha, vectors);
  }
  return out;
}

/** Units tokenised between two turns of the event loop (a few milliseconds of work). */
const YIELD_EVERY = 200;
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** One report's own lexical indexes (documents numbered from 0) and normalised texts. */
interface Part {
  sentences: Bm25Index;
  paragraphs: Bm25Index;
  texts: { units: string[]; paragraphs: string[] };
}

/** What a build keeps for the save: new parts to write, reused ones to copy. */
const pendingParts = new WeakMap<SearchIndex, { fresh: Map<string, Part>; reused: Map<string, string> }>();

const partName = (sha: string, file: string): string => `parts/${sha.slice(0, 32)}.${file}`;
const PART_FILES = ['texts.json', 'sentences.terms.json', 'sentences.postings.bin', 'paragraphs.terms.json', 'paragraphs.postings.bin'] as const;

/** A previous index that can lend parts: same format, dictionaries, tokenizer and embedder. */
function previousIndex(dir: string | undefined, identity: IndexIdentity): { dir: string; manifest: Manifest } | undefined {
  if (!dir) return undefined;
  try {
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
    if (manifest.formatVersion !== INDEX_FORMAT_VERSION) return undefined;
    // An embedder's id names the tokenizer it cuts with; how the tokenizers differ is judged below.
    const embedder = (id: string, tokenizer: string): string => id.split(tokenizer).join('');
    if (manifest.lexicon !== identity.lexicon || embedder(manifest.embedder, manifest.tokenizer) !== embedder(identity.embedder, identity.tokenizer)) return undefined;
    if (manifest.tokenizer === identity.tokenizer) return { dir, manifest };
    const [a, b] = [manifest.segmenter, identity.segmenter];
    return a && b && a.base === b.base ? { dir, manifest } : undefined;
  } catch {
    return undefined;
  }
}

function readPart(prev: { dir: string; manifest: Manifest }, sha: string, report: Report): Part | undefined {
  try {
    const buf = (file: (typeof PART_FILES)[number]): Buffer => {
      const name = partName(sha, file);
      const expected = prev.manifest.parts?.[name];
      const data = readFileSync(join(prev.dir, name));
      if (!expected || expected.bytes !== data.length || crc32(data).toString(16) !== expected.crc32) throw new Error(`${name} damaged`);
      return data;
    };
    const texts = JSON.parse(buf('texts.json').toString('utf8')) as Part['texts'];
    if (texts.units.length !== report.sentences.length || texts.paragraphs.length !== report.paragraphs.length) return undefined;
    const bm25 = (name: 'sentences' | 'paragraphs', size: number): Bm25Index =>
      Bm25Index.fromBinary(JSON.parse(buf(`${name}.terms.json`).toString('utf8')) as Bm25Binary['meta'], buf(`${name}.postings.bin`), size);
    return { texts, sentences: bm25('sentences', texts.units.length), paragraphs: bm25('paragraphs', texts.paragraphs.length) };
  } catch {
    return undefined;
  }
}

/** A report's part, built and packed to bytes (what PostgreSQL keeps per report). */
export async function buildPartBinary(report: Report, tokenizer: Tokenizer): Promise<PartBinary> {
  const part = await buildPart(report, tokenizer);
  const pack = (b: Bm25Index): { meta: string; data: Buffer } => {
    const { meta, data } = b.toBinary();
    return { meta: JSON.stringify(meta), data };
  };
  return { texts: JSON.stringify(part.texts), sentences: pack(part.sentences), paragraphs: pack(part.paragraphs) };
}

function partFromBinary(bin: PartBinary | undefined, report: Report): Part | undefined {
  if (!bin) return undefined;
  try {
    const texts = JSON.parse(bin.texts) as Part['texts'];
    if (texts.units.length !== report.sentences.length || texts.paragraphs.length !== report.paragraphs.length) return undefined;
    const bm25 = (b: { meta: string; data: Buffer }, size: number): Bm25Index => Bm25Index.fromBinary(JSON.parse(b.meta) as Bm25Binary['meta'], b.data, size);
    return { texts, sentences: bm25(bin.sentences, texts.units.length), paragraphs: bm25(bin.paragraphs, texts.paragraphs.length) };
  } catch {
    return undefined;
  }
}

/** The texts a report's sentences are embedded from, in order (a sentence with its topic). */
export function embeddingTexts(report: Report): string[] {
  return report.sentences.map((s) => embeddingText([report], { report: 0, paragraph: s.paragraph, sentence: s.index }, s.text));
}

async function buildPart(report: Report, tokenizer: Tokenizer): Promise<Part> {
  const one = layoutOf([report]);
  const sentences = new Bm25Index();
  const paragraphs = new Bm25Index();
  // A running server rebuilds while it answers: hand the event loop back now and then, so questions
  // asked during a rebuild wait milliseconds, not the whole build.
  for (let p = 0; p < one.paragraphText.length; p++) {
    if (p % YIELD_EVERY === YIELD_EVERY - 1) await yieldToEventLoop();
    const terms = tokenizer.terms(one.paragraphText[p]!);
    paragraphs.add(weighted(terms, 1), terms.length);
  }
  for (let u = 0; u < one.units.length; u++) {
    if (u % YIELD_EVERY === YIELD_EVERY - 1) await yieldToEventLoop();
    const unit = one.units[u]!;
    const own = tokenizer.terms(one.unitText[u]!);
    const context = tokenizer.terms(contextOf(report, unit));
    sentences.add([...weighted(own, 1), ...weighted(context, CONTEXT_WEIGHT)], own.length);
  }
  // Saved and read back as the whole index is, so a part scores the same fresh or reused.
  const pack = (b: Bm25Index, size: number): Bm25Index => {
    const { meta, data } = b.toBinary();
    return Bm25Index.fromBinary(meta, data, size);
  };
  return { texts: { units: one.unitText, paragraphs: one.paragraphText }, sentences: pack(sentences, one.units.length), paragraphs: pack(paragraphs, one.paragraphText.length) };
}

/** Builds the lexical and vector indexes in memory, reusing what a previous index holds unchanged. */
export async function buildIndex(options: BuildOptions): Promise<SearchIndex> {
  const { reports, tokenizer, embeddings, identity } = options;
  const prev = previousIndex(options.previous, identity);
  const shas = identity.sources.map((s) => s.sha256);
  const fresh = new Map<string, Part>();
  const reused = new Map<string, string>();
  const parts: Part[] = [];
  for (const [r, report] of reports.entries()) {
    const sha = shas[r]!;
    const old = prev ? readPart(prev, sha, report) : partFromBinary(options.stored?.parts.get(sha), report);
    if (old && prev) reused.set(sha, prev.dir);
    const part = old ?? (await buildPart(report, tokenizer));
    if (!old) fresh.set(sha, part);
    parts.push(part);
  }
  const layout = layoutOf(reports, {
    units: parts.flatMap((p) => p.texts.units),
    paragraphs: parts.flatMap((p) => p.texts.paragraphs),
  });
  const sentenceIndex = Bm25Index.concat(parts.map((p) => p.sentences));
  const paragraphIndex = Bm25Index.concat(parts.map((p) => p.paragraphs));

  // Vectors: kept from the previous index when every report it holds is still here unchanged (reports
  // were only added); otherwise every unit is embedded and linked again.
  const prevShas = prev ? (prev.manifest.sources ?? []).map((s) => s.sha256) : [];
  const keep = prev !== undefined && prevShas.length > 0 && (prev.manifest.labels?.length ?? -1) === prevShas.length && prevShas.every((s) => shas.includes(s));
  const { HNSWLib, Document } = await langchain();
  let vectors: HNSWLib | undefined;
  const labels: number[] = [];
  if (keep) {
    try {
      vectors = await HNSWLib.load(join(prev.dir, 'vectors'), embeddings);
      if (vectors.index.getCurrentCount() !== prev.manifest.counts.units) vectors = undefined;
    } catch {
      vectors = undefined;
    }
  }
  const todo: number[] = [];
  if (vectors) {
    const base = new Map(prevShas.map((s, i) => [s, prev!.manifest.labels[i]!]));
    let next = vectors.index.getCurrentCount();
    reports.forEach((report, r) => {
      const b = base.get(shas[r]!);
      if (b !== undefined) labels.push(b);
      else {
        labels.push(next);
        next += report.sentences.length;
        todo.push(r);
      }
    });
  } else {
    vectors = new HNSWLib(embeddings, { space: 'cosine' });
    reports.forEach((_, r) => {
      labels.push(layout.unitBase[r]!);
      todo.push(r);
    });
  }
  // Labels are handed out in insertion order, so reports are added in the order of their labels.
  todo.sort((a, b) => labels[a]! - labels[b]!);
  const docs: Array<{ doc: Document; text: string; vector?: number[] }> = [];
  for (const r of todo) {
    const report = reports[r]!;
    const saved = options.stored?.vectors.get(shas[r]!);
    const dim = saved && report.sentences.length ? saved.length / report.sentences.length : 0;
    const usable = saved !== undefined && Number.isInteger(dim) && dim > 0;
    for (let s = 0; s < report.sentences.length; s++) {
      const u = layout.unitBase[r]! + s;
      const unit = layout.units[u]!;
      const doc = chunkOf(Document, report, unit, labels[r]! + s);
      docs.push({ doc, text: embeddingText(reports, unit, doc.pageContent), ...(usable ? { vector: Array.from(saved.subarray(s * dim, (s + 1) * dim)) } : {}) });
    }
  }
  const batch = 2000;
  for (let i = 0; i < docs.length; i += batch) {
    const slice = docs.slice(i, i + batch);
    // Vectors saved with the report are added as they are; only the others are embedded.
    const missing = slice.filter((d) => !d.vector);
    const made = missing.length ? await embeddings.embedDocuments(missing.map((d) => d.text)) : [];
    let m = 0;
    const batchVectors = slice.map((d) => d.vector ?? made[m++]!);
    await vectors.addVectors(batchVectors, slice.map((d) => d.doc));
    options.onProgress?.(Math.min(i + batch, docs.length), docs.length);
  }
  if (docs.length === 0) options.onProgress?.(0, 0);

  const manifest: Manifest = {
    formatVersion: INDEX_FORMAT_VERSION,
    createdAt: new Date().toISOString(),
    ...identity,
    counts: { reports: reports.length, paragraphs: layout.paragraphs.length, units: layout.units.length },
    labels,
    files: {},
  };
  const index = assemble(reports, layout, sentenceIndex, paragraphIndex, vectors, manifest);
  pendingParts.set(index, { fresh, reused });
  return index;
}

/**
 * Saves the index under `dir` atomically: everything is written to a sibling temporary directory,
 * the manifest last, and then swapped in, so a crash never leaves a half-written index behind.
 */
export async function saveIndex(index: SearchIndex, dir: string): Promise<void> {
  const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  for (const [name, bm25] of [['sentences', index.sentenceIndex], ['paragraphs', index.paragraphIndex]] as const) {
    const { meta, data } = bm25.toBinary();
    writeFileSync(join(tmp, `${name}.terms.json`), JSON.stringify(meta));
    writeFileSync(join(tmp, `${name}.postings.bin`), data);
  }
  // Only a built index is saved (a loaded one is on disk already).
  if (!index.vectors.save) throw new Error('only a built index can be saved');
  await index.vectors.save(join(tmp, 'vectors'));
  // The normalised texts, so loading need not normalise every sentence again.
  writeFileSync(join(tmp, 'texts.json'), JSON.stringify({ units: index.unitText, paragraphs: index.paragraphText }));
  const files: Manifest['files'] = {};
  for (const name of SAVED_FILES) files[name] = fingerprint(join(tmp, name));
  const parts = writeParts(index, tmp);
  const manifest: Manifest = { ...index.manifest, files, parts };
  writeFileSync(join(tmp, 'manifest.json'), JSON.stringify(manifest, null, 2));
  mkdirSync(dirname(dir), { recursive: true });
  const old = `${dir}.old-${process.pid}-${Date.now()}`;
  if (existsSync(dir)) renameSync(dir, old);
  renameSync(tmp, dir);
  rmSync(old, { recursive: true, force: true });
  index.manifest.files = files;
  index.manifest.parts = parts;
}

/**
 * Writes each report's part beside the index: new ones from memory (then dropped), reused ones
 * copied from the index they came from. A part that cannot be copied is left out; the next build
 * makes it again.
 */
function writeParts(index: SearchIndex, tmp: string): NonNullable<Manifest['parts']> {
  const out: NonNullable<Manifest['parts']> = {};
  const pending = pendingParts.get(index);
  mkdirSync(join(tmp, 'parts'), { recursive: true });
  const shas = index.manifest.sources.map((s) => s.sha256);
  for (const sha of new Set(shas)) {
    const part = pending?.fresh.get(sha);
    const from = pending?.reused.get(sha);
    try {
      if (part) {
        writeFileSync(join(tmp, partName(sha, 'texts.json')), JSON.stringify(part.texts));
        for (const [name, bm25] of [['sentences', part.sentences], ['paragraphs', part.paragraphs]] as const) {
          const { meta, data } = bm25.toBinary();
          writeFileSync(join(tmp, partName(sha, `${name}.terms.json`)), JSON.stringify(meta));
          writeFileSync(join(tmp, partName(sha, `${name}.postings.bin`)), data);
        }
      } else if (from) {
        for (const f of PART_FILES) copyFileSync(join(from, partName(sha, f)), join(tmp, partName(sha, f)));
      } else continue;
      for (const f of PART_FILES) out[partName(sha, f)] = fingerprint(join(tmp, partName(sha, f)));
    } catch {
      for (const f of PART_FILES) rmSync(join(tmp, partName(sha, f)), { force: true });
    }
  }
  pendingParts.delete(index);
  return out;
}

const SAVED_FILES = [
  'texts.json',
  'sentences.terms.json',
  'sentences.postings.bin',
  'paragraphs.terms.json',
  'paragraphs.postings.bin',
  'vectors/hnswlib.index',
  'vectors/args.json',
  'vectors/docstore.json',
];

/**
 * Loads a saved index, checking it against what it must have been built from. Throws `IndexError`
 * (never anything else) when the directory is missing, partial, corrupt or stale, so the caller can
 * rebuild.
 */
/**
 * Removes what a crash during a save left beside the index (`index.tmp-<pid>-<time>`,
 * `index.old-<pid>-<time>`), unless the process that wrote it is still running (a `npm run add`
 * saving while the server starts). Returns the names removed.
 */
export function cleanIndexLeftovers(dir: string): string[] {
  const parent = dirname(dir);
  const base = basename(dir);
  if (!existsSync(parent)) return [];
  const removed: string[] = [];
  for (const name of readdirSync(parent)) {
    const m = new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.(?:tmp|old)-(\\d+)-\\d+$`).exec(name);
    if (!m) continue;
    if (Number(m[1]) !== process.pid && alive(Number(m[1]))) continue;
    rmSync(join(parent, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function loadIndex(
  dir: string,
  reports: Report[],
  identity: IndexIdentity,
  embeddings: IdentifiedEmbeddings,
): Promise<SearchIndex> {
  const manifestFile = join(dir, 'manifest.json');
  if (!existsSync(manifestFile)) throw new IndexError(dir, 'no manifest.json', { kind: 'missing' });
  let manifest: Manifest;
  try {
    manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as Manifest;
  } catch (cause) {
    throw new IndexError(dir, 'manifest.json is not valid JSON', { cause });
  }
  if (manifest?.formatVersion !== INDEX_FORMAT_VERSION) {
    throw new IndexError(dir, `format ${String(manifest?.formatVersion)} is not ${INDEX_FORMAT_VERSION}`, { kind: 'stale' });
  }
  const stale = staleness(manifest, identity);
  if (stale) throw new IndexError(dir, stale, { kind: 'stale' });
  // Each file is read once: checked, then parsed from the bytes that were checked.
  const checked = new Map<string, Buffer>();
  for (const name of SAVED_FILES) {
    const expected = manifest.files?.[name];
    const file = join(dir, name);
    if (!expected) throw new IndexError(dir, `manifest does not list ${name}`);
    if (!existsSync(file)) throw new IndexError(dir, `${name} is missing`);
    const data = readFileSync(file);
    if (data.length !== expected.bytes || crc32(data).toString(16) !== expected.crc32) {
      throw new IndexError(dir, `${name} does not match the manifest (partial or corrupt)`);
    }
    checked.set(name, data);
  }
  const bytes = (name: (typeof SAVED_FILES)[number]): Buffer => checked.get(name)!;

  let texts: { units: string[]; paragraphs: string[] } | undefined;
  try {
    texts = JSON.parse(bytes('texts.json').toString('utf8')) as { units: string[]; paragraphs: string[] };
  } catch (cause) {
    throw new IndexError(dir, 'texts.json cannot be read', { cause });
  }
  const layout = layoutOf(reports, texts);
  if (
    manifest.counts?.units !== layout.units.length ||
    manifest.counts?.paragraphs !== layout.paragraphs.length
  ) {
    throw new IndexError(dir, 'unit counts differ from the reports');
  }
  let sentenceIndex: Bm25Index;
  let paragraphIndex: Bm25Index;
  let vectors: VectorGraph;
  try {
    const read = (name: 'sentences' | 'paragraphs', size: number): Bm25Index =>
      Bm25Index.fromBinary(JSON.parse(bytes(`${name}.terms.json`).toString('utf8')) as Bm25Binary['meta'], bytes(`${name}.postings.bin`), size);
    sentenceIndex = read('sentences', layout.units.length);
    paragraphIndex = read('paragraphs', layout.paragraphs.length);
    vectors = await loadGraph(join(dir, 'vectors'), bytes('vectors/args.json'));
  } catch (cause) {
    throw new IndexError(dir, 'index files cannot be read', { cause });
  }
  if (sentenceIndex.size !== layout.units.length || paragraphIndex.size !== layout.paragraphs.length) {
    throw new IndexError(dir, 'lexical index size differs from the manifest');
  }
  if (!Array.isArray(manifest.labels) || manifest.labels.length !== reports.length) {
    throw new IndexError(dir, 'manifest does not give the vectors of every report');
  }
  const labelled = reports.reduce((n, r, i) => Math.max(n, manifest.labels[i]! + r.sentences.length), 0);
  if (vectors.index.getCurrentCount() < layout.units.length || vectors.index.getCurrentCount() < labelled) {
    throw new IndexError(dir, 'vector index size differs from the manifest');
  }
  return assemble(reports, layout, sentenceIndex, paragraphIndex, vectors, manifest);
}

/** Why a manifest does not match what the index must be built from, or undefined when it does. */
export function staleness(manifest: Manifest, identity: IndexIdentity): string | undefined {
  const saved = new Map((manifest.sources ?? []).map((s) => [s.file, s.sha256]));
  for (const s of identity.sources) {
    if (!saved.has(s.file)) return `new source ${s.file}`;
    if (saved.get(s.file) !== s.sha256) return `source ${s.file} changed`;
  }
  if (saved.size !== identity.sources.length) return 'a source was removed';
  if (manifest.lexicon !== identity.lexicon) return 'dictionaries changed';
  if (manifest.tokenizer !== identity.tokenizer) return 'tokenizer changed';
  if (manifest.embedder !== identity.embedder) return `embedder changed (${manifest.embedder} → ${identity.embedder})`;
  return undefined;
}

export function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Size and checksum of a saved file: CRC-32 catches a damaged or partial file at a fraction of a hash's cost. */
function fingerprint(file: string): { bytes: number; crc32: string } {
  return { bytes: statSync(file).size, crc32: crc32(readFileSync(file)).toString(16) };
}

interface Layout {
  units: Unit[];
  paragraphs: ParagraphRef[];
  unitText: string[];
  paragraphText: string[];
  unitBase: number[];
  paragraphBase: number[];
}

/** Units and paragraphs in order; their normalised texts are computed, or taken from a saved index. */
function layoutOf(reports: Report[], saved?: { units: string[]; paragraphs: string[] }): Layout {
  const layout: Layout = { units: [], paragraphs: [], unitText: [], paragraphText: [], unitBase: [], paragraphBase: [] };
  reports.forEach((report, r) => {
    layout.unitBase.push(layout.units.length);
    layout.paragraphBase.push(layout.paragraphs.length);
    for (const p of report.paragraphs) layout.paragraphs.push({ report: r, paragraph: p.index });
    for (const s of report.sentences) layout.units.push({ report: r, paragraph: s.paragraph, sentence: s.index });
  });
  if (saved && Array.isArray(saved.units) && Array.isArray(saved.paragraphs) && saved.units.length === layout.units.length && saved.paragraphs.length === layout.paragraphs.length) {
    layout.unitText = saved.units;
    layout.paragraphText = saved.paragraphs;
    return layout;
  }
  for (const { report, paragraph } of layout.paragraphs) layout.paragraphText.push(normalizeText(reports[report]!.paragraphs[paragraph]!.text).toLowerCase());
  for (const { report, sentence } of layout.units) layout.unitText.push(normalizeText(reports[report]!.sentences[sentence]!.text).toLowerCase());
  return layout;
}

function assemble(
  reports: Report[],
  layout: Layout,
  sentenceIndex: Bm25Index,
  paragraphIndex: Bm25Index,
  vectors: VectorGraph,
  manifest: Manifest,
): SearchIndex {
  // Label → unit, for the vectors a graph search returns (labels differ from units once reports are
  // added to a kept vector store).
  const labelBase = manifest.labels;
  const identity = labelBase.every((b, r) => b === layout.unitBase[r]);
  const toUnit = identity ? undefined : new Int32Array(reports.reduce((n, r, i) => Math.max(n, labelBase[i]! + r.sentences.length), 0)).fill(-1);
  if (toUnit) reports.forEach((r, i) => { for (let s = 0; s < r.sentences.length; s++) toUnit[labelBase[i]! + s] = layout.unitBase[i]! + s; });
  return {
    reports,
    units: layout.units,
    paragraphs: layout.paragraphs,
    unitText: layout.unitText,
    paragraphText: layout.paragraphText,
    sentenceIndex,
    paragraphIndex,
    vectors,
    manifest,
    unitOf: (report, sentence) => layout.unitBase[report]! + sentence,
    paragraphOf: (report, paragraph) => layout.paragraphBase[report]! + paragraph,
    unitCount: (report) => reports[report]!.sentences.length,
    labelOf: (unit) => (identity ? unit : labelBase[layout.units[unit]!.report]! + layout.units[unit]!.sentence),
    unitOfLabel: (label) => {
      if (!toUnit) return label < layout.units.length ? label : undefined;
      const u = toUnit[label];
      return u === undefined || u < 0 ? undefined : u;
    },
  };
}

function weighted(terms: string[], weight: number): WeightedTerm[] {
  return terms.map((term) => ({ term, weight }));
}

/** A sentence's context: the topic of its block (or paragraph) and the heading it sits under. */
function contextOf(report: Report, unit: Unit): string {
  const p = report.paragraphs[unit.paragraph]!;
  if (p.kind !== 'body') return '';
  const s = report.sentences[unit.sentence]!;
  const heading = p.section !== undefined ? report.sections[p.section]?.title ?? '' : '';
  const topic = s.topic ?? p.topic ?? '';
  return normalizeText(`${topic} ${heading}`).toLowerCase();
}

function embeddingText(reports: Report[], unit: Unit, sentence: string): string {
  const r = reports[unit.report]!;
  const topic = r.sentences[unit.sentence]!.topic ?? r.paragraphs[unit.paragraph]!.topic;
  return topic && !sentence.startsWith(topic) ? `${topic}。${sentence}` : sentence;
}

/** The LangChain Document for a unit: the chunk contract of ARCHITECTURE.md (`unit` is its label). */
function chunkOf(Document: typeof import('@langchain/core/documents').Document, report: Report, unit: Unit, id: number): Document {
  const s = report.sentences[unit.sentence]!;
  const p = report.paragraphs[unit.paragraph]!;
  return new Document({
    pageContent: s.text,
    metadata: {
      docId: report.meta.id,
      unit: id,
      sectionPath: p.sectionPath.join(' › '),
      paragraph: p.index,
      period: p.period,
      start: s.start,
      end: s.end,
    },
  });
}
