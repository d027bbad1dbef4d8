import type { Config } from './config.ts';
import { loadLexicon } from './corpus/lexicon.ts';
import { ReportLibrary, type InboxResult, type LibraryMirror } from './ingest/library.ts';
import { IngestError } from './ingest/types.ts';
import type { PostgresSearchStore } from './search/postgres.ts';
import { createEngine, type AskFn, type Engine, type EngineOptions } from './answer/index.ts';
import type { Phraser } from './llm/index.ts';
import type { Logger } from './logger.ts';
import type { Metrics } from './observability/metrics.ts';
import { rootPath } from './paths.ts';

/** The answer prompt shipped with the project (prompts/ is data, never inline strings in code). */
export const ANSWER_PROMPT = rootPath('prompts', 'answer.md');

/**
 * Builds the engine the way every entry point needs it: paths from the configuration, a neural
 * embedder when EMBEDDINGS_PROVIDER asks for one, the index loaded or rebuilt (a missing, stale or
 * corrupt index is rebuilt with a log line, never a crash).
 */
export async function openEngine(
  config: Config,
  logger: Logger,
  extra: Partial<Pick<EngineOptions, 'rebuild' | 'onProgress' | 'readOnly'>> & {
    /** Add documents dropped into the reports directory first (default true). */
    inbox?: boolean;
    /** SEARCH_BACKEND=postgres: load the directory into an empty database (default true; not on reloads). */
    seed?: boolean;
  } = {},
): Promise<Engine> {
  const { inbox = true, seed = true, ...options } = extra;
  if (inbox) await addDroppedReports(openLibrary(config, logger), logger);
  // Model clients load only when a model is configured: a one-shot answer should not pay for them.
  const provider = config.EMBEDDINGS_PROVIDER === 'local' ? undefined : (await import('./llm/providers.ts')).createEmbeddings(config);
  const base: EngineOptions = {
    reportsDir: config.paths.reports,
    dictDir: config.paths.dict,
    indexDir: config.paths.index,
    logger,
    ...(config.DEFAULT_REGION ? { defaultRegion: config.DEFAULT_REGION } : {}),
    ...(provider ? { embeddings: () => provider } : {}),
    ...options,
  };
  if (config.SEARCH_BACKEND === 'postgres') {
    // The reports PostgreSQL holds, with their parts and vectors; the directory's new ones first.
    const store = await searchStore(config, logger);
    const { loadDirectory } = await import('./search-backend.ts');
    const lexicon = loadLexicon(config.paths.dict);
    // npm run index cuts and embeds every report afresh; the first start over an empty database
    // loads the directory. Otherwise the database is what is served: a report another replica removed
    // is not brought back from this one's directory.
    if (options.rebuild || (seed && (await store.list()).length === 0)) {
      await loadDirectory(store, config.paths.reports, lexicon, { only: options.rebuild ? 'all' : 'missing', ...(provider ? { embeddings: () => provider } : {}) });
    }
    const corpus = await store.load();
    const engine = await createEngine({ ...base, stored: { sources: corpus.sources, parts: corpus.parts } });
    generations.set(engine, corpus.generation);
    return engine;
  }
  return createEngine(base);
}

/** The reports directory, for adding and removing reports (written to PostgreSQL first with SEARCH_BACKEND=postgres). */
export function openLibrary(config: Config, logger?: Logger): ReportLibrary {
  const library = new ReportLibrary(config.paths.reports, () => loadLexicon(config.paths.dict));
  if (config.SEARCH_BACKEND === 'postgres') library.mirror = postgresMirror(config, logger);
  return library;
}

/** The PostgreSQL generation an engine was assembled at (SEARCH_BACKEND=postgres). */
export const generations = new WeakMap<Engine, number>();

const stores = new Map<string, Promise<PostgresSearchStore>>();

/** This process's connection to the search store, opened (and migrated) once. */
export function searchStore(config: Config, logger?: Logger): Promise<PostgresSearchStore> {
  const url = config.DATABASE_URL!;
  let store = stores.get(url);
  if (!store) {
    store = import('./search-backend.ts').then((m) => m.openSearchStore(url, logger));
    // A failed open is tried again at the next use (PostgreSQL may be back by then).
    store.catch(() => stores.delete(url));
    stores.set(url, store);
  }
  return store;
}

/** Closes this process's search store connections (end of a command, a server stopping). */
export async function closeSearchStores(): Promise<void> {
  const open = [...stores.values()];
  stores.clear();
  for (const s of open) await s.then((x) => x.close(), () => undefined);
}

