import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

/**
 * The local SQLite store (better-sqlite3): every question from every channel, and 👍/👎 feedback.
 * User ids are stored only as salted hashes. Old rows are pruned by the retention setting.
 * Synchronous, and it throws when the file is unusable: the running service goes through
 * `openQueryLog` (query-log.ts), which wraps it (or PostgreSQL) so that never stops an answer.
 */

export interface QueryRecord {
  question: string;
  channel: string;
  found: boolean;
  latencyMs: number;
  /** Section path of the top citation. */
  section?: string;
  reason?: string;
  /** The refusal rule that declined (src/answer/refusals.ts), for a refused question. */
  rule?: string;
  userHash?: string;
  /** The answer as it was given (cut to 2000 characters). */
  answer?: string;
  /** Its quotes as they were given: document title, section and quote (cut). */
  citations?: LoggedCitation[];
  /** Epoch milliseconds; now when omitted. */
  at?: number;
}

/** A citation as the query log keeps it: enough for a reviewer to see what the bot showed. */
export interface LoggedCitation {
  doc: string;
  section: string;
  quote: string;
}

/** At most this many citations of an answer are kept (a comparison may cite 40 rows). */
export const MAX_LOGGED_CITATIONS = 5;
const MAX_QUOTE = 500;
const MAX_LABEL = 200;

/** Citations cut to what the log keeps, as JSON; null when there are none. */
export function citationsJson(citations: readonly LoggedCitation[] | undefined): string | null {
  if (!citations?.length) return null;
  const clean = (s: string, n: number): string => s.replace(/\u0000/g, '').slice(0, n);
  return JSON.stringify(
    citations.slice(0, MAX_LOGGED_CITATIONS).map((c) => ({ doc: clean(c.doc, MAX_LABEL), section: clean(c.section, MAX_LABEL), quote: clean(c.quote, MAX_QUOTE) })),
  );
}

/** The stored JSON back as citations; [] for none or for anything that is not what was written. */
export function parseCitations(json: unknown): LoggedCitation[] {
  let v: unknown = json;
  if (typeof json === 'string') {
    try {
      v = JSON.parse(json);
    } catch {
      return [];
    }
  }
  if (!Array.isArray(v)) return [];
  return v
    .filter((c): c is LoggedCitation => !!c && typeof c.doc === 'string' && typeof c.section === 'string' && typeof c.quote === 'string')
    .map((c) => ({ doc: c.doc, section: c.section, quote: c.quote }));
}

export type Vote = 'up' | 'down';

export interface FeedbackRecord {
  question: string;
  vote: Vote;
  channel: string;
  section?: string;
  quote?: string;
  userHash?: string;
  at?: number;
}

export interface CountedQuestion {
  question: string;
  count: number;
  lastAt: number;
}

export interface FeedbackCounts {
  up: number;
  down: number;
  byQuestion: Array<{ question: string; up: number; down: number }>;
}

const SCHEMA_VERSION = 4;

export class Store {
  private readonly db: Database.Database;
  private readonly insertQuery: Database.Statement;
  private readonly insertFeedback: Database.Statement;
  /** Read on every message of a chat, so prepared once. */
  private readonly selectChatReport: Database.Statement;

  private constructor(db: Database.Database) {
    this.db = db;
    this.migrate();
    this.insertQuery = db.prepare(
      `INSERT INTO queries (at, channel, question, found, latency_ms, section, reason, rule, user_hash, answer, citations)
       VALUES (@at, @channel, @question, @found, @latencyMs, @section, @reason, @rule, @userHash, @answer, @citations)`,
    );
    this.insertFeedback = db.prepare(
      `INSERT INTO feedback (at, channel, question, vote, section, quote, user_hash)
       VALUES (@at, @channel, @question, @vote, @section, @quote, @userHash)`,
    );
    this.selectChatReport = db.prepare('SELECT report FROM chat_report WHERE channel = ? AND chat_hash = ?');
  }

