/**
 * `npm run load`: how POST /api/ask holds up under 50 concurrent connections.
 *
 * Starts the real app (engine, instrumented ask, query log in a temporary SQLite file, metrics) in a
 * child process on a free port — so the load generator does not share the server's event loop —
 * then runs autocannon against it with a rotating set of real questions from test/eval, and prints a
 * table: requests/s, latency p50/p99, errors, non-2xx. Exits non-zero if any request failed.
 *
 *   npm run load
 *   npm run load -- --connections 50 --duration 10
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { table } from './report.ts';

const ROOT = resolve(fileURLToPath(import.meta.url), '../..');
const SELF = fileURLToPath(import.meta.url);

// ——————————————————————————————— the server (child process) ———————————————————————————————

async function serve(): Promise<void> {
  const { openEngine } = await import('../src/bootstrap.ts');
  const { createConfig } = await import('../src/config.ts');
  const { createLogger } = await import('../src/logger.ts');
  const { createMetrics, instrumentAsk } = await import('../src/observability/index.ts');
  const { Store } = await import('../src/store/store.ts');
  const { createApp, startServer, VERSION } = await import('../src/server/index.ts');

  const config = createConfig(process.env);
  const logger = createLogger('warn');
  const engine = await openEngine(config, logger);
  const dir = mkdtempSync(join(tmpdir(), 'workplan-load-'));
  const store = Store.open(join(dir, 'load.sqlite'));
  const metrics = createMetrics();
  const ask = instrumentAsk(engine.ask, { metrics, store, logger });
  // Every request comes from 127.0.0.1: lift the per-address limit for this run only.
  const app = createApp({ engine, ask, metrics, logger, config, version: VERSION, rateLimitPerMinute: 1_000_000_000 });
  const server = await startServer(app, { port: 0, host: '127.0.0.1', logger });
  process.stdout.write(`READY ${server.url}\n`);

  const stop = async (): Promise<void> => {
    await server.close();
    store.close();
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

// ——————————————————————————————— the load generator ———————————————————————————————

interface Histogram {
  average: number;
  p50: number;
  p99: number;
  max: number;
}
interface AutocannonResult {
  requests: Histogram & { total: number };
  latency: Histogram;
  throughput: Histogram;
  errors: number;
  timeouts: number;
  non2xx: number;
  '2xx': number;
  duration: number;
}
interface AutocannonRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  setupRequest?: (req: AutocannonRequest) => AutocannonRequest;
}
type Autocannon = (opts: {
  url: string;
  connections: number;
  duration: number;
  requests: AutocannonRequest[];
}) => Promise<AutocannonResult>;

function questions(): string[] {
  const lines = readFileSync(join(ROOT, 'test/eval/questions.jsonl'), 'utf8').split('\n').filter(Boolean);
  const all = lines.map((l) => (JSON.parse(l) as { q: string }).q).filter((q) => typeof q === 'string' && q.trim());
  // A spread of the set: every 7th question, about 27 of them.
  return all.filter((_, i) => i % 7 === 0);
}

async function startChild(): Promise<{ url: string; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', SELF, '--serve'], {
    cwd: ROOT,
    env: process.env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const url = await new Promise<string>((resolveUrl, reject) => {
    const rl = createInterface({ input: child.stdout! });
    rl.on('line', (line) => {
      if (line.startsWith('READY ')) resolveUrl(line.slice(6).trim());
    });
    child.once('exit', (code) => reject(new Error(`server exited early (code ${code})`)));
  });
  return {
    url,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

function ms(n: number): string {
  return `${n < 10 ? n.toFixed(2) : n.toFixed(1)} ms`;
}

async function run(): Promise<void> {
  const { values } = parseArgs({
    options: {
      connections: { type: 'string', default: '50' },
      duration: { type: 'string', default: '10' },
      serve: { type: 'boolean', default: false },
    },
  });
  if (values.serve) return serve();

  const connections = Number(values.connections);
  const duration = Number(values.duration);
  const asked = questions();
  const server = await startChild();
  try {
    // Warm up: every question once, so the first seconds do not measure cold paths.
    for (const q of asked) {
      const res = await fetch(`${server.url}/api/ask`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ question: q }),
      });
      if (!res.ok) throw new Error(`warm-up failed: ${res.status} for ${q}`);
      await res.arrayBuffer();
    }

    const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;
    let next = 0;
    process.stderr.write(`POST ${server.url}/api/ask · ${connections} connections · ${duration} s · ${asked.length} questions\n`);
    const r = await autocannon({
      url: server.url,
      connections,
      duration,
      requests: [
        {
          method: 'POST',
          path: '/api/ask',
          headers: { 'content-type': 'application/json' },
          setupRequest: (req) => ({ ...req, body: JSON.stringify({ question: asked[next++ % asked.length] }) }),
        },
      ],
    });

    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    const sum = Number(/^workplan_answer_seconds_sum\{channel="web"\} (\S+)$/m.exec(metrics)?.[1] ?? NaN);
    const count = Number(/^workplan_answer_seconds_count\{channel="web"\} (\S+)$/m.exec(metrics)?.[1] ?? NaN);

    const rows: string[][] = [
      ['requests/s (mean)', r.requests.average.toFixed(0)],
      ['requests (total)', String(r.requests.total)],
      ['latency p50', ms(r.latency.p50)],
      ['latency p99', ms(r.latency.p99)],
      ['latency max', ms(r.latency.max)],
      ['engine time (mean, in-process)', count ? ms((sum / count) * 1000) : 'n/a'],
      ['errors', String(r.errors)],
      ['timeouts', String(r.timeouts)],
      ['non-2xx', String(r.non2xx)],
    ];
    process.stdout.write(
      `\nPOST /api/ask · ${connections} connections · ${r.duration} s · ${asked.length} rotating questions\n\n` +
        `${table(['metric', 'value'], rows, ['left', 'right'])}\n`,
    );
    if (r.errors || r.timeouts || r.non2xx) {
      process.stderr.write('\nSome requests failed: see errors / timeouts / non-2xx above.\n');
      process.exitCode = 1;
    }
  } finally {
    await server.stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  run().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  });
}
