import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/answer/index.ts';
import { DICT_DIR, REPORTS_DIR, ROOT } from '../helpers/engine.ts';
import { startRedis, type TestRedis } from '../helpers/redis.ts';
import { createTestDatabase, type TestDatabase } from '../store/postgres.ts';
import { nonce, plainSignature, readXml, textXml } from '../channels/wechat/helpers.ts';
import { freePort } from '../helpers/net.ts';

/**
 * Two replicas of `npm start` (real processes) behind a small round-robin proxy, sharing a private
 * Redis and a PostgreSQL database: a WeChat retry routed to the other replica is answered once, the
 * API limit holds across replicas, killing one replica under load loses no logged question, and
 * Redis stopped mid-run degrades to per-process state and recovers.
 */

const TOKEN = 'replicatoken';
const LIMIT = 6;
const work = mkdtempSync(join(tmpdir(), 'wp-replicas-'));
let redis: TestRedis;
let db: TestDatabase;
let proxy: Server;
let proxyUrl: string;
const replicas: Array<{ name: string; port: number; child: ChildProcess; lines: string[] }> = [];


async function startReplica(name: string): Promise<void> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli.ts'), 'start'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: join(work, 'data'),
      DICT_DIR,
      INDEX_DIR: join(work, 'index'),
      REDIS_URL: redis.url,
      DATABASE_URL: db.url,
      WECHAT_TOKEN: TOKEN,
      API_RATE_LIMIT_PER_MINUTE: String(LIMIT),
      TRUST_PROXY: 'true',
      WATCH_REPORTS: 'false',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (d: Buffer): void => {
      for (const l of d.toString().split('\n')) if (l.trim()) lines.push(l);
      if (lines.some((l) => l.includes('ready: web page and API'))) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`replica ${name} exited (${code}): ${lines.slice(-5).join('\n')}`)));
  });
  replicas.push({ name, port, child, lines });
  await ready;
}