function postgresMirror(config: Config, logger?: Logger): LibraryMirror {
  const failed = (cause: unknown): IngestError => {
    logger?.error({ err: (cause as Error)?.message ?? String(cause) }, 'the report could not be written to PostgreSQL');
    return new IngestError('unsupported', '报告库暂时无法访问,这次修改没有保存,请稍后再试。', 'search store unavailable', { cause });
  };
  return {
    async put(file, text, json, replaces) {
      try {
        const store = await searchStore(config, logger);
        const { prepareReports, sourceAsStored } = await import('./search-backend.ts');
        const lexicon = loadLexicon(config.paths.dict);
        const source = sourceAsStored(file, text, json, lexicon);
        const others = (await store.sources()).filter((s) => s.meta.id !== source.meta.id && s.meta.id !== replaces && s.file !== source.file);
        const all = [...others, source].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
        const provider = config.EMBEDDINGS_PROVIDER === 'local' ? undefined : (await import('./llm/providers.ts')).createEmbeddings(config);
        const prepared = await prepareReports([source], all, lexicon, provider ? () => provider : undefined);
        await store.put(prepared, replaces ? [replaces] : []);
      } catch (cause) {
        throw failed(cause);
      }
    },
    async remove(id) {
      let store: PostgresSearchStore;
      let row: Awaited<ReturnType<PostgresSearchStore['list']>>[number] | undefined;
      try {
        store = await searchStore(config, logger);
        row = (await store.list()).find((r) => r.id === id);
        if (!row || !(await store.remove(id))) return undefined;
      } catch (cause) {
        throw failed(cause);
      }
      return { id: row.id, title: row.title, region: row.region, year: row.year, file: row.file, paragraphs: 0 };
    },
    async count() {
      try {
        return (await (await searchStore(config, logger)).list()).length;
      } catch (cause) {
        throw failed(cause);
      }
    },
  };
}

/**
 * Adds the documents (DOCX, PDF, web pages, Markdown) dropped straight into the reports directory,
 * logging each one added and each one refused, with the reason.
 */
export async function addDroppedReports(library: ReportLibrary, logger: Logger): Promise<InboxResult> {
  if (!library.inbox().length) return { added: [], failed: [] };
  const result = await library.syncInbox();
  for (const a of result.added) logger.info({ file: a.from, id: a.id, paragraphs: a.paragraphs }, `report added from the reports directory: ${a.title}`);
  for (const f of result.failed) logger.warn({ file: f.file, reason: f.error.reason }, `a file in the reports directory was not added: ${f.error.userMessage}`);
  return result;
}

/** The model phraser when LLM_PROVIDER is set; the prompt is loaded and validated here, at start. */
export async function openPhraser(config: Config, engine: Engine, deps: { logger: Logger; metrics?: Metrics }): Promise<Phraser | undefined> {
  if (config.LLM_PROVIDER === 'none') return undefined;
  const { createChatModel, createPhraser, loadPrompt } = await import('./llm/index.ts');
  const model = createChatModel(config);
  if (!model) return undefined;
  const prompt = loadPrompt(ANSWER_PROMPT);
  const infoOf = (docId: string | undefined) => {
    // Read per answer: a running server's reports can change.
    const documents = engine.info.documents;
    const d = documents.find((x) => x.id === docId) ?? documents[0]!;
    return { title: d.title, region: d.region, year: d.year };
  };
  return createPhraser({
    model,
    modelName: `${config.LLM_PROVIDER}:${config.LLM_MODEL}`,
    prompt,
    logger: deps.logger,
    ...(deps.metrics ? { metrics: deps.metrics } : {}),
    timeoutMs: (channel) => (channel === 'wechat' || channel === 'wecom' ? Math.min(3500, config.LLM_TIMEOUT_MS) : config.LLM_TIMEOUT_MS),
    report: infoOf,
  });
}

/** `engine.ask`, phrased by the model when one is configured. */
export async function answerer(config: Config, engine: Engine, deps: { logger: Logger; metrics?: Metrics }): Promise<AskFn> {
  const phraser = await openPhraser(config, engine, deps);
  const ask: AskFn = (q, o) => engine.ask(q, o);
  if (!phraser) return ask;
  const { withPhrasing } = await import('./llm/index.ts');
  return withPhrasing(ask, phraser);
}
