import { readFileSync } from 'node:fs';
import type { AskFn } from '../answer/types.ts';
import { addDroppedReports, answerer, closeSearchStores, generations, openEngine, openLibrary, searchStore } from '../bootstrap.ts';
import type { ReportLibrary } from '../ingest/library.ts';
import { LiveEngine, Reloader } from './live.ts';
import { createSharedState, type SharedState } from '../shared/state.ts';
import { withConversation } from '../answer/conversation.ts';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import { createMetrics, instrumentAsk, type Metrics } from '../observability/index.ts';
import { openQueryLog, type QueryLog } from '../store/query-log.ts';
import { createApp, type ServerApp } from './app.ts';
import { startServer } from './listen.ts';
import { rootPath } from '../paths.ts';
import { loadLexicon } from '../corpus/lexicon.ts';
import { Sessions, SignInLimits } from '../admin/sessions.ts';
import { openAdminStore, type AdminStore } from '../admin/store.ts';

/** What the process shares between the web app and the channels mounted onto it. */
export interface WebServices {
  /** The engine serving now; replaced whole when the reports change. */
  engine: LiveEngine;
  /** The reports directory: add and remove reports (Telegram admins). */
  library: ReportLibrary;
  /** Rebuilds and swaps the engine after a change; `reload()` resolves once the change is live. */
  reloader: Reloader;
  /** State several replicas share (Redis with REDIS_URL, else this process). */
  state: SharedState;
  /** The instrumented ask: every channel's questions are counted, timed and written to the query log. */
  ask: AskFn;
  metrics: Metrics;
  store: QueryLog;
  config: Config;
  logger: Logger;
  version: string;
}

export interface WebExtras {
  /** Adds channel routes (Telegram webhook, WeChat) to the app before it listens. */
  mount?(app: ServerApp, services: WebServices): void;
  /** Stops the channels; runs after the HTTP server has closed and before the store closes. */
  onStop?(): Promise<void>;
}

export interface RunningWeb {
  url: string;
  port: number;
  services: WebServices;
  /** Graceful shutdown; idempotent. Also run on SIGINT/SIGTERM. */
  stop(): Promise<void>;
}

const DAY_MS = 86_400_000;

export const VERSION: string = (
  JSON.parse(readFileSync(rootPath('package.json'), 'utf8')) as { version: string }
).version;

/**
 * `npm start`: opens the engine (loading or building the index), the query log, metrics and the HTTP
 * app, lets the caller mount its channels, listens on PORT/HOST and stops gracefully on SIGINT/SIGTERM
 * (a second signal during shutdown ends the process at once).
 *
 * ```ts
 * const web = await runWeb(config, logger, { mount: (app, { ask }) => app.route('/', wechatRoutes(ask)) });
 * ```
 */
