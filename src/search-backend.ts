import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { searchTools, sourceSha, type EngineOptions, type SearchTools } from './answer/engine.ts';
import type { Lexicon } from './corpus/lexicon.ts';
import { parseSource, readReportSources, type ReportSource } from './corpus/load.ts';
import { buildPartBinary, embeddingTexts } from './search/store.ts';
import { PostgresSearchStore, type PreparedReport } from './search/postgres.ts';
import { extractTargets, indicatorTable } from './targets/extract.ts';
import type { Logger } from './logger.ts';

/**
 * SEARCH_BACKEND=postgres: the reports and what the engine builds from them live in PostgreSQL. The
 * reports directory stays where documents are converted (DOCX, PDF, web pages) and dropped in; every
 * add, replace and remove is written to PostgreSQL in one transaction first, then to the directory.
 */

/** PostgreSQL could not be reached or refused a change; `userMessage` is what a person is told. */
export class SearchStoreError extends Error {
  override readonly name = 'SearchStoreError';
  readonly code = 'SEARCH_STORE';
  readonly userMessage = '报告库暂时无法访问,请稍后再试。';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Connects and migrates (under a lock, so replicas starting together migrate once). */
export async function openSearchStore(url: string, logger?: Pick<Logger, 'info' | 'warn'>): Promise<PostgresSearchStore> {
  const store = new PostgresSearchStore(url, { onIdleError: (err) => logger?.warn({ err: err.message }, 'a PostgreSQL search connection failed') });
  try {
    const applied = await store.migrate();
    if (applied.length) logger?.info({ applied }, 'search migrations applied');
    return store;
  } catch (cause) {
    await store.close();
    throw new SearchStoreError(`PostgreSQL search store unavailable: ${(cause as Error)?.message ?? cause}`, { cause });
  }
}

/**
 * Makes reports ready for PostgreSQL: parsed, cut into the engine's terms, embedded, their targets
 * extracted. The tokenizer is the one an engine of `all` (every report there will be) cuts with, so
 * a bulk load gives each report exactly the part a memory index of the same reports holds.
 */
export async function prepareReports(
  sources: ReportSource[],
  all: ReportSource[],
  lexicon: Lexicon,
  embeddings?: EngineOptions['embeddings'],
  made?: SearchTools,
): Promise<PreparedReport[]> {
  const tools = made ?? toolsFor(all, lexicon, embeddings);
  const table = indicatorTable(lexicon);
  const out: PreparedReport[] = [];
  for (const source of sources) {
    const report = parseSource(source, lexicon);
    const part = await buildPartBinary(report, tools.tokenizer);
    const texts = embeddingTexts(report);
    const made = texts.length ? await tools.embeddings.embedDocuments(texts) : [];
    const dim = made[0]?.length ?? 0;
    const vectors = new Float32Array(made.length * dim);
    made.forEach((v, i) => vectors.set(v, i * dim));
    out.push({
      source,
      report,
      sha256: sourceSha(source),
      made: { lexicon: tools.identity.lexicon, tokenizer: tools.identity.tokenizer, segmenter: tools.identity.segmenter!.base, embedder: tools.identity.embedder },
      part,
      dim,
      vectors,
      targets: extractTargets(report, table),
    });
  }
  return out;
}

/** The tools an engine of these reports cuts and embeds with. */
export function toolsFor(all: ReportSource[], lexicon: Lexicon, embeddings?: EngineOptions['embeddings']): SearchTools {
  return searchTools(lexicon, all, all.map((s) => parseSource(s, lexicon)), embeddings ? { embeddings } : {});
}

/**
 * The source a report directory would read from this text and metadata file, read the way the
 * directory is read (so its sha256 matches what an engine over the directory computes).
 */
export function sourceAsStored(file: string, text: string, json: object, lexicon: Lexicon): ReportSource {
  const dir = mkdtempSync(join(tmpdir(), 'workplan-source-'));
  try {
    writeFileSync(join(dir, file), text);
    writeFileSync(join(dir, file.replace(/\.txt$/, '.json')), JSON.stringify(json));
    return readReportSources(dir, lexicon)[0]!;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Writes the reports of a directory to PostgreSQL. `only: 'missing'` adds those it does not hold yet
 * (a replica's first start over an empty database); `'all'` cuts and embeds afresh every report the
 * database holds, the directory's own replacing those of the same id (npm run index). Reports are
 * written in batches, each batch one transaction; nothing another replica added is removed.
 */
export async function loadDirectory(
  store: PostgresSearchStore,
  dir: string,
  lexicon: Lexicon,
  options: { only: 'missing' | 'all'; embeddings?: EngineOptions['embeddings']; batch?: number; onProgress?: (done: number, total: number) => void },
): Promise<{ written: number; total: number }> {
  const local = readReportSources(dir, lexicon, { allowEmpty: true });
  const localIds = new Set(local.map((s) => s.meta.id));
  const held = (await store.load()).sources.filter((s) => !localIds.has(s.meta.id));
  const heldIds = new Set(held.map((s) => s.meta.id));
  const fresh = local.filter((s) => !heldIds.has(s.meta.id));
  const present = new Set((await store.list()).map((r) => r.id));
  const byFile = (a: ReportSource, b: ReportSource): number => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0);
  const todo = (options.only === 'all' ? [...held, ...fresh] : fresh.filter((s) => !present.has(s.meta.id))).sort(byFile);
  if (!todo.length) return { written: 0, total: present.size };
  // Cut with the quoted names of every report the database will hold.
  const all = [...held, ...fresh].sort(byFile);
  const batch = options.batch ?? 20;
  const tools = toolsFor(all, lexicon, options.embeddings);
  for (let i = 0; i < todo.length; i += batch) {
    const prepared = await prepareReports(todo.slice(i, i + batch), all, lexicon, options.embeddings, tools);
    await store.put(prepared);
    options.onProgress?.(Math.min(i + batch, todo.length), todo.length);
  }
  return { written: todo.length, total: all.length };
}
