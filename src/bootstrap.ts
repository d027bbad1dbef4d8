import type { Config } from './config.ts';
import { loadLexicon } from './corpus/lexicon.ts';
import { ReportLibrary, type InboxResult } from './ingest/library.ts';
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
  } = {},
): Promise<Engine> {
  const { inbox = true, ...options } = extra;
  if (inbox) await addDroppedReports(openLibrary(config), logger);
  // Model clients load only when a model is configured: a one-shot answer should not pay for them.
  const provider = config.EMBEDDINGS_PROVIDER === 'local' ? undefined : (await import('./llm/providers.ts')).createEmbeddings(config);
  return createEngine({
    reportsDir: config.paths.reports,
    dictDir: config.paths.dict,
    indexDir: config.paths.index,
    logger,
    ...(config.DEFAULT_REGION ? { defaultRegion: config.DEFAULT_REGION } : {}),
    ...(provider ? { embeddings: () => provider } : {}),
    ...options,
  });
}

/** The reports directory, for adding and removing reports. */
export function openLibrary(config: Config): ReportLibrary {
  return new ReportLibrary(config.paths.reports, () => loadLexicon(config.paths.dict));
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
