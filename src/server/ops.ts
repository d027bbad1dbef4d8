import { Hono } from 'hono';
import type { ChannelEngine } from '../answer/engine.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { ReloadStatus } from './live.ts';

/**
 * Routes for operators: `GET /healthz` (the index is loaded, which documents, which version) and
 * `GET /metrics` (Prometheus text from the shared registry).
 */
export function opsRoutes(deps: {
  engine: ChannelEngine;
  metrics: Metrics;
  version: string;
  startedAt: number;
  /** Reloads of the reports while running (a server that watches its reports directory). */
  reloads?: () => ReloadStatus;
}): Hono {
  const app = new Hono();

  app.get('/healthz', (c) => {
    // Read per request: the reports can change while the server runs.
    const { info } = deps.engine;
    const reloads = deps.reloads?.();
    return c.json(
      {
        status: 'ok',
        version: deps.version,
        uptimeSeconds: Math.round((Date.now() - deps.startedAt) / 1000),
        index: {
          loaded: true,
          builtAt: info.indexBuiltAt,
          rebuiltAtStart: info.rebuilt,
          units: info.units,
          paragraphs: info.paragraphs,
          embedder: info.embedder,
        },
        documents: info.documents.map((d) => ({ id: d.id, title: d.title, region: d.region, year: d.year })),
        ...(reloads ? { reloads } : {}),
      },
      200,
      { 'Cache-Control': 'no-store' },
    );
  });

  app.get('/metrics', async (c) => {
    const body = await deps.metrics.registry.metrics();
    return c.body(body, 200, { 'Content-Type': deps.metrics.registry.contentType, 'Cache-Control': 'no-store' });
  });

  return app;
}
