import { fileURLToPath } from 'node:url';
import type { Config } from './config.ts';
import { createEngine, type AskFn, type Engine, type EngineOptions } from './answer/index.ts';
import { createChatModel, createEmbeddings, createPhraser, loadPrompt, withPhrasing, type Phraser } from './llm/index.ts';
import type { Logger } from './logger.ts';
import type { Metrics } from './observability/metrics.ts';

/** The answer prompt shipped with the project (prompts/ is data, never inline strings in code). */
export const ANSWER_PROMPT = fileURLToPath(new URL('../prompts/answer.md', import.meta.url));

/**
 * Builds the engine the way every entry point needs it: paths from the configuration, a neural
 * embedder when EMBEDDINGS_PROVIDER asks for one, the index loaded or rebuilt (a missing, stale or
 * corrupt index is rebuilt with a log line, never a crash).
 */
export async function openEngine(
  config: Config,
  logger: Logger,
  extra: Partial<Pick<EngineOptions, 'rebuild' | 'onProgress' | 'readOnly'>> = {},
): Promise<Engine> {
  const provider = createEmbeddings(config);
  return createEngine({
    reportsDir: config.paths.reports,
    dictDir: config.paths.dict,
    indexDir: config.paths.index,
    logger,
    ...(config.DEFAULT_REGION ? { defaultRegion: config.DEFAULT_REGION } : {}),
    ...(provider ? { embeddings: () => provider } : {}),
    ...extra,
  });
}

/** The model phraser when LLM_PROVIDER is set; the prompt is loaded and validated here, at start. */
export function openPhraser(config: Config, engine: Engine, deps: { logger: Logger; metrics?: Metrics }): Phraser | undefined {
  const model = createChatModel(config);
  if (!model) return undefined;
  const prompt = loadPrompt(ANSWER_PROMPT);
  const documents = engine.info.documents;
  const infoOf = (docId: string | undefined) => {
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
export function answerer(config: Config, engine: Engine, deps: { logger: Logger; metrics?: Metrics }): AskFn {
  const phraser = openPhraser(config, engine, deps);
  const ask: AskFn = (q, o) => engine.ask(q, o);
  return phraser ? withPhrasing(ask, phraser) : ask;
}
