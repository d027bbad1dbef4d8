import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { Engine } from '../../src/answer/index.ts';
import { createConfig } from '../../src/config.ts';
import type { Logger } from '../../src/logger.ts';
import { createMetrics, instrumentAsk, type Metrics } from '../../src/observability/index.ts';
import type { HttpBindings } from '@hono/node-server';
import { createApp, type AppDeps, type ServerApp } from '../../src/server/index.ts';
import { Store } from '../../src/store/index.ts';

/** A pino logger that keeps every line in memory, for asserting what was logged. */
export function captureLogger(level = 'debug'): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level }, sink), lines };
}

export const silentLogger: Logger = pino({ level: 'silent' });

/** Node bindings as @hono/node-server passes them, with just the socket address filled in. */
export function fromAddress(address: string): HttpBindings {
  return { incoming: { socket: { remoteAddress: address, remotePort: 40000 } } } as unknown as HttpBindings;
}

export interface Built {
  app: ServerApp;
  metrics: Metrics;
  store: Store;
}

/** The real app over the real engine: instrumented ask, an in-memory query log, fresh metrics. */
export function buildApp(engine: Engine, overrides: Partial<AppDeps> = {}): Built {
  const metrics = createMetrics({ defaults: false });
  const store = Store.open(':memory:');
  const ask = instrumentAsk(engine.ask, { metrics, store, logger: silentLogger });
  const app = createApp({
    engine,
    ask,
    metrics,
    logger: silentLogger,
    config: createConfig({}),
    version: '9.9.9-test',
    feedback: store,
    ...overrides,
  });
  return { app, metrics, store };
}

export function postJson(
  app: ServerApp,
  path: string,
  body: unknown,
  opts: { address?: string; headers?: Record<string, string> } = {},
): Promise<Response> {
  return Promise.resolve(
    app.request(
      path,
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...opts.headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      },
      fromAddress(opts.address ?? '198.51.100.1'),
    ),
  );
}

/** The value of one sample line of Prometheus text, e.g. metric('workplan_questions_total{channel="web",found="true"}'). */
export function sample(text: string, series: string): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1));
  }
  return undefined;
}
