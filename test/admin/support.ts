import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { hashPassword } from '../../src/admin/password.ts';
import { Sessions, SignInLimits } from '../../src/admin/sessions.ts';
import { SqliteAdminStore, type AdminStore, type Role } from '../../src/admin/store.ts';
import { createEngine } from '../../src/answer/index.ts';
import { createConfig } from '../../src/config.ts';
import { loadLexicon } from '../../src/corpus/lexicon.ts';
import { ReportLibrary } from '../../src/ingest/library.ts';
import { createMetrics, instrumentAsk } from '../../src/observability/index.ts';
import { createApp, startServer, type RunningServer } from '../../src/server/index.ts';
import { LiveEngine, Reloader } from '../../src/server/live.ts';
import { MemoryState, type SharedState } from '../../src/shared/state.ts';
import { Store } from '../../src/store/index.ts';
import { DICT_DIR, ROOT } from '../helpers/engine.ts';
import { silentLogger } from '../server/support.ts';

/**
 * The real app on a loopback port with the console on: a reports directory of its own (one province's
 * report), the real engine over it made live again after each change by the real Reloader, the
 * console's store in a SQLite file beside the query log, sessions in the given shared state.
 */
export const FIXTURES = join(ROOT, 'test/fixtures/provinces-2026');

export interface ConsoleServer {
  url: string;
  dir: string;
  store: AdminStore;
  queryLog: Store;
  library: ReportLibrary;
  /** Advances the sessions' clock (idle and absolute expiry). */
  advance(ms: number): void;
  addAccount(name: string, role: Role, password: string): Promise<void>;
  stop(): Promise<void>;
}

export interface ConsoleOptions {
  reports?: string[];
  redis?: Redis;
  prefix?: string;
  state?: SharedState;
  /** Another server's directory and store (a second replica). */
  shared?: { dir: string };
  publicUrl?: string;
}

export async function startConsole(o: ConsoleOptions = {}): Promise<ConsoleServer> {
  const dir = o.shared?.dir ?? mkdtempSync(join(tmpdir(), 'wp-console-'));
  const reportsDir = join(dir, 'reports');
  if (!o.shared) {
    mkdirSync(reportsDir, { recursive: true });
    for (const f of o.reports ?? ['2026_广东省_政府工作报告.txt']) copyFileSync(join(FIXTURES, f), join(reportsDir, f));
  }
  const indexDir = join(mkdtempSync(join(tmpdir(), 'wp-console-index-')), 'index');
  const open = () => createEngine({ reportsDir, dictDir: DICT_DIR, indexDir });
  const engine = new LiveEngine(await open());
  const lexicon = loadLexicon(DICT_DIR);
  const library = new ReportLibrary(reportsDir, lexicon);
  const reloader = new Reloader({ live: engine, library, open, watched: { reports: reportsDir, dict: DICT_DIR }, logger: silentLogger });
  const file = join(dir, 'workplan.sqlite');
  const queryLog = Store.open(file);
  const store = SqliteAdminStore.open(file);
  let offset = 0;
  const state = o.state ?? new MemoryState();
  const metrics = createMetrics({ defaults: false });
  const app = createApp({
    engine,
    ask: instrumentAsk((q, opts) => engine.ask(q, opts), { metrics, store: queryLog }),
    metrics,
    logger: silentLogger,
    config: createConfig({}),
    version: 'console-test',
    feedback: queryLog,
    rateLimitPerMinute: 100_000,
    admin: {
      store,
      sessions: new Sessions({ state, now: () => Date.now() + offset }),
      limits: new SignInLimits({ ...(o.redis ? { redis: o.redis } : {}), ...(o.prefix ? { prefix: o.prefix } : {}) }),
      library,
      reload: (reason) => reloader.reload(reason),
      reloads: () => reloader.status,
      lexicon: () => lexicon,
      ...(o.publicUrl ? { publicUrl: o.publicUrl } : {}),
    },
  });
  const server: RunningServer = await startServer(app, { port: 0, host: '127.0.0.1', logger: silentLogger });
  return {
    url: server.url,
    dir,
    store,
    queryLog,
    library,
    advance: (ms) => void (offset += ms),
    addAccount: async (name, role, password) => void (await store.addAccount(name, role, await hashPassword(password))),
    stop: async () => {
      await server.close();
      await reloader.close();
      await store.close();
      queryLog.close();
      if (!o.shared) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Client {
  cookie: string;
  csrf: string;
}

/** Signs in as the page does (same-origin JSON POST); the response and, when signed in, the cookie and token. */
export async function signIn(url: string, name: string, password: string, headers: Record<string, string> = {}): Promise<{ res: Response; body: any; client?: Client }> {
  const res = await fetch(`${url}/api/admin/session`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Origin: url, ...headers },
    body: JSON.stringify({ name, password }),
  });
  const body = await res.json();
  const set = res.headers.get('set-cookie');
  const cookie = set ? set.split(';')[0]! : '';
  return { res, body, ...(res.status === 200 ? { client: { cookie, csrf: body.csrf as string } } : {}) };
}

/** A request from the console page: same origin, the session's cookie and CSRF token. */
export function call(url: string, path: string, client: Client | undefined, init: RequestInit & { headers?: Record<string, string> } = {}): Promise<Response> {
  const unsafe = init.method && init.method !== 'GET';
  return fetch(`${url}${path}`, {
    redirect: 'manual',
    ...init,
    headers: {
      ...(unsafe ? { Origin: url } : {}),
      ...(client ? { Cookie: client.cookie, ...(unsafe ? { 'X-CSRF-Token': client.csrf } : {}) } : {}),
      ...init.headers,
    },
  });
}
