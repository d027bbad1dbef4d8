import { performance } from 'node:perf_hooks';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { requestId } from 'hono/request-id';
import type { ChannelEngine } from '../answer/engine.ts';
import type { AskFn } from '../answer/types.ts';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { FeedbackRecord } from '../store/store.ts';
import { apiRoutes } from './api.ts';
import { apiError } from './http.ts';
import { MAX_BODY_BYTES } from './messages.ts';
import type { ReloadStatus } from './live.ts';
import { opsRoutes } from './ops.ts';
import { RateLimiter } from './rate-limit.ts';
import { webRoutes } from './web.ts';
import { adminRoutes, isUploadPath, MAX_UPLOAD_BYTES, type AdminDeps } from '../admin/routes.ts';

export interface AppDeps {
  engine: ChannelEngine;
  /** The engine's ask, already wrapped by instrumentAsk (counted, timed, logged). */
  ask: AskFn;
  metrics: Metrics;
  logger: Logger;
  config: Config;
  version: string;
  /** Questions per minute per client address on POST /api/ask; defaults to API_RATE_LIMIT_PER_MINUTE. */
  rateLimitPerMinute?: number;
  /** Where 👍/👎 from the page go (the Store); without it POST /api/feedback answers 404. */
  feedback?: { recordFeedback(r: FeedbackRecord): void };
  /**
   * Take the client address from the rightmost X-Forwarded-For entry. Only behind exactly one
   * trusted reverse proxy; otherwise anyone could pick their own rate-limit key. Default: TRUST_PROXY.
   */
  trustProxy?: boolean;
  /** Redis for the API limits when several replicas run (REDIS_URL). */
  redis?: import('ioredis').Redis;
  /** The state of reloads of the reports, shown by /healthz. */
  reloads?: () => ReloadStatus;
  /** Directory of the page's files (tests); default web/ at the repository root. */
  webDir?: string;
  /** The console (/admin, /api/admin); without it those paths answer 404. */
  admin?: Omit<AdminDeps, 'engine' | 'logger' | 'trustProxy'>;
}

/** The Hono app channels mount onto (`app.route('/', wechat)`, `app.post(path, handler)`). */
export type ServerApp = Hono;

/**
 * The HTTP app: the web page at `/`, the JSON API under `/api`, `/healthz` and `/metrics`.
 * Channels mount their own routes on the returned app afterwards; the 404 fallback only answers when
 * no route matches, and the body-size limit and JSON-only rules apply to `/api/*` alone.
 *
 * ```ts
 * const app = createApp({ engine, ask: instrumentAsk(engine.ask, { metrics, store }), metrics, logger, config, version });
 * app.route('/', wechatRoutes);
 * const server = await startServer(app, { port: config.PORT, host: config.HOST, logger });
 * ```
 */
