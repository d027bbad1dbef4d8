import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { crc32 } from 'node:zlib';
import { Document } from '@langchain/core/documents';
import type { EmbeddingsInterface } from '@langchain/core/embeddings';
import { HNSWLib } from '@langchain/community/vectorstores/hnswlib';
import { normalizeText } from '../corpus/normalize.ts';
import type { Report } from '../corpus/types.ts';
import { IndexError } from '../errors.ts';
import { Bm25Index, type Bm25Binary, type WeightedTerm } from './bm25.ts';
import type { Tokenizer } from './tokenizer.ts';

/** Bumped whenever the saved layout or the meaning of its contents changes. */
export const INDEX_FORMAT_VERSION = 8;

/** Weight of a sentence's context (its paragraph topic and section heading) relative to its own words. */
const CONTEXT_WEIGHT = 0.25;

/** An embedder the index can record in its manifest. */
export interface IdentifiedEmbeddings extends EmbeddingsInterface {
  readonly id: string;
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
  /** Size and CRC-32 of every saved file, checked before anything is parsed. */
  files: Record<string, { bytes: number; crc32: string }>;
}

/** What an index must have been built from to be usable now. */
export interface IndexIdentity {
  sources: SourceFingerprint[];
  lexicon: string;
  tokenizer: string;
  embedder: string;
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
  vectors: HNSWLib;
  manifest: Manifest;
  /** Global unit number of a report's sentence. */
  unitOf(report: number, sentence: number): number;
  /** Global paragraph number of a report's paragraph. */
  paragraphOf(report: number, paragraph: number): number;
  /** Number of units (sentences) of a report. */
  unitCount(report: number): number;
}

export interface BuildOptions {
  reports: Report[];
  tokenizer: Tokenizer;
  embeddings: IdentifiedEmbeddings;
  identity: IndexIdentity;
  /** Called as units are embedded: (done, total). */
  onProgress?: (done: number, total: number) => void;
}

/** Units tokenised between two turns of the event loop (a few milliseconds of work). */
const YIELD_EVERY = 200;
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Builds the lexical and vector indexes in memory. */
export async function buildIndex(options: BuildOptions): Promise<SearchIndex> {
  const { reports, tokenizer, embeddings } = options;
  const layout = layoutOf(reports);
  const sentenceIndex = new Bm25Index();
  const paragraphIndex = new Bm25Index();

  // A running server rebuilds while it answers: hand the event loop back now and then, so questions
  // asked during a rebuild wait milliseconds, not the whole build.
  for (let p = 0; p < layout.paragraphText.length; p++) {
    if (p % YIELD_EVERY === YIELD_EVERY - 1) await yieldToEventLoop();
    const terms = tokenizer.terms(layout.paragraphText[p]!);
    paragraphIndex.add(weighted(terms, 1), terms.length);
  }
  for (let u = 0; u < layout.units.length; u++) {
    if (u % YIELD_EVERY === YIELD_EVERY - 1) await yieldToEventLoop();
    const unit = layout.units[u]!;
    const own = tokenizer.terms(layout.unitText[u]!);
    const context = tokenizer.terms(contextOf(reports[unit.report]!, unit));
    sentenceIndex.add([...weighted(own, 1), ...weighted(context, CONTEXT_WEIGHT)], own.length);
  }

  const docs = layout.units.map((unit, u) => chunkOf(reports[unit.report]!, unit, u));
  const vectors = new HNSWLib(embeddings, { space: 'cosine' });
  const batch = 2000;
  for (let i = 0; i < docs.length; i += batch) {
    const slice = docs.slice(i, i + batch);
    const texts = slice.map((d, j) => embeddingText(reports, layout.units[i + j]!, d.pageContent));
    await vectors.addVectors(await embeddings.embedDocuments(texts), slice);
    options.onProgress?.(Math.min(i + batch, docs.length), docs.length);
  }
  if (docs.length === 0) options.onProgress?.(0, 0);

  const manifest: Manifest = {
    formatVersion: INDEX_FORMAT_VERSION,
    createdAt: new Date().toISOString(),
    ...options.identity,
    counts: { reports: reports.length, paragraphs: layout.paragraphs.length, units: layout.units.length },
    files: {},
  };
  return assemble(reports, layout, sentenceIndex, paragraphIndex, vectors, manifest);
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
  await index.vectors.save(join(tmp, 'vectors'));
  // The normalised texts, so loading need not normalise every sentence again.
  writeFileSync(join(tmp, 'texts.json'), JSON.stringify({ units: index.unitText, paragraphs: index.paragraphText }));
  const files: Manifest['files'] = {};
  for (const name of SAVED_FILES) files[name] = fingerprint(join(tmp, name));
  const manifest: Manifest = { ...index.manifest, files };
  writeFileSync(join(tmp, 'manifest.json'), JSON.stringify(manifest, null, 2));
  mkdirSync(dirname(dir), { recursive: true });
  const old = `${dir}.old-${process.pid}-${Date.now()}`;
  if (existsSync(dir)) renameSync(dir, old);
  renameSync(tmp, dir);
  rmSync(old, { recursive: true, force: true });
  index.manifest.files = files;
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
  if (!existsSync(manifestFile)) throw new IndexError(dir, 'no manifest.json');
  let manifest: Manifest;
  try {
    manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as Manifest;
  } catch (cause) {
    throw new IndexError(dir, 'manifest.json is not valid JSON', { cause });
  }
  if (manifest?.formatVersion !== INDEX_FORMAT_VERSION) {
    throw new IndexError(dir, `format ${String(manifest?.formatVersion)} is not ${INDEX_FORMAT_VERSION}`);
  }
  const stale = staleness(manifest, identity);
  if (stale) throw new IndexError(dir, stale);
  for (const name of SAVED_FILES) {
    const expected = manifest.files?.[name];
    const file = join(dir, name);
    if (!expected) throw new IndexError(dir, `manifest does not list ${name}`);
    if (!existsSync(file)) throw new IndexError(dir, `${name} is missing`);
    const actual = fingerprint(file);
    if (actual.bytes !== expected.bytes || actual.crc32 !== expected.crc32) {
      throw new IndexError(dir, `${name} does not match the manifest (partial or corrupt)`);
    }
  }

  let texts: { units: string[]; paragraphs: string[] } | undefined;
  try {
    texts = JSON.parse(readFileSync(join(dir, 'texts.json'), 'utf8')) as { units: string[]; paragraphs: string[] };
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
  let vectors: HNSWLib;
  try {
    const read = (name: string, size: number): Bm25Index =>
      Bm25Index.fromBinary(
        JSON.parse(readFileSync(join(dir, `${name}.terms.json`), 'utf8')) as Bm25Binary['meta'],
        readFileSync(join(dir, `${name}.postings.bin`)),
        size,
      );
    sentenceIndex = read('sentences', layout.units.length);
    paragraphIndex = read('paragraphs', layout.paragraphs.length);
    vectors = await HNSWLib.load(join(dir, 'vectors'), embeddings);
  } catch (cause) {
    throw new IndexError(dir, 'index files cannot be read', { cause });
  }
  if (sentenceIndex.size !== layout.units.length || paragraphIndex.size !== layout.paragraphs.length) {
    throw new IndexError(dir, 'lexical index size differs from the manifest');
  }
  if (vectors.index.getCurrentCount() !== layout.units.length) {
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
  vectors: HNSWLib,
  manifest: Manifest,
): SearchIndex {
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

/** The LangChain Document for a unit: the chunk contract of ARCHITECTURE.md. */
function chunkOf(report: Report, unit: Unit, id: number): Document {
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