/** Round-robin, or the replica named in `x-replica`; a dead replica's turn goes to the other. */
function startProxy(): Promise<void> {
  let turn = 0;
  proxy = createServer((req, res) => {
    const alive = replicas.filter((r) => r.child.exitCode === null && r.child.signalCode === null);
    const named = alive.find((r) => r.name === req.headers['x-replica']);
    const target = named ?? alive[turn++ % alive.length]!;
    const upstream = request(
      { host: '127.0.0.1', port: target.port, path: req.url, method: req.method, headers: { ...req.headers, 'x-served-by': target.name } },
      (up) => {
        res.writeHead(up.statusCode ?? 502, { ...up.headers, 'x-served-by': target.name });
        up.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  return new Promise((resolve) =>
    proxy.listen(0, '127.0.0.1', () => {
      proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
      resolve();
    }),
  );
}

beforeAll(async () => {
  redis = await startRedis();
  db = await createTestDatabase();
  mkdirSync(join(work, 'data', 'reports'), { recursive: true });
  for (const f of ['qingdao-shibei-2025-work-report.txt', 'qingdao-shibei-2025-work-report.json']) copyFileSync(join(REPORTS_DIR, f), join(work, 'data', 'reports', f));
  // Built once, so both replicas start by loading it.
  await createEngine({ reportsDir: join(work, 'data', 'reports'), dictDir: DICT_DIR, indexDir: join(work, 'index') });
  await Promise.all([startReplica('a'), startReplica('b')]);
  await startProxy();
}, 120_000);

afterAll(async () => {
  for (const r of replicas) if (r.child.exitCode === null) r.child.kill('SIGKILL');
  await new Promise<void>((resolve) => (proxy ? proxy.close(() => resolve()) : resolve()));
  await redis?.stop();
  await db?.drop();
  rmSync(work, { recursive: true, force: true });
});

const askApi = (question: string, client: string, replica?: string) =>
  fetch(`${proxyUrl}/api/ask`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': client, ...(replica ? { 'x-replica': replica } : {}) },
    body: JSON.stringify({ question }),
  });

const logged = async (where = ''): Promise<number> => Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM queries ${where}`))[0]!.n);

describe('two replicas behind a load balancer', () => {
  it('a WeChat retry that lands on the other replica is answered once, with the same reply', async () => {
    const timestamp = String(Math.floor(Date.now() / 1000));
    const n = nonce();
    const query = new URLSearchParams({ signature: plainSignature(TOKEN, timestamp, n), timestamp, nonce: n, openid: 'o-replica-user' });
    const body = textXml({ from: 'o-replica-user', to: 'gh_account', content: '今年新增多少托位', msgId: String(Date.now()), createTime: timestamp });
    const send = (replica: string) =>
      fetch(`${proxyUrl}/wechat?${query}`, { method: 'POST', headers: { 'Content-Type': 'text/xml', 'x-replica': replica }, body });
    const before = await logged(`WHERE channel = 'wechat'`);
    const first = await send('a');
    const retry = await send('b');
    expect([first.headers.get('x-served-by'), retry.headers.get('x-served-by')]).toEqual(['a', 'b']);
    const [a, b] = [readXml(await first.text()), readXml(await retry.text())];
    expect(a['Content']).toContain('300个');
    expect(b['Content']).toBe(a['Content']);
    expect(await logged(`WHERE channel = 'wechat'`)).toBe(before + 1);
  });

  it('a follow-up that lands on the other replica is read against the conversation kept in Redis', async () => {
    const ask = (question: string, replica: string) =>
      fetch(`${proxyUrl}/api/ask`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': '198.51.100.200', 'x-replica': replica },
        body: JSON.stringify({ question, conversationId: 'page-session-1' }),
      }).then((r) => r.json() as Promise<{ found: boolean; interpretedAs?: string; question: string }>);
    const first = await ask('今年新增多少托位', 'a');
    expect(first.found).toBe(true);
    const next = await ask('加装电梯呢', 'b');
    expect(next.question).toBe('加装电梯呢');
    expect(next.interpretedAs).toContain('加装电梯');
    expect(next.found).toBe(true);
  });

  it('the API limit holds across replicas: one client gets LIMIT answers a minute in all, not per replica', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT + 4; i++) statuses.push((await askApi('今年新增多少托位', '198.51.100.77', i % 2 ? 'b' : 'a')).status);
    // (the follow-up test above asked from another client address)
    expect(statuses.filter((s) => s === 200)).toHaveLength(LIMIT);
    expect(statuses.filter((s) => s === 429)).toHaveLength(4);
  });

  it('Redis stopped mid-run: both replicas keep answering (per-process limits), count the fallback, and use Redis again when it is back', async () => {
    await redis.stop();
    for (const replica of ['a', 'b']) expect((await askApi('加装电梯多少部', `203.0.113.${replica === 'a' ? 1 : 2}`, replica)).status).toBe(200);
    const metrics = await (await fetch(`${proxyUrl}/metrics`, { headers: { 'x-replica': 'a' } })).text();
    expect(metrics).toMatch(/workplan_shared_state_fallbacks_total\{op="[a-z]+"\} [1-9]/);
    await redis.start();
    // Back: the limit is shared again (a fresh client, LIMIT + 2 questions across both replicas).
    let shared = false;
    for (let attempt = 0; attempt < 30 && !shared; attempt++) {
      const client = `192.0.2.${attempt + 1}`;
      const statuses: number[] = [];
      for (let i = 0; i < LIMIT + 2; i++) statuses.push((await askApi('今年新增多少托位', client, i % 2 ? 'b' : 'a')).status);
      shared = statuses.filter((s) => s === 200).length === LIMIT;
      if (!shared) await new Promise((r) => setTimeout(r, 300));
    }
    expect(shared).toBe(true);
  }, 60_000);

  it('killing one replica under load loses no logged question: every answer given is in the log', async () => {
    const before = await logged(`WHERE channel = 'web'`);
    let answered = 0;
    let stop = false;
    let i = 0;
    const worker = async (): Promise<void> => {
      while (!stop) {
        const res = await askApi('今年新增多少托位', `10.9.${Math.floor(i / 200)}.${i++ % 200}`).catch(() => undefined);
        if (res?.status === 200) answered++;
        await res?.arrayBuffer().catch(() => undefined);
      }
    };
    const workers = [worker(), worker(), worker(), worker()];
    await new Promise((r) => setTimeout(r, 1500));
    replicas.find((r) => r.name === 'b')!.child.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 1500));
    stop = true;
    await Promise.all(workers);
    expect(answered).toBeGreaterThan(20);
    const rows = (await logged(`WHERE channel = 'web'`)) - before;
    console.info(`[replicas] one replica killed under load: ${answered} questions answered, ${rows} logged`);
    expect(rows).toBeGreaterThanOrEqual(answered);
  }, 60_000);
});