export function createApp(deps: AppDeps): ServerApp {
  const app = new Hono();
  const { logger, metrics } = deps;
  const limiter = new RateLimiter({
    limit: deps.rateLimitPerMinute ?? deps.config.API_RATE_LIMIT_PER_MINUTE,
    logger,
    ...(deps.redis ? { redis: deps.redis, onFallback: () => metrics.sharedStateFallbacks.inc({ op: 'ratelimit' }) } : {}),
  });

  app.use(requestId());
  // A body larger than any route takes is refused before it is read, and a request refused with a
  // body still coming closes its connection, so Node does not read the rest to keep it alive.
  // Report uploads to the console (50 MB, as `npm run add`) are the one exception.
  const upload = (c: { req: { method: string; path: string } }): boolean => deps.admin !== undefined && isUploadPath(c.req.method, c.req.path);
  app.use(async (c, next) => {
    const length = Number(c.req.header('content-length') ?? 0);
    const hasBody = length > 0 || c.req.header('transfer-encoding') !== undefined;
    if (length > (upload(c) ? MAX_UPLOAD_BYTES : MAX_REQUEST_BYTES)) {
      const res = apiError(c, 413, 'payload_too_large');
      res.headers.set('Connection', 'close');
      return res;
    }
    await next();
    if (hasBody && c.res.status >= 400) c.res.headers.set('Connection', 'close');
  });
  const requestLimit = bodyLimit({ maxSize: MAX_REQUEST_BYTES, onError: (c) => apiError(c, 413, 'payload_too_large') });
  const uploadLimit = bodyLimit({ maxSize: MAX_UPLOAD_BYTES, onError: (c) => apiError(c, 413, 'payload_too_large') });
  app.use('*', (c, next) => (upload(c) ? uploadLimit : requestLimit)(c, next));
  app.use('/api/*', async (c, next) => {
    const t0 = performance.now();
    await next();
    logger.debug(
      {
        requestId: c.get('requestId'),
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        ms: Math.round((performance.now() - t0) * 10) / 10,
      },
      'request',
    );
  });

  app.use('/api/*', async (c, next) => {
    await next();
    c.header('X-Content-Type-Options', 'nosniff');
    if (!c.res.headers.has('Cache-Control')) c.header('Cache-Control', 'no-store');
  });
  const apiLimit = bodyLimit({ maxSize: MAX_BODY_BYTES, onError: (c) => apiError(c, 413, 'payload_too_large') });
  app.use('/api/*', (c, next) => (upload(c) ? next() : apiLimit(c, next)));

  if (deps.admin) {
    app.route('/', adminRoutes({ ...deps.admin, engine: deps.engine, logger, trustProxy: deps.trustProxy ?? deps.config.TRUST_PROXY }));
  }

  app.route('/api', apiRoutes({
    engine: deps.engine,
    ask: deps.ask,
    metrics,
    logger,
    limiter,
    trustProxy: deps.trustProxy ?? deps.config.TRUST_PROXY,
    version: deps.version,
    ...(deps.feedback ? { feedback: deps.feedback } : {}),
  }));
  app.route('/', opsRoutes({ engine: deps.engine, metrics, version: deps.version, startedAt: Date.now(), ...(deps.reloads ? { reloads: deps.reloads } : {}) }));
  app.route('/', webRoutes(deps.webDir, { console: deps.admin !== undefined }));

  app.notFound((c) => apiError(c, 404, 'not_found'));

  app.onError((err, c) => {
    // Deliberate HTTP errors from mounted routes keep their status.
    if (err instanceof HTTPException && err.status < 500) return err.getResponse();
    // A client that sent a broken body or went away mid-request: its fault, not ours.
    if (isClientFault(err)) {
      logger.info({ requestId: c.get('requestId'), path: loggablePath(c.req.path), reason: (err as Error).message }, 'request body broken or abandoned by the client');
      const res = apiError(c, 400, 'invalid_body');
      res.headers.set('Connection', 'close');
      return res;
    }
    const id = c.get('requestId');
    logger.error({ err, requestId: id, method: c.req.method, path: loggablePath(c.req.path) }, 'unhandled error');
    metrics.errors.inc({ channel: c.req.path.startsWith('/api/') ? 'web' : 'http', kind: 'unhandled' });
    return apiError(c, 500, 'internal_error');
  });

  return app;
}

/** Any request body this server takes (a Telegram update, a WeChat message) is far below this. */
export const MAX_REQUEST_BYTES = 1024 * 1024;

/** Errors raised while reading a request the client broke off or malformed. */
function isClientFault(err: unknown): boolean {
  const e = err as NodeJS.ErrnoException | undefined;
  if (!e) return false;
  return (
    e.message === 'aborted' ||
    e.code === 'ECONNRESET' ||
    e.code === 'ERR_STREAM_PREMATURE_CLOSE' ||
    e.name === 'AbortError' ||
    /^HPE_/.test(e.code ?? '') ||
    /Parse Error|Invalid (?:character in )?chunk/i.test(e.message ?? '')
  );
}

const OWN_PATHS = /^\/(?:$|api\/|assets\/|admin(?:$|\/signin$)|healthz$|metrics$)/;

/**
 * Paths of mounted channel routes may hold a secret (a webhook path with the bot token in it): of
 * those only a plain first word such as /wechat reaches the log.
 */
function loggablePath(path: string): string {
  if (OWN_PATHS.test(path)) return path;
  const first = /^\/[A-Za-z_-]{1,24}(?=\/|$)/.exec(path)?.[0];
  return first === undefined ? '/…' : first === path ? path : `${first}/…`;
}