export async function runWeb(config: Config, logger: Logger, extras: WebExtras = {}): Promise<RunningWeb> {
  const library = openLibrary(config, logger);
  const inbox = await addDroppedReports(library, logger);
  const engine = new LiveEngine(await openEngine(config, logger, { inbox: false }));
  const info = engine.info;
  logger.info(
    {
      documents: info.documents.map((d) => d.title),
      paragraphs: info.paragraphs,
      units: info.units,
      embedder: info.embedder,
      ms: info.startMs,
      ...(info.rebuilt ? { reason: info.rebuildReason } : {}),
    },
    `serving ${info.title}`,
  );

  const metrics = createMetrics();
  // The query log is best-effort: a damaged or unreachable database is logged and retried, and
  // questions are answered meanwhile (SQLite, or PostgreSQL with DATABASE_URL).
  const store = await openQueryLog({ file: config.paths.database, databaseUrl: config.DATABASE_URL, logger, metrics });
  const prune = async (): Promise<void> => {
    const removed = await store.prune(config.QUERY_LOG_RETENTION_DAYS);
    if (removed) logger.info({ removed, retentionDays: config.QUERY_LOG_RETENTION_DAYS }, 'query log pruned');
  };
  await prune();
  const pruneTimer = setInterval(() => void prune(), DAY_MS);
  pruneTimer.unref();
  if (store.available) {
    logger.info({ database: store.where, retentionDays: config.QUERY_LOG_RETENTION_DAYS || 'forever' }, 'query log open');
  }

  // Shared between requests (limits, de-duplication, pages): Redis when several replicas run.
  const state = createSharedState({
    redisUrl: config.REDIS_URL,
    prefix: 'workplan:',
    logger,
    onFallback: (op) => metrics.sharedStateFallbacks.inc({ op }),
  });
  logger.info(
    state.kind === 'redis'
      ? 'shared state: Redis (REDIS_URL); replicas share limits, de-duplication and pages'
      : 'shared state: this process (REDIS_URL not set)',
  );
  metrics.reports.set(info.documents.length);
  // Reports added, changed or removed while running (an upload, `npm run add`, a file dropped in)
  // are picked up without a restart.
  const reloader = new Reloader({
    live: engine,
    library,
    open: () => openEngine(config, logger, { inbox: false, seed: false }),
    watched: { reports: config.paths.reports, dict: config.paths.dict },
    logger,
    metrics,
  });
  reloader.noteInbox(inbox);
  // SEARCH_BACKEND=postgres: a report added or removed through any replica is announced by
  // PostgreSQL; this one assembles its engine again (from what PostgreSQL holds) and swaps it in.
  if (config.SEARCH_BACKEND === 'postgres') {
    const search = await searchStore(config, logger);
    await search.listen(
      (generation) => {
        // Its own change is already served (the reload after the add); a reconnect (-1) always reloads.
        if (generation >= 0 && (generations.get(engine.current) ?? -1) >= generation) return;
        void reloader.changedElsewhere('the reports changed in PostgreSQL');
      },
      (err) => logger.warn({ err: err.message }, 'listening for report changes in PostgreSQL failed; retrying'),
    );
  }
  if (config.WATCH_REPORTS) reloader.watch();
  // engine.ask, phrased by the model when LLM_PROVIDER is set; then counted, timed and logged.
  const ask = instrumentAsk(withConversation(await answerer(config, engine, { logger, metrics }), { engine, state }), { metrics, store, logger });
  // The console (/admin): accounts and the audit log in the store, sessions and sign-in limits in the
  // shared state, so any replica serves it. A store that cannot be opened leaves the console off.
  let adminStore: AdminStore | undefined;
  try {
    adminStore = await openAdminStore({ file: config.paths.database, databaseUrl: config.DATABASE_URL });
  } catch (err) {
    logger.error({ err: (err as Error).message }, 'console: accounts store unavailable; /admin is off');
  }
  let lexicon: ReturnType<typeof loadLexicon> | undefined;
  const services: WebServices = { engine, ask, metrics, store, config, logger, version: VERSION, library, reloader, state };
  const app = createApp({
    engine,
    ask,
    metrics,
    logger,
    config,
    version: VERSION,
    feedback: store,
    trustProxy: config.TRUST_PROXY,
    reloads: () => reloader.status,
    ...(state.redis ? { redis: state.redis } : {}),
    ...(adminStore
      ? {
          admin: {
            store: adminStore,
            sessions: new Sessions({ state, idleMs: config.ADMIN_SESSION_IDLE_MINUTES * 60_000, maxMs: config.ADMIN_SESSION_MAX_HOURS * 3_600_000 }),
            limits: new SignInLimits({ redis: state.redis, prefix: 'workplan:' }),
            library,
            reload: (reason: string) => reloader.reload(reason),
            reloads: () => reloader.status,
            lexicon: () => (lexicon ??= loadLexicon(config.paths.dict)),
            publicUrl: config.PUBLIC_URL,
          },
        }
      : {}),
  });

  let server;
  try {
    extras.mount?.(app, services);
    server = await startServer(app, { port: config.PORT, host: config.HOST, logger });
  } catch (err) {
    clearInterval(pruneTimer);
    await reloader.close();
    await runOnStop(extras, logger);
    await store.close();
    await adminStore?.close();
    await state.close();
    throw err;
  }
  const running = server;
  logger.info({ url: running.url }, `ready: web page and API at ${running.url}`);

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      // From here a second signal gets the default action: the process ends at once.
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      clearInterval(pruneTimer);
      await reloader.close();
      // The channels stop while requests in flight finish, so a stalled Bot API cannot add its own
      // wait to the server's grace period.
      await Promise.all([running.close(), runOnStop(extras, logger)]);
      await store.close();
      await adminStore?.close();
      await state.close();
      await closeSearchStores();
      logger.info('stopped');
    })();
    return stopping;
  };
  function onSignal(signal: NodeJS.Signals): void {
    logger.info({ signal }, 'shutting down');
    stop().catch((err: unknown) => logger.error({ err }, 'shutdown failed'));
  }
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  return { url: running.url, port: running.port, services, stop };
}

async function runOnStop(extras: WebExtras, logger: Logger): Promise<void> {
  try {
    await extras.onStop?.();
  } catch (err) {
    logger.error({ err }, 'stopping channels failed');
  }
}
