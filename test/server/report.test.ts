import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { displayWidth, renderReport, table } from '../../scripts/report.ts';
import { openQueryLog, Store, type QueryLog } from '../../src/store/index.ts';
import { createTestDatabase, startRelay } from '../store/postgres.ts';
import { silentLogger } from './support.ts';

const NOW = Date.UTC(2025, 5, 1, 12);
const DAY = 86_400_000;

describe('npm run report', () => {
  it('says so plainly when nothing was asked yet', async () => {
    const store = Store.open(':memory:');
    expect(await renderReport(store, { limit: 20, days: 30, now: NOW })).toMatch(/还没有任何提问记录/);
  });

  it('prints the most-asked questions, the not-found ones and the feedback counts', async () => {
    const store = Store.open(':memory:');
    const ask = (question: string, found: boolean, at: number, reason?: string) =>
      store.recordQuery({ question, channel: 'web', found, latencyMs: 2, at, ...(reason ? { reason } : {}) });
    for (let i = 0; i < 3; i++) ask('今年新增多少托位', true, NOW - i * 1000);
    ask('加装电梯多少部', true, NOW - 2 * DAY);
    ask('托位每月收费多少', false, NOW - DAY, 'no-price');
    ask('托位每月收费多少', false, NOW - DAY + 1, 'no-price');
    ask('你好', false, NOW, 'chitchat');
    ask('去年的老问题', false, NOW - 60 * DAY, 'not-found');
    store.recordFeedback({ question: '今年新增多少托位', vote: 'up', channel: 'web', at: NOW });
    store.recordFeedback({ question: '加装电梯多少部', vote: 'down', channel: 'telegram', at: NOW });

    const text = await renderReport(store, { limit: 20, days: 30, now: NOW });
    const [top, missing, feedback] = text.split('■').slice(1);
    expect(text).toContain('共 8 条提问记录');
    expect(top).toMatch(/3\s+\S+ \S+\s+今年新增多少托位/);
    expect(top!.indexOf('今年新增多少托位')).toBeLessThan(top!.indexOf('加装电梯多少部'));
    expect(top).not.toContain('去年的老问题'); // outside the 30 days
    expect(missing).toContain('托位每月收费多少');
    expect(missing).not.toContain('你好'); // chitchat is not a gap in the report
    expect(feedback).toContain('有帮助 1 次');
    expect(feedback).toContain('没帮助 1 次');
    expect(feedback).toContain('加装电梯多少部');

    expect(await renderReport(store, { limit: 20, days: 0, now: NOW })).toContain('去年的老问题');
  });

  it('lines up columns with Chinese text (two columns per character)', () => {
    expect(displayWidth('托位a')).toBe(5);
    const t = table(['次数', '问题'], [['12', '今年新增多少托位'], ['3', 'GDP']], ['right', 'left']).split('\n');
    const col = (line: string) => displayWidth(line.slice(0, line.search(/\S+$/)));
    expect(col(t[2]!)).toBe(col(t[3]!));
    const long = table(['问题'], [['托'.repeat(100)]], ['left'], 20).split('\n')[2]!;
    expect(displayWidth(long)).toBeLessThanOrEqual(20);
    expect(long.endsWith('…')).toBe(true);
  });

  describe('npm run report from PostgreSQL (DATABASE_URL)', () => {
    const ROOT = resolve(import.meta.dirname, '../..');
    const run = async (env: Record<string, string>, args: string[] = []): Promise<{ stdout: string; stderr: string; code: number }> => {
      const base = { ...process.env };
      delete base['DATABASE_URL'];
      delete base['DATA_DIR'];
      try {
        const { stdout, stderr } = await promisify(execFile)(join(ROOT, 'node_modules/.bin/tsx'), ['scripts/report.ts', ...args], {
          cwd: ROOT,
          env: { ...base, TZ: 'Asia/Shanghai', ...env },
        });
        return { stdout, stderr, code: 0 };
      } catch (err) {
        const e = err as { stdout: string; stderr: string; code: number };
        return { stdout: e.stdout, stderr: e.stderr, code: e.code };
      }
    };

    /** The same rows into either log: counts, ties, old rows, chitchat, feedback. */
    async function fill(log: QueryLog, now: number): Promise<void> {
      const ask = (question: string, found: boolean, at: number, reason?: string) =>
        log.recordQuery({ question, channel: 'web', found, latencyMs: 2, at, userHash: 'feedc0de12345678', ...(reason ? { reason } : {}) });
      for (let i = 0; i < 3; i++) await ask('今年新增多少托位', true, now - i * 1000);
      await ask('加装电梯多少部', true, now - 2 * DAY);
      // A tie on count and time: the order must not depend on the database.
      await ask('B 同时问的', true, now - 3 * DAY);
      await ask('A 同时问的', true, now - 3 * DAY);
      await ask('a 同时问的', true, now - 3 * DAY);
      await ask('托位每月收费多少', false, now - DAY, 'no-price');
      await ask('托位每月收费多少', false, now - DAY + 1, 'no-price');
      await ask('你好', false, now, 'chitchat');
      await ask('去年的老问题', false, now - 60 * DAY, 'not-found');
      await ask(`很长的问题${'托'.repeat(100)}`, false, now - 5 * DAY, 'not-found');
      await log.recordFeedback({ question: '今年新增多少托位', vote: 'up', channel: 'web', at: now });
      await log.recordFeedback({ question: '加装电梯多少部', vote: 'down', channel: 'telegram', at: now });
      await log.recordFeedback({ question: 'A 同时问的', vote: 'up', channel: 'web', at: now });
      await log.recordFeedback({ question: 'B 同时问的', vote: 'up', channel: 'web', at: now });
    }

    it('prints the same report as from the SQLite file, for the same rows', async () => {
      const db = await createTestDatabase();
      try {
        const dataDir = mkdtempSync(join(tmpdir(), 'workplan-report-'));
        const now = Date.now();
        const sqlite = await openQueryLog({ file: join(dataDir, 'workplan.sqlite'), logger: silentLogger });
        const postgres = await openQueryLog({ file: join(dataDir, 'unused.sqlite'), databaseUrl: db.url, logger: silentLogger });
        await fill(sqlite, now);
        await fill(postgres, now);
        await sqlite.close();
        await postgres.close();
        const empty = mkdtempSync(join(tmpdir(), 'workplan-report-empty-'));
        for (const args of [[], ['--days', '0'], ['--days', '7', '--limit', '2']]) {
          const fromFile = await run({ DATA_DIR: dataDir }, args);
          const fromPg = await run({ DATA_DIR: empty, DATABASE_URL: db.url }, args);
          expect(fromFile.code).toBe(0);
          expect(fromFile.stdout).toContain('查询日志:共 12 条提问记录');
          expect(fromPg.stderr).toBe('');
          expect(fromPg.stdout).toBe(fromFile.stdout);
        }
      } finally {
        await db.drop();
      }
    }, 60_000);

    it('says so plainly when the database has no query log yet, and when it cannot be reached', async () => {
      const db = await createTestDatabase();
      try {
        const none = await run({ DATABASE_URL: db.url });
        expect(none.code).toBe(0);
        expect(none.stdout).toMatch(/^还没有查询日志\(postgres:\/\/.*没有查询日志的表\)。启动服务/);
      } finally {
        await db.drop();
      }
      const relay = await startRelay();
      await relay.stop();
      const away = await run({ DATABASE_URL: relay.url('test').replace('root@', 'root:pw@') });
      expect(away.code).toBe(1);
      expect(away.stderr).toMatch(/^无法连接查询日志数据库\(postgres:\/\/root:\*\*\*@127\.0\.0\.1:\d+\/test\):.*ECONNREFUSED/);
    }, 60_000);
  });
});

