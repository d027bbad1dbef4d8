import { afterEach, describe, expect, it } from 'vitest';
import type { Answer } from '../../src/answer/types.ts';
import { createMetrics } from '../../src/observability/metrics.ts';
import { instrumentAsk } from '../../src/observability/instrument.ts';
import { MIGRATIONS, PostgresBackend } from '../../src/store/postgres.ts';
import { openQueryLog, type QueryLog, type QueryLogOptions } from '../../src/store/query-log.ts';
import { hashUser } from '../../src/store/store.ts';
import { captureLogger, silentLogger } from '../server/support.ts';
import { admin, createTestDatabase, startRelay, type Relay, type TestDatabase } from './postgres.ts';
import { eventually, failures } from './support.ts';

/** The query log in a real PostgreSQL: one database per test, dropped after it. */

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f().catch(() => {});
});

async function database(): Promise<TestDatabase> {
  const db = await createTestDatabase();
  cleanup.push(() => db.drop());
  return db;
}

async function open(options: Partial<QueryLogOptions> & { databaseUrl: string }): Promise<QueryLog> {
  const log = await openQueryLog({ file: '/nonexistent/unused.sqlite', logger: silentLogger, ...options });
  cleanup.push(() => log.close());
  return log;
}

const DAY = 86_400_000;
const unavailable = (lines: Array<Record<string, unknown>>) => lines.filter((l) => /^query log unavailable/.test(String(l.msg)));

