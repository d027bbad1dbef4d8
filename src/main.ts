import type { Config } from './config.ts';
import type { Logger } from './logger.ts';
import { openEngine } from './bootstrap.ts';

/** `npm start`: the main job. (The HTTP server and channels are assembled here.) */
export async function main(config: Config, logger: Logger): Promise<void> {
  const engine = await openEngine(config, logger);
  logger.info({ documents: engine.info.documents.length, units: engine.info.units }, 'engine ready');
}
