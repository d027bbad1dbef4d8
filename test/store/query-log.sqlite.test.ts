import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/observability/metrics.ts';
import { openQueryLog, type QueryLog } from '../../src/store/query-log.ts';
import { Store } from '../../src/store/store.ts';
import { captureLogger } from '../server/support.ts';
import { eventually, failures } from './support.ts';

/** The query log on real SQLite files that cannot be used, and what happens until they can. */

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'workplan-qlog-'));
  chmodSync(dir, 0o755);
  return dir;
}

type Lines = Array<Record<string, unknown>>;
const unavailable = (lines: Lines): Lines => lines.filter((l) => /^query log unavailable/.test(String(l.msg)));

/** What the answering path writes: a question, a 👍, a chat's choice. */
async function answerPathWrites(log: QueryLog, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    await expect(log.recordQuery({ question: `问题${i}`, channel: 'web', found: i % 2 === 0, latencyMs: 3, userHash: 'abcd1234abcd1234' })).resolves.toBeUndefined();
  }
  await expect(log.recordFeedback({ question: '问题0', vote: 'up', channel: 'telegram' })).resolves.toBeUndefined();
  await expect(log.setChatReport('telegram', 'chat-1', 'shandong-2025')).resolves.toBeUndefined();
}

/**
 * Opens a log on a broken `file`: one clear line, answers' writes resolve and are counted, choices
 * from memory; after `fix`, the retry reopens the file and writes what waited.
 */
async function survives(file: string, reason: RegExp, fix: () => void): Promise<void> {
  const { logger, lines } = captureLogger('info');
  const metrics = createMetrics({ defaults: false });
  const log = await openQueryLog({ file, logger, metrics, retryMs: 40 });
  try {
    expect(log.kind).toBe('sqlite');
    expect(log.available).toBe(false);
    expect(unavailable(lines)).toHaveLength(1);
    const line = String(unavailable(lines)[0]!.msg);
    expect(line).toMatch(reason);
    expect(line).toContain(file);
    expect(line).toMatch(/answering without it.*retrying every 0\.04 s/);

    await answerPathWrites(log, 3);
    expect(log.chatReport('telegram', 'chat-1')).toBe('shandong-2025');
    expect(await log.prune(30)).toBe(0);
    expect(log.buffered).toBe(4);
    expect(await failures(metrics)).toEqual({ query: 3, feedback: 1, choice: 1, prune: 1 });

    // Several retries later, still broken: still the one line, nothing lost.
    await new Promise((r) => setTimeout(r, 200));
    expect(log.available).toBe(false);
    expect(unavailable(lines)).toHaveLength(1);
    expect(log.buffered).toBe(4);

    fix();
    await eventually(() => log.available, 10_000, 'the retry to reopen the file');
    expect(log.buffered).toBe(0);
    expect(lines.some((l) => /^query log back .*: 4 waiting rows written/.test(String(l.msg)))).toBe(true);
    expect(await log.countQueries()).toBe(3);
    expect((await log.feedbackCounts()).up).toBe(1);
    expect(log.chatReport('telegram', 'chat-1')).toBe('shandong-2025');

    // Up again: writes go straight to the file, nothing more is counted.
    await log.recordQuery({ question: '问题0', channel: 'web', found: true, latencyMs: 1 });
    expect((await log.topQuestions(5))[0]).toMatchObject({ question: '问题0', count: 2 });
    expect(await failures(metrics)).toEqual({ query: 3, feedback: 1, choice: 1, prune: 1 });
  } finally {
    await log.close();
  }
  const store = Store.open(file);
  try {
    expect(store.countQueries()).toBe(4);
    expect(store.chatReport('telegram', 'chat-1')).toBe('shandong-2025');
  } finally {
    store.close();
  }
}

/** Runs `fn` as an unprivileged user when this process is root (root writes anywhere). */
async function unprivileged<T>(fn: () => Promise<T>): Promise<T> {
  if (process.getuid?.() !== 0) return fn();
  process.setegid!(65534);
  process.seteuid!(65534);
  try {
    return await fn();
  } finally {
    process.seteuid!(0);
    process.setegid!(0);
  }
}

