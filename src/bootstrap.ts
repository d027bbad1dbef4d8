import type { Config } from './config.ts';
import { createEngine, type Engine, type EngineOptions } from './answer/index.ts';
import type { Logger } from './logger.ts';

/**
 * Builds the engine the way every entry point needs it: paths from the configuration, the index loaded
 * or rebuilt (a missing, stale or corrupt index is rebuilt with a log line, never a crash).
 */
export async function openEngine(
  config: Config,
  logger: Logger,
  extra: Partial<Pick<EngineOptions, 'rebuild' | 'onProgress' | 'readOnly'>> = {},
): Promise<Engine> {
  return createEngine({
    reportsDir: config.paths.reports,
    dictDir: config.paths.dict,
    indexDir: config.paths.index,
    logger,
    ...extra,
  });
}