  /**
   * Opens (creating if needed) the database file; ':memory:' for tests. Throws when the file cannot be
   * used (not a database, a directory in the way, an unwritable directory); nothing is left open then.
   * The running service opens it through `openQueryLog`, which survives all of these.
   */
  static open(file: string): Store {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    const db = new Database(file);
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('busy_timeout = 2000');
      return new Store(db);
    } catch (err) {
      db.close();
      throw err;
    }
  }

  private migrate(): void {
    const version = this.db.pragma('user_version', { simple: true }) as number;
    if (version >= SCHEMA_VERSION) return;
    // 2: the report a chat has chosen (Telegram /reports), by a hash of the chat id.
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS chat_report (
        channel TEXT NOT NULL,
        chat_hash TEXT NOT NULL,
        report TEXT NOT NULL,
        at INTEGER NOT NULL,
        PRIMARY KEY (channel, chat_hash)
      );
    `);
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS queries (
        id INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        channel TEXT NOT NULL,
        question TEXT NOT NULL,
        found INTEGER NOT NULL,
        latency_ms REAL NOT NULL,
        section TEXT,
        reason TEXT,
        user_hash TEXT
      );
      CREATE INDEX IF NOT EXISTS queries_at ON queries (at);
      CREATE TABLE IF NOT EXISTS feedback (
        id INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        channel TEXT NOT NULL,
        question TEXT NOT NULL,
        vote TEXT NOT NULL CHECK (vote IN ('up', 'down')),
        section TEXT,
        quote TEXT,
        user_hash TEXT
      );
      CREATE INDEX IF NOT EXISTS feedback_at ON feedback (at);
    `);
    // 3: the refusal rule beside its reason code.
    const columns = this.db.prepare(`SELECT name FROM pragma_table_info('queries')`).all() as Array<{ name: string }>;
    if (!columns.some((c) => c.name === 'rule')) this.db.exec('ALTER TABLE queries ADD COLUMN rule TEXT');
    // 4: the answer as it was given and its quotes (JSON), so a reviewer sees what people were told.
    if (!columns.some((c) => c.name === 'answer')) this.db.exec('ALTER TABLE queries ADD COLUMN answer TEXT');
    if (!columns.some((c) => c.name === 'citations')) this.db.exec('ALTER TABLE queries ADD COLUMN citations TEXT');
    this.db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`);
  }

  recordQuery(r: QueryRecord): void {
    this.insertQuery.run({
      at: r.at ?? Date.now(),
      channel: r.channel,
      question: r.question.slice(0, 2000),
      found: r.found ? 1 : 0,
      latencyMs: r.latencyMs,
      section: r.section ?? null,
      reason: r.reason ?? null,
      rule: r.rule ?? null,
      userHash: r.userHash ?? null,
      answer: r.answer?.replace(/\u0000/g, '').slice(0, 2000) ?? null,
      citations: citationsJson(r.citations),
    });
  }

  recordFeedback(r: FeedbackRecord): void {
    this.insertFeedback.run({
      at: r.at ?? Date.now(),
      channel: r.channel,
      question: r.question.slice(0, 2000),
      vote: r.vote,
      section: r.section ?? null,
      quote: r.quote?.slice(0, 2000) ?? null,
      userHash: r.userHash ?? null,
    });
  }

  /** Deletes rows older than `days` days; returns how many went. 0 days keeps everything. */
  prune(days: number, now = Date.now()): number {
    if (days <= 0) return 0;
    return this.pruneBefore(now - days * 86_400_000);
  }

  /** Deletes queries and feedback from before `cutoff` (epoch ms); returns how many went. */
  pruneBefore(cutoff: number): number {
    return this.transaction(() => {
      const a = this.db.prepare('DELETE FROM queries WHERE at < ?').run(cutoff).changes;
      const b = this.db.prepare('DELETE FROM feedback WHERE at < ?').run(cutoff).changes;
      return a + b;
    });
  }

  // The report queries break ties by the question's text (binary, i.e. code point order), as the
  // PostgreSQL log does, so `npm run report` prints the same from either.
  topQuestions(limit = 20, since = 0): CountedQuestion[] {
    return this.db
      .prepare(
        `SELECT question, COUNT(*) AS count, MAX(at) AS lastAt FROM queries WHERE at >= ?
         GROUP BY question ORDER BY count DESC, lastAt DESC, question LIMIT ?`,
      )
      .all(since, limit) as CountedQuestion[];
  }

  notFound(limit = 20, since = 0): CountedQuestion[] {
    return this.db
      .prepare(
        `SELECT question, COUNT(*) AS count, MAX(at) AS lastAt FROM queries WHERE found = 0 AND at >= ?
         AND (reason IS NULL OR reason NOT IN ('empty', 'chitchat'))
         GROUP BY question ORDER BY count DESC, lastAt DESC, question LIMIT ?`,
      )
      .all(since, limit) as CountedQuestion[];
  }

  feedbackCounts(limit = 20): FeedbackCounts {
    const totals = this.db
      .prepare(`SELECT SUM(vote = 'up') AS up, SUM(vote = 'down') AS down FROM feedback`)
      .get() as { up: number | null; down: number | null };
    const byQuestion = this.db
      .prepare(
        `SELECT question, SUM(vote = 'up') AS up, SUM(vote = 'down') AS down FROM feedback
         GROUP BY question ORDER BY down DESC, up DESC, question LIMIT ?`,
      )
      .all(limit) as FeedbackCounts['byQuestion'];
    return { up: totals.up ?? 0, down: totals.down ?? 0, byQuestion };
  }

  /** The report a chat has chosen, or undefined for all reports. */
  chatReport(channel: string, chatHash: string): string | undefined {
    const row = this.selectChatReport.get(channel, chatHash) as { report: string } | undefined;
    return row?.report;
  }

  /** Remembers a chat's report (undefined: back to all reports). */
  setChatReport(channel: string, chatHash: string, report: string | undefined): void {
    if (report === undefined) this.db.prepare('DELETE FROM chat_report WHERE channel = ? AND chat_hash = ?').run(channel, chatHash);
    else
      this.db
        .prepare(
          `INSERT INTO chat_report (channel, chat_hash, report, at) VALUES (?, ?, ?, ?)
           ON CONFLICT (channel, chat_hash) DO UPDATE SET report = excluded.report, at = excluded.at`,
        )
        .run(channel, chatHash, report, Date.now());
  }

  /** Runs `fn` in one transaction (all its writes or none). */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  countQueries(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM queries').get() as { n: number }).n;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

/** A stable, non-reversible id for a user of a channel (never store raw ids). */
export function hashUser(channel: string, rawId: string | number, salt = 'workplan-bot'): string {
  return createHash('sha256').update(`${salt}:${channel}:${String(rawId)}`).digest('hex').slice(0, 16);
}
