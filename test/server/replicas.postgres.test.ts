import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPORTS_DIR, ROOT } from '../helpers/engine.ts';
import { createTestDatabase, startRelay, type Relay, type TestDatabase } from '../store/postgres.ts';
import { eventually } from '../store/support.ts';

/**
 * Two replicas of `npm start` (real processes) on one PostgreSQL database with SEARCH_BACKEND=postgres:
 * a report added and removed by `npm run add` / `npm run remove` (a third process) while both answer
 * questions; PostgreSQL cut off (a relay between the replicas and the server closes) and back.
 */
const PROVINCES = join(ROOT, 'test/fixtures/provinces-2026');
const SHIBEI = 'qingdao-shibei-2025-work-report';
const ADDED = '2026_上海市_政府工作报告.txt';

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

function dataDir(files: string[]): string {
  const data = mkdtempSync(join(tmpdir(), 'workplan-replica-'));
  mkdirSync(join(data, 'reports'));
  for (const f of files) copyFileSync(f, join(data, 'reports', f.split('/').pop()!));
  return data;
}

const env = (data: string, url: string, port = 0): NodeJS.ProcessEnv => ({
  ...process.env,
  DATA_DIR: data,
  DICT_DIR: join(ROOT, 'data/dict'),
  SEARCH_BACKEND: 'postgres',
  DATABASE_URL: url,
  PORT: String(port),
  HOST: '127.0.0.1',
  LOG_LEVEL: 'warn',
  API_RATE_LIMIT_PER_MINUTE: '100000',
});

interface Replica {
  url: string;
  child: ChildProcess;
  log: string[];
}

async function startReplica(data: string, dbUrl: string): Promise<Replica> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli.ts'), 'start'], { env: env(data, dbUrl, port), stdio: ['ignore', 'pipe', 'pipe'] });
  const log: string[] = [];
  child.stdout!.on('data', (d: Buffer) => log.push(d.toString()));
  child.stderr!.on('data', (d: Buffer) => log.push(d.toString()));
  const url = `http://127.0.0.1:${port}`;
  await eventually(async () => (await fetch(`${url}/healthz`).catch(() => undefined))?.ok === true, 120_000, `replica on ${port}: ${log.join('')}`);
  return { url, child, log };
}

function cli(args: string[], data: string, dbUrl: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli.ts'), ...args], { env: env(data, dbUrl), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => resolve({ code, out }));
  });
}

interface Asked {
  status: number;
  docs: string[];
  answer: string;
}

async function ask(r: Replica, question: string): Promise<Asked> {
  const res = await fetch(`${r.url}/api/ask`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ question }) });
  const body = (await res.json()) as { answer?: string; citations?: Array<{ doc: string }> };
  return { status: res.status, docs: (body.citations ?? []).map((c) => c.doc), answer: body.answer ?? '' };
}

/** Asks both replicas questions without pause until stopped; every status is kept. */
function keepAsking(replicas: Replica[]): { stop: () => Promise<number[]> } {
  const statuses: number[] = [];
  let running = true;
  const questions = ['河北今年GDP增长目标是多少', '吉林去年粮食产量多少', '市北区今年新增多少托位', '上海今年城镇新增就业目标多少'];
  const loops = replicas.map(async (r, i) => {
    for (let n = i; running; n++) statuses.push((await ask(r, questions[n % questions.length]!)).status);
  });
  return {
    stop: async () => {
      running = false;
      await Promise.all(loops);
      return statuses;
    },
  };
}

const SHANGHAI_Q = '上海今年城镇新增就业目标多少';
const answersShanghai = (a: Asked): boolean => a.docs.some((d) => d.includes('上海市'));

let db: TestDatabase;
let relay: Relay;
let replicas: Replica[] = [];
let writer: string;
let dbUrl: string;

beforeAll(async () => {
  db = await createTestDatabase();
  relay = await startRelay();
  dbUrl = relay.url(db.name);
  const first = dataDir([join(PROVINCES, '2026_河北省_政府工作报告.txt'), join(PROVINCES, '2026_吉林省_政府工作报告.txt'), join(REPORTS_DIR, `${SHIBEI}.txt`), join(REPORTS_DIR, `${SHIBEI}.json`)]);
  // The first replica loads its directory into the empty database; the second has no report of its own.
  replicas.push(await startReplica(first, dbUrl));
  replicas.push(await startReplica(dataDir([]), dbUrl));
  writer = dataDir([]);
}, 240_000);

afterAll(async () => {
  for (const r of replicas) r.child.kill('SIGTERM');
  await Promise.all(replicas.map((r) => new Promise((resolve) => (r.child.exitCode !== null ? resolve(undefined) : r.child.once('exit', resolve)))));
  await relay?.stop();
  await db?.drop();
});

describe('two replicas on one PostgreSQL database (SEARCH_BACKEND=postgres)', () => {
  it('both answer the reports the first one loaded', async () => {
    for (const r of replicas) {
      const a = await ask(r, '吉林去年粮食产量多少');
      expect(a.status).toBe(200);
      expect(a.docs.some((d) => d.includes('吉林省'))).toBe(true);
      expect(answersShanghai(await ask(r, SHANGHAI_Q))).toBe(false);
    }
  });

  it('a report added by npm run add is answered by both, and once removed by neither, while questions run', async () => {
    const load = keepAsking(replicas);
    const added = await cli(['add', join(PROVINCES, ADDED)], writer, dbUrl);
    expect(added.code, added.out).toBe(0);
    for (const r of replicas) await eventually(async () => answersShanghai(await ask(r, SHANGHAI_Q)), 30_000, `${r.url} answers 上海`);
    const listed = await db.query<{ id: string }>(`SELECT id FROM search_reports WHERE region = '上海市'`);
    expect(listed.length).toBe(1);
    const removed = await cli(['remove', listed[0]!.id], writer, dbUrl);
    expect(removed.code, removed.out).toBe(0);
    for (const r of replicas) await eventually(async () => !answersShanghai(await ask(r, SHANGHAI_Q)), 30_000, `${r.url} no longer answers 上海`);
    const statuses = await load.stop();
    expect(statuses.length).toBeGreaterThan(20);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
  }, 180_000);

  it('PostgreSQL away: questions are still answered, a change is refused in Chinese, no replica crashes; back, changes reach both again', async () => {
    await relay.stop();
    for (const r of replicas) {
      const a = await ask(r, '河北今年GDP增长目标是多少');
      expect(a.status).toBe(200);
      expect(a.docs.some((d) => d.includes('河北省'))).toBe(true);
    }
    const refused = await cli(['add', join(PROVINCES, ADDED)], writer, dbUrl);
    expect(refused.code).not.toBe(0);
    // What the person is told (the log line above it is for the operator).
    const told = refused.out.split('\n').find((l) => l.startsWith('未添加'))!;
    expect(told).toContain('报告库暂时无法访问,这次修改没有保存,请稍后再试。');
    expect(told).not.toMatch(/ECONNREFUSED|postgres|PostgreSQL|127\.0\.0\.1/);
    await relay.start();
    const added = await cli(['add', join(PROVINCES, ADDED)], writer, dbUrl);
    expect(added.code, added.out).toBe(0);
    for (const r of replicas) await eventually(async () => answersShanghai(await ask(r, SHANGHAI_Q)), 30_000, `${r.url} answers 上海 after the outage`);
    for (const r of replicas) expect(r.child.exitCode).toBe(null);
  }, 180_000);
});