describe('query log on SQLite', () => {
  it('adds the answer and its quotes to a log written before it kept them (schema 3), keeping its rows', () => {
    const dir = mkdtempSync(join(tmpdir(), 'workplan-schema-'));
    try {
      const file = join(dir, 'log.db');
      const old = new Database(file);
      old.exec(`CREATE TABLE queries (id INTEGER PRIMARY KEY, at INTEGER NOT NULL, channel TEXT NOT NULL, question TEXT NOT NULL, found INTEGER NOT NULL, latency_ms REAL NOT NULL, section TEXT, reason TEXT, user_hash TEXT, rule TEXT);
        CREATE TABLE feedback (id INTEGER PRIMARY KEY, at INTEGER NOT NULL, channel TEXT NOT NULL, question TEXT NOT NULL, vote TEXT NOT NULL, section TEXT, quote TEXT, user_hash TEXT);
        INSERT INTO queries (at, channel, question, found, latency_ms, reason, rule) VALUES (1, 'web', '旧问题', 0, 1, 'not-found', 'not-found');
        PRAGMA user_version = 3;`);
      old.close();
      const store = Store.open(file);
      const quote = '引'.repeat(900);
      store.recordQuery({ question: '新问题', channel: 'web', found: true, latencyMs: 1, answer: '答'.repeat(2500), citations: [{ doc: '报告', section: '一、', quote }] });
      store.close();
      const db = new Database(file, { readonly: true });
      const rows = db.prepare('SELECT question, rule, answer, citations FROM queries ORDER BY id').all() as any[];
      expect(rows[0]).toEqual({ question: '旧问题', rule: 'not-found', answer: null, citations: null });
      expect(rows[1].answer).toBe('答'.repeat(2000));
      expect(JSON.parse(rows[1].citations)).toEqual([{ doc: '报告', section: '一、', quote: quote.slice(0, 500) }]);
      expect(db.pragma('user_version', { simple: true })).toBe(4);
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('adds the refusal rule to a log written before it had one (schema 2), keeping its rows', () => {
    const dir = mkdtempSync(join(tmpdir(), 'workplan-schema-'));
    try {
      const file = join(dir, 'log.db');
      const old = new Database(file);
      old.exec(`CREATE TABLE queries (id INTEGER PRIMARY KEY, at INTEGER NOT NULL, channel TEXT NOT NULL, question TEXT NOT NULL, found INTEGER NOT NULL, latency_ms REAL NOT NULL, section TEXT, reason TEXT, user_hash TEXT);
        INSERT INTO queries (at, channel, question, found, latency_ms, reason) VALUES (1, 'web', '旧问题', 0, 1, 'not-found');
        PRAGMA user_version = 2;`);
      old.close();
      const store = Store.open(file);
      store.recordQuery({ question: '新问题', channel: 'web', found: false, latencyMs: 1, reason: 'opinion', rule: 'opinion' });
      store.close();
      const db = new Database(file, { readonly: true });
      expect(db.prepare('SELECT question, reason, rule FROM queries ORDER BY id').all()).toEqual([
        { question: '旧问题', reason: 'not-found', rule: null },
        { question: '新问题', reason: 'opinion', rule: 'opinion' },
      ]);
      expect(db.pragma('user_version', { simple: true })).toBe(4);
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('writes, reads, keeps chat choices and prunes when the file is fine', async () => {
    const file = join(tempDir(), 'data', 'workplan.sqlite');
    const { logger, lines } = captureLogger('info');
    const metrics = createMetrics({ defaults: false });
    const log = await openQueryLog({ file, logger, metrics });
    expect(log.available).toBe(true);
    expect(unavailable(lines)).toHaveLength(0);
    const DAY = 86_400_000;
    await log.recordQuery({ question: '旧问题', channel: 'web', found: false, latencyMs: 1, at: Date.now() - 40 * DAY });
    await answerPathWrites(log, 2);
    expect(log.chatReport('telegram', 'chat-1')).toBe('shandong-2025');
    expect(log.chatReport('telegram', 'other')).toBeUndefined();
    await log.setChatReport('telegram', 'chat-1', undefined);
    expect(log.chatReport('telegram', 'chat-1')).toBeUndefined();
    expect(await log.countQueries()).toBe(3);
    expect(await log.prune(30)).toBe(1);
    expect(await log.prune(0)).toBe(0);
    expect(await log.countQueries()).toBe(2);
    expect(await failures(metrics)).toEqual({});
    await log.close();
    await log.close();
  });

  it('a corrupt header: answers go on, the rows wait, and are written once the file is replaced', async () => {
    const file = join(tempDir(), 'workplan.sqlite');
    writeFileSync(file, 'SQLite? No: this file was overwritten by something else.'.repeat(100));
    await survives(file, /\(file is not a database: /, () => rmSync(file));
  });

  it('a directory at the database path: the same, until the directory is removed', async () => {
    const file = join(tempDir(), 'workplan.sqlite');
    mkdirSync(join(file, 'inside'), { recursive: true });
    await survives(file, /\(a directory is in the way: /, () => rmSync(file, { recursive: true }));
  });

  it('an unwritable data directory: the same, until it is writable', async () => {
    const data = join(tempDir(), 'data');
    mkdirSync(data);
    // Owned by the unprivileged user when run as root, so that user can fix it.
    if (process.getuid?.() === 0) chownSync(data, 65534, 65534);
    chmodSync(data, 0o555);
    const file = join(data, 'workplan.sqlite');
    await unprivileged(() => survives(file, /\(directory is not writable: /, () => chmodSync(data, 0o755)));
  });

  it('a write that fails while running (the file locked past the busy timeout) is counted the same way', async () => {
    const file = join(tempDir(), 'workplan.sqlite');
    const { logger, lines } = captureLogger('info');
    const metrics = createMetrics({ defaults: false });
    const log = await openQueryLog({ file, logger, metrics, retryMs: 50 });
    await log.recordQuery({ question: '之前', channel: 'web', found: true, latencyMs: 1 });
    const other = new Database(file);
    other.exec('BEGIN EXCLUSIVE');
    try {
      await log.recordQuery({ question: '锁住时', channel: 'web', found: true, latencyMs: 1 });
      expect(log.available).toBe(false);
      expect(unavailable(lines)).toHaveLength(1);
      expect(String(unavailable(lines)[0]!.msg)).toMatch(/database is locked/);
      await log.recordQuery({ question: '锁住时2', channel: 'web', found: true, latencyMs: 1 });
      expect(await failures(metrics)).toEqual({ query: 2 });
    } finally {
      other.exec('COMMIT');
      other.close();
    }
    await eventually(() => log.available, 10_000, 'the log to come back');
    expect(await log.countQueries()).toBe(3);
    await log.close();
  }, 20_000);

  it('keeps at most maxBuffered rows (oldest dropped, said once) and says what was lost at close', async () => {
    const file = join(tempDir(), 'workplan.sqlite');
    mkdirSync(file);
    const { logger, lines } = captureLogger('info');
    const metrics = createMetrics({ defaults: false });
    const log = await openQueryLog({ file, logger, metrics, retryMs: 60_000, maxBuffered: 3, closeTimeoutMs: 200 });
    for (let i = 0; i < 5; i++) await log.recordQuery({ question: `q${i}`, channel: 'web', found: true, latencyMs: 1 });
    expect(log.buffered).toBe(3);
    expect(lines.filter((l) => /rows are waiting; dropping the oldest/.test(String(l.msg)))).toHaveLength(1);
    expect(await failures(metrics)).toEqual({ query: 5 });
    await log.close();
    expect(lines.some((l) => /^query log closed with 3 rows not written/.test(String(l.msg)))).toBe(true);
    // After close nothing is opened again, and a late write still resolves.
    await expect(log.recordQuery({ question: 'late', channel: 'web', found: true, latencyMs: 1 })).resolves.toBeUndefined();
  });

  it('writes what waits when flush() is called, without waiting for the timer', async () => {
    const file = join(tempDir(), 'workplan.sqlite');
    writeFileSync(file, 'x'.repeat(4096));
    const { logger } = captureLogger('info');
    const log = await openQueryLog({ file, logger, retryMs: 3_600_000 });
    await log.recordQuery({ question: 'q', channel: 'web', found: true, latencyMs: 1 });
    expect(await log.flush()).toBe(false);
    rmSync(file);
    expect(await log.flush()).toBe(true);
    expect(await log.countQueries()).toBe(1);
    await log.close();
  });
});