describe('query log on PostgreSQL', () => {
  it('migrations create the schema once: run twice, and by two logs starting together', async () => {
    const db = await database();
    const [a, b] = await Promise.all([open({ databaseUrl: db.url }), open({ databaseUrl: db.url })]);
    expect(a.kind).toBe('postgres');
    expect(a.available && b.available).toBe(true);
    const c = await open({ databaseUrl: db.url });
    expect(c.available).toBe(true);
    await c.close();
    const backend = await PostgresBackend.open(db.url);
    await backend.ready();
    await backend.close();

    const applied = await db.query<{ version: number; name: string }>('SELECT version, name FROM schema_migrations ORDER BY version');
    expect(applied).toEqual(MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
    const tables = await db.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`,
    );
    expect(tables.map((t) => t.table_name)).toEqual(['accounts', 'audit_log', 'chat_report', 'feedback', 'queries', 'schema_migrations']);
  });

  it('five replicas starting at once: every one migrates or finds it done, no error', async () => {
    const db = await database();
    const logs = await Promise.all(Array.from({ length: 5 }, () => open({ databaseUrl: db.url })));
    expect(logs.every((l) => l.available)).toBe(true);
    expect(await db.query('SELECT version FROM schema_migrations')).toHaveLength(MIGRATIONS.length);
  });

  it('writes rows (hashed users only) and reads them back with the report queries', async () => {
    const db = await database();
    const metrics = createMetrics({ defaults: false });
    const log = await open({ databaseUrl: db.url, metrics });
    const now = Date.now();
    const user = hashUser('telegram', 123456789);
    const ask = (question: string, found: boolean, at: number, reason?: string) =>
      log.recordQuery({ question, channel: 'web', found, latencyMs: 2.5, at, userHash: user, ...(reason ? { reason } : {}) });
    await Promise.all([ask('今年新增多少托位', true, now - 3000), ask('今年新增多少托位', true, now - 2000), ask('今年新增多少托位', true, now - 1000)]);
    await ask('加装电梯多少部', true, now - 2 * DAY);
    await ask('托位每月收费多少', false, now - DAY, 'no-price');
    await ask('你好', false, now, 'chitchat');
    await ask('去年的老问题', false, now - 60 * DAY, 'not-found');
    await ask('带\u0000空字符的问题', false, now - 5, 'not-found');
    await log.recordFeedback({ question: '今年新增多少托位', vote: 'up', channel: 'web', at: now, section: '一、回顾', quote: '新增托位', userHash: user });
    await log.recordFeedback({ question: '加装电梯多少部', vote: 'down', channel: 'telegram', at: now });

    expect(await log.countQueries()).toBe(8);
    const top = await log.topQuestions(20, now - 30 * DAY);
    expect(top[0]).toEqual({ question: '今年新增多少托位', count: 3, lastAt: now - 1000 });
    expect(top.map((q) => q.question)).not.toContain('去年的老问题');
    const missing = (await log.notFound(20, 0)).map((q) => q.question);
    expect(missing).toEqual(expect.arrayContaining(['托位每月收费多少', '去年的老问题', '带空字符的问题']));
    expect(missing).not.toContain('你好');
    expect(await log.feedbackCounts()).toEqual({
      up: 1,
      down: 1,
      byQuestion: [
        { question: '加装电梯多少部', up: 0, down: 1 },
        { question: '今年新增多少托位', up: 1, down: 0 },
      ],
    });
    const users = await db.query<{ user_hash: string | null }>('SELECT DISTINCT user_hash FROM queries');
    expect(users.map((u) => u.user_hash)).toEqual([user]);
    const fb = await db.query<{ section: string; quote: string }>(`SELECT section, quote FROM feedback WHERE vote = 'up'`);
    expect(fb).toEqual([{ section: '一、回顾', quote: '新增托位' }]);
    expect(await failures(metrics)).toEqual({});
  });

  it('keeps the refusal rule beside its reason code', async () => {
    const db = await database();
    const log = await open({ databaseUrl: db.url });
    await log.recordQuery({ question: '那家企业是谁', channel: 'web', found: false, latencyMs: 1, reason: 'no-entity', rule: 'no-entity' });
    await log.recordQuery({ question: '今年新增多少托位', channel: 'web', found: true, latencyMs: 1 });
    await log.flush();
    const rows = await db.query<{ question: string; reason: string | null; rule: string | null }>('SELECT question, reason, rule FROM queries ORDER BY question');
    expect(rows).toEqual([
      { question: '今年新增多少托位', reason: null, rule: null },
      { question: '那家企业是谁', reason: 'no-entity', rule: 'no-entity' },
    ]);
  });

  it('prunes rows past the retention period', async () => {
    const db = await database();
    const log = await open({ databaseUrl: db.url });
    const now = Date.now();
    await log.recordQuery({ question: 'old', channel: 'web', found: true, latencyMs: 1, at: now - 200 * DAY });
    await log.recordQuery({ question: 'new', channel: 'web', found: true, latencyMs: 1, at: now - 10 * DAY });
    await log.recordFeedback({ question: 'old', vote: 'down', channel: 'web', at: now - 181 * DAY });
    expect(await log.prune(0)).toBe(0);
    expect(await log.prune(180, now)).toBe(2);
    expect(await log.prune(180, now)).toBe(0);
    expect((await log.topQuestions(10)).map((q) => q.question)).toEqual(['new']);
    expect((await log.feedbackCounts()).down).toBe(0);
  });

  it('keeps chat choices, seen by another replica', async () => {
    const db = await database();
    const a = await open({ databaseUrl: db.url });
    await a.setChatReport('telegram', 'chat-1', 'shandong-2025');
    await a.setChatReport('telegram', 'chat-2', 'qingdao-2025');
    expect(a.chatReport('telegram', 'chat-1')).toBe('shandong-2025');

    // A replica starting later has them at once.
    const b = await open({ databaseUrl: db.url });
    expect(b.chatReport('telegram', 'chat-1')).toBe('shandong-2025');
    // A change made on one replica reaches the other (read again in the background).
    await a.setChatReport('telegram', 'chat-2', undefined);
    await a.setChatReport('telegram', 'chat-1', 'zhejiang-2025');
    await new Promise((r) => setTimeout(r, 2100));
    b.chatReport('telegram', 'chat-1');
    b.chatReport('telegram', 'chat-2');
    await eventually(() => b.chatReport('telegram', 'chat-1') === 'zhejiang-2025' && b.chatReport('telegram', 'chat-2') === undefined, 5000);
    expect(await db.query('SELECT channel, chat_hash, report FROM chat_report')).toEqual([
      { channel: 'telegram', chat_hash: 'chat-1', report: 'zhejiang-2025' },
    ]);
  });

  it('the database refusing connections mid-run: writes resolve, are counted, wait, and are written when it is back', async () => {
    const db = await database();
    const { logger, lines } = captureLogger('info');
    const metrics = createMetrics({ defaults: false });
    const log = await open({ databaseUrl: db.url, logger, metrics, retryMs: 100 });
    await log.recordQuery({ question: 'before', channel: 'web', found: true, latencyMs: 1 });

    await admin(`ALTER DATABASE ${db.name} ALLOW_CONNECTIONS false`);
    await admin('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [db.name]);

    for (let i = 0; i < 3; i++) await expect(log.recordQuery({ question: `during ${i}`, channel: 'web', found: true, latencyMs: 1 })).resolves.toBeUndefined();
    await expect(log.recordFeedback({ question: 'during 0', vote: 'down', channel: 'web' })).resolves.toBeUndefined();
    await log.setChatReport('telegram', 'chat-9', 'beijing-2025');
    expect(log.chatReport('telegram', 'chat-9')).toBe('beijing-2025');
    expect(await log.prune(180)).toBe(0);
    expect(log.available).toBe(false);
    expect(log.buffered).toBe(4);
    expect(await failures(metrics)).toEqual({ query: 3, feedback: 1, choice: 1, prune: 1 });
    await new Promise((r) => setTimeout(r, 400)); // a few failed retries
    expect(unavailable(lines)).toHaveLength(1);
    expect(String(unavailable(lines)[0]!.msg)).toContain(`/${db.name}`);

    await admin(`ALTER DATABASE ${db.name} ALLOW_CONNECTIONS true`);
    await eventually(() => log.available, 10_000, 'PostgreSQL to be back');
    expect(log.buffered).toBe(0);
    expect(lines.some((l) => /^query log back/.test(String(l.msg)))).toBe(true);
    expect(await log.countQueries()).toBe(4);
    expect((await log.feedbackCounts()).down).toBe(1);
    expect(await db.query('SELECT report FROM chat_report')).toEqual([{ report: 'beijing-2025' }]);
  }, 30_000);

  it('the database dropped mid-run and made anew: rows wait, the schema is migrated again, rows written', async () => {
    const db = await database();
    const metrics = createMetrics({ defaults: false });
    const log = await open({ databaseUrl: db.url, metrics, retryMs: 100 });
    await log.recordQuery({ question: 'lost with the database', channel: 'web', found: true, latencyMs: 1 });
    await db.drop();
    await log.recordQuery({ question: 'after the drop', channel: 'web', found: false, latencyMs: 1 });
    await log.recordFeedback({ question: 'after the drop', vote: 'up', channel: 'web' });
    expect(log.available).toBe(false);
    expect(await failures(metrics)).toEqual({ query: 1, feedback: 1 });
    await db.create();
    await eventually(() => log.available, 10_000, 'the new database');
    expect(await db.query('SELECT version FROM schema_migrations')).toHaveLength(MIGRATIONS.length);
    expect((await log.notFound(10)).map((q) => q.question)).toEqual(['after the drop']);
    expect((await log.feedbackCounts()).up).toBe(1);
  }, 30_000);

  describe('through a relay that goes away', () => {
    let relay: Relay;

    it('PostgreSQL unreachable at start: open resolves, one line, rows wait and are written once it is reachable', async () => {
      const db = await database();
      relay = await startRelay();
      cleanup.push(() => relay.stop());
      await relay.stop(); // the port is closed
      const { logger, lines } = captureLogger('info');
      const metrics = createMetrics({ defaults: false });
      const log = await open({ databaseUrl: relay.url(db.name).replace('root@', 'root:secret@'), logger, metrics, retryMs: 100 });
      expect(log.available).toBe(false);
      expect(unavailable(lines)).toHaveLength(1);
      const line = String(unavailable(lines)[0]!.msg);
      expect(line).toMatch(/ECONNREFUSED/);
      expect(line).toContain(`127.0.0.1:${relay.port}/${db.name}`);
      expect(line).not.toContain('secret');
      expect(log.where).toContain('root:***@');

      await log.recordQuery({ question: 'while away', channel: 'telegram', found: true, latencyMs: 1 });
      await log.setChatReport('telegram', 'chat-1', 'r1');
      expect(log.chatReport('telegram', 'chat-1')).toBe('r1');
      expect(await failures(metrics)).toEqual({ query: 1, choice: 1 });

      await relay.start();
      await eventually(() => log.available, 10_000, 'the relay to be back');
      expect(await db.query('SELECT question, channel FROM queries')).toEqual([{ question: 'while away', channel: 'telegram' }]);
      expect(log.chatReport('telegram', 'chat-1')).toBe('r1');
    }, 30_000);

    it('connections cut mid-run under load: every answered question ends up written exactly once', async () => {
      const db = await database();
      relay = await startRelay();
      cleanup.push(() => relay.stop());
      const metrics = createMetrics({ defaults: false });
      const log = await open({ databaseUrl: relay.url(db.name), metrics, retryMs: 100 });
      const writes: Array<Promise<void>> = [];
      for (let i = 0; i < 300; i++) {
        writes.push(log.recordQuery({ question: `q${i}`, channel: 'web', found: true, latencyMs: 1 }));
        if (i === 100) await relay.stop();
        if (i === 200) await relay.start();
        if (i % 10 === 0) await new Promise((r) => setImmediate(r));
      }
      await Promise.all(writes);
      await eventually(async () => log.available && log.buffered === 0 && (await log.flush()), 15_000, 'all rows written');
      const rows = await db.query<{ n: string; d: string }>('SELECT count(*) AS n, count(DISTINCT question) AS d FROM queries');
      expect(rows[0]).toEqual({ n: '300', d: '300' });
      expect((await failures(metrics)).query ?? 0).toBeGreaterThan(0);
    }, 30_000);
  });

  it('instrumentAsk returns the answer only once its question is in the database', async () => {
    const db = await database();
    const log = await open({ databaseUrl: db.url });
    const answer = (question: string): Answer => ({ question, found: true, answer: '4000个', citations: [], latencyMs: 1, intent: 'number', highlights: [] });
    const ask = instrumentAsk(async (q) => answer(q), { store: log, logger: silentLogger });
    for (let i = 0; i < 5; i++) {
      await ask(`托位${i}`, { channel: 'web', userId: 'u1' });
      // Another connection (as another replica would) sees it at once.
      expect(await db.query('SELECT 1 FROM queries WHERE question = $1', [`托位${i}`])).toHaveLength(1);
    }
  });
});

describe('query log on PostgreSQL, upgraded', () => {
  it('a database with migrations 1–3 and rows gains the answer columns in place: old rows kept, new ones carry the answer and its quotes', async () => {
    const db = await database();
    // The schema as a deployment of the previous version left it, with a question in it.
    await db.query(`CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    for (const m of MIGRATIONS.filter((m) => m.version <= 3)) {
      await db.query(m.sql);
      await db.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
    }
    await db.query(`INSERT INTO queries (id, at, channel, question, found, latency_ms) VALUES ('00000000-0000-4000-8000-000000000001', now(), 'web', '旧的问题', true, 2)`);

    const log = await open({ databaseUrl: db.url });
    expect(log.available).toBe(true);
    await log.recordQuery({ question: '新的问题', channel: 'web', found: true, latencyMs: 1, answer: '增加普惠托位300个。', citations: [{ doc: '市北区2025年政府工作报告', section: '三、2025年工作安排', quote: '增加普惠托位300个，每千人口托位数达到4.6个。' }] });
    await log.close();

    const rows = await db.query<{ question: string; answer: string | null; citations: unknown }>('SELECT question, answer, citations FROM queries ORDER BY at, question');
    expect(rows.find((r) => r.question === '旧的问题')).toEqual({ question: '旧的问题', answer: null, citations: null });
    const fresh = rows.find((r) => r.question === '新的问题')!;
    expect(fresh.answer).toBe('增加普惠托位300个。');
    expect(fresh.citations).toEqual([{ doc: '市北区2025年政府工作报告', section: '三、2025年工作安排', quote: '增加普惠托位300个，每千人口托位数达到4.6个。' }]);
    const versions = await db.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
    expect(versions.map((v) => v.version)).toEqual(MIGRATIONS.map((m) => m.version));
  });
});
