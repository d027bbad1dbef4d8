import Database from 'better-sqlite3';
import pg from 'pg';
import { migrate, redactUrl } from '../store/postgres.ts';
import { displayPath } from '../store/backend.ts';
import { parseCitations, Store, type LoggedCitation } from '../store/store.ts';
import { normalizeQuestion } from '../corpus/normalize.ts';

/**
 * What the console keeps in the store beside the query log: its accounts, the audit log of every
 * admin action, and the questions people asked, read with filters. SQLite (the query log's file) by
 * default, PostgreSQL with DATABASE_URL (migration 3 of src/store/postgres.ts), so every replica
 * signs in against the same accounts and writes one audit log.
 *
 * Unlike the query log this is not buffered: an account that cannot be read cannot sign in, and the
 * console says the service is unavailable.
 */

export type Role = 'admin' | 'reviewer';
export const ROLES: readonly Role[] = ['admin', 'reviewer'];

export interface Account {
  name: string;
  role: Role;
  /** Epoch ms. */
  createdAt: number;
  updatedAt: number;
}

export interface StoredAccount extends Account {
  passwordHash: string;
}

export interface AuditRecord {
  /** The account that acted (or tried to: a failed sign-in names the name typed). */
  actor: string;
  /** session.create, session.delete, session.refused, report.add, report.remove… */
  action: string;
  target?: string | undefined;
  address?: string | undefined;
  detail?: string | undefined;
  at?: number;
}

export interface AuditEntry {
  at: number;
  actor: string;
  action: string;
  target: string | null;
  address: string | null;
  detail: string | null;
}

export interface QuestionFilter {
  /** Only questions the bot declined (not empty messages or chit-chat). */
  refused?: boolean;
  /** Only questions someone voted so. */
  vote?: 'up' | 'down';
  channel?: string;
  /** Epoch ms, inclusive. */
  from?: number;
  /** Epoch ms, exclusive. */
  to?: number;
  limit?: number;
}

export interface QuestionRow {
  at: number;
  channel: string;
  question: string;
  found: boolean;
  reason: string | null;
  rule: string | null;
  section: string | null;
  /** The answer as it was given, and its quotes (null, [] for rows logged before they were kept). */
  answer: string | null;
  citations: LoggedCitation[];
  /** 👍/👎 given to this question (by its text, on any channel). */
  up: number;
  down: number;
}

/** One of the most asked questions: the same words however they were spaced, cased or punctuated at the end. */
export interface TopQuestion {
  /** The question's normalised text (its most asked spelling). */
  question: string;
  count: number;
  /** How many of them the bot declined (not counting chit-chat). */
  refused: number;
  /** Epoch ms of the last time it was asked. */
  lastAt: number;
}

/** Questions asked and refused on one China Standard Time day. */
export interface DayCount {
  /** 2026-03-05 */
  day: string;
  asked: number;
  refused: number;
}

export interface AdminStore {
  readonly kind: 'sqlite' | 'postgres';
  readonly where: string;
  /** Throws AccountExists when the name is taken. */
  addAccount(name: string, role: Role, passwordHash: string): Promise<Account>;
  /** False when there is no such account. */
  setPassword(name: string, passwordHash: string): Promise<boolean>;
  removeAccount(name: string): Promise<boolean>;
  listAccounts(): Promise<Account[]>;
  account(name: string): Promise<StoredAccount | undefined>;
  audit(entry: AuditRecord): Promise<void>;
  /** Newest first. */
  auditLog(limit?: number): Promise<AuditEntry[]>;
  /** The newest report.add entry for each report id: who added it and when. */
  addedBy(): Promise<Map<string, { actor: string; at: number }>>;
  /** Newest first. */
  questions(filter?: QuestionFilter): Promise<QuestionRow[]>;
  /** Questions and refusals per day (China Standard Time), oldest first; `refused` and `vote` of the filter are not applied. */
  daily(filter?: QuestionFilter): Promise<DayCount[]>;
  /** The most asked questions (by normalised text) for the channel and days of the filter; `refused` and `vote` are not applied. */
  topQuestions(filter?: QuestionFilter): Promise<TopQuestion[]>;
  close(): Promise<void>;
}

export class AccountExists extends Error {
  constructor(name: string) {
    super(`account ${name} exists`);
    this.name = 'AccountExists';
  }
}

/** Names people type: letters (any script), digits, `_`, `.`, `-`; 1–32 characters. */
export const ACCOUNT_NAME = /^[\p{L}\p{N}_.-]{1,32}$/u;

const MAX_QUESTIONS = 5000;
const MAX_TEXT = 2000;

function cut(s: string | undefined): string | null {
  return s === undefined ? null : s.replace(/\u0000/g, '').slice(0, MAX_TEXT);
}

/** Distinct spellings read from the log for the most asked list; merged by normalised text after. */
const MAX_SPELLINGS = 20_000;
export const MAX_TOP = 100;

/** What makes two questions the same question: NFKC, simplified, no markup, case, spaces or closing marks. */
export function questionKey(q: string): string {
  return normalizeQuestion(q).toLowerCase().replace(/\s+/g, '').replace(/[?？。.!！~～…,，、;；:：]+$/u, '');
}

/** Merges exact spellings (most asked first) into questions by their key; the most asked spelling names each. */
export function mergeTop(rows: ReadonlyArray<{ question: string; count: number; refused: number; lastAt: number }>, limit: number): TopQuestion[] {
  const byKey = new Map<string, TopQuestion>();
  for (const r of rows) {
    const key = questionKey(r.question);
    if (!key) continue;
    const known = byKey.get(key);
    if (known) {
      known.count += r.count;
      known.refused += r.refused;
      known.lastAt = Math.max(known.lastAt, r.lastAt);
    } else byKey.set(key, { question: normalizeQuestion(r.question), count: r.count, refused: r.refused, lastAt: r.lastAt });
  }
  return [...byKey.values()]
    .sort((a, b) => b.count - a.count || b.lastAt - a.lastAt || (a.question < b.question ? -1 : a.question > b.question ? 1 : 0))
    .slice(0, Math.max(1, Math.min(limit, MAX_TOP)));
}

function asRole(s: string): Role {
  return s === 'admin' ? 'admin' : 'reviewer';
}

/** Refusals that are not a question the bot could not answer (as `npm run report` counts them). */
const NOT_A_QUESTION = `('empty', 'chitchat')`;

export class SqliteAdminStore implements AdminStore {
  readonly kind = 'sqlite' as const;
  readonly where: string;
  readonly #db: Database.Database;

  private constructor(db: Database.Database, file: string) {
    this.#db = db;
    this.where = file === ':memory:' ? file : displayPath(file);
  }

  /** Opens the query log's SQLite file (its tables made by Store as usual) and adds the console's own. */
  static open(file: string): SqliteAdminStore {
    // The query log's schema first, so questions can be read from a file nobody has written to yet.
    if (file !== ':memory:') Store.open(file).close();
    const db = new Database(file);
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('busy_timeout = 2000');
      if (file === ':memory:') {
        db.exec(`CREATE TABLE IF NOT EXISTS queries (id INTEGER PRIMARY KEY, at INTEGER NOT NULL, channel TEXT NOT NULL, question TEXT NOT NULL,
          found INTEGER NOT NULL, latency_ms REAL NOT NULL, section TEXT, reason TEXT, user_hash TEXT, rule TEXT, answer TEXT, citations TEXT);
          CREATE TABLE IF NOT EXISTS feedback (id INTEGER PRIMARY KEY, at INTEGER NOT NULL, channel TEXT NOT NULL, question TEXT NOT NULL,
          vote TEXT NOT NULL, section TEXT, quote TEXT, user_hash TEXT);`);
      }
      db.exec(`
        CREATE TABLE IF NOT EXISTS accounts (
          name TEXT PRIMARY KEY,
          role TEXT NOT NULL CHECK (role IN ('admin', 'reviewer')),
          password_hash TEXT NOT NULL,
          created_at INTEGER NOT NULL,
          updated_at INTEGER NOT NULL
        );
        CREATE TABLE IF NOT EXISTS audit_log (
          id INTEGER PRIMARY KEY,
          at INTEGER NOT NULL,
          actor TEXT NOT NULL,
          action TEXT NOT NULL,
          target TEXT,
          address TEXT,
          detail TEXT
        );
        CREATE INDEX IF NOT EXISTS audit_log_at ON audit_log (at);
      `);
      return new SqliteAdminStore(db, file);
    } catch (err) {
      db.close();
      throw err;
    }
  }

  async addAccount(name: string, role: Role, passwordHash: string): Promise<Account> {
    const now = Date.now();
    try {
      this.#db.prepare('INSERT INTO accounts (name, role, password_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?)').run(name, role, passwordHash, now, now);
    } catch (err) {
      if ((err as { code?: string }).code?.startsWith('SQLITE_CONSTRAINT')) throw new AccountExists(name);
      throw err;
    }
    return { name, role, createdAt: now, updatedAt: now };
  }

  async setPassword(name: string, passwordHash: string): Promise<boolean> {
    return this.#db.prepare('UPDATE accounts SET password_hash = ?, updated_at = MAX(?, updated_at + 1) WHERE name = ?').run(passwordHash, Date.now(), name).changes > 0;
  }

  async removeAccount(name: string): Promise<boolean> {
    return this.#db.prepare('DELETE FROM accounts WHERE name = ?').run(name).changes > 0;
  }

  async listAccounts(): Promise<Account[]> {
    const rows = this.#db.prepare('SELECT name, role, created_at AS createdAt, updated_at AS updatedAt FROM accounts ORDER BY name').all() as Account[];
    return rows.map((r) => ({ ...r, role: asRole(r.role) }));
  }

  async account(name: string): Promise<StoredAccount | undefined> {
    const row = this.#db
      .prepare('SELECT name, role, password_hash AS passwordHash, created_at AS createdAt, updated_at AS updatedAt FROM accounts WHERE name = ?')
      .get(name) as StoredAccount | undefined;
    return row ? { ...row, role: asRole(row.role) } : undefined;
  }

  async audit(e: AuditRecord): Promise<void> {
    this.#db
      .prepare('INSERT INTO audit_log (at, actor, action, target, address, detail) VALUES (?, ?, ?, ?, ?, ?)')
      .run(e.at ?? Date.now(), cut(e.actor) ?? '', e.action, cut(e.target), cut(e.address), cut(e.detail));
  }

  async auditLog(limit = 500): Promise<AuditEntry[]> {
    return this.#db.prepare('SELECT at, actor, action, target, address, detail FROM audit_log ORDER BY at DESC, id DESC LIMIT ?').all(limit) as AuditEntry[];
  }

  async addedBy(): Promise<Map<string, { actor: string; at: number }>> {
    const rows = this.#db
      .prepare(`SELECT target, actor, at FROM audit_log WHERE action = 'report.add' AND target IS NOT NULL ORDER BY at, id`)
      .all() as Array<{ target: string; actor: string; at: number }>;
    return new Map(rows.map((r) => [r.target, { actor: r.actor, at: r.at }]));
  }

  async questions(f: QuestionFilter = {}): Promise<QuestionRow[]> {
    const where: string[] = ['q.at >= @from', 'q.at < @to'];
    if (f.refused) where.push(`q.found = 0 AND (q.reason IS NULL OR q.reason NOT IN ${NOT_A_QUESTION})`);
    if (f.channel) where.push('q.channel = @channel');
    if (f.vote) where.push('EXISTS (SELECT 1 FROM feedback v WHERE v.question = q.question AND v.vote = @vote)');
    const rows = this.#db
      .prepare(
        `SELECT q.at, q.channel, q.question, q.found, q.reason, q.rule, q.section, q.answer, q.citations,
           (SELECT COUNT(*) FROM feedback u WHERE u.question = q.question AND u.vote = 'up') AS up,
           (SELECT COUNT(*) FROM feedback d WHERE d.question = q.question AND d.vote = 'down') AS down
         FROM queries q WHERE ${where.join(' AND ')} ORDER BY q.at DESC, q.id DESC LIMIT @limit`,
      )
      .all({
        from: f.from ?? 0,
        to: f.to ?? Number.MAX_SAFE_INTEGER,
        channel: f.channel ?? null,
        vote: f.vote ?? null,
        limit: Math.min(f.limit ?? MAX_QUESTIONS, MAX_QUESTIONS),
      }) as Array<Omit<QuestionRow, 'found' | 'citations'> & { found: number; citations: string | null }>;
    return rows.map((r) => ({ ...r, found: r.found === 1, citations: parseCitations(r.citations) }));
  }

  async daily(f: QuestionFilter = {}): Promise<DayCount[]> {
    return this.#db
      .prepare(
        `SELECT strftime('%Y-%m-%d', at / 1000 + 8 * 3600, 'unixepoch') AS day, COUNT(*) AS asked,
           SUM(found = 0 AND (reason IS NULL OR reason NOT IN ${NOT_A_QUESTION})) AS refused
         FROM queries WHERE at >= @from AND at < @to ${f.channel ? 'AND channel = @channel' : ''}
         GROUP BY day ORDER BY day DESC LIMIT 366`,
      )
      .all({ from: f.from ?? 0, to: f.to ?? Number.MAX_SAFE_INTEGER, channel: f.channel ?? null })
      .reverse() as DayCount[];
  }

  async topQuestions(f: QuestionFilter = {}): Promise<TopQuestion[]> {
    const rows = this.#db
      .prepare(
        `SELECT question, COUNT(*) AS count, SUM(found = 0 AND (reason IS NULL OR reason NOT IN ${NOT_A_QUESTION})) AS refused, MAX(at) AS lastAt
         FROM queries WHERE at >= @from AND at < @to ${f.channel ? 'AND channel = @channel' : ''}
         GROUP BY question ORDER BY count DESC, lastAt DESC LIMIT ${MAX_SPELLINGS}`,
      )
      .all({ from: f.from ?? 0, to: f.to ?? Number.MAX_SAFE_INTEGER, channel: f.channel ?? null }) as TopQuestion[];
    return mergeTop(rows, f.limit ?? 20);
  }

  async close(): Promise<void> {
    if (this.#db.open) this.#db.close();
  }
}

const MS = (col: string): string => `(extract(epoch FROM ${col}) * 1000)::float8`;

export class PostgresAdminStore implements AdminStore {
  readonly kind = 'postgres' as const;
  readonly where: string;
  readonly #pool: pg.Pool;

  private constructor(pool: pg.Pool, where: string) {
    this.#pool = pool;
    this.where = where;
  }

  /** Connects and runs the store's migrations (the console's tables are migration 3). */
  static async open(url: string): Promise<PostgresAdminStore> {
    const pool = new pg.Pool({ connectionString: url, max: 4, connectionTimeoutMillis: 3000, statement_timeout: 10_000, application_name: 'workplan-bot console' });
    pool.on('error', () => {});
    try {
      await migrate(pool);
    } catch (err) {
      await pool.end().catch(() => {});
      throw err;
    }
    return new PostgresAdminStore(pool, redactUrl(url));
  }

  async addAccount(name: string, role: Role, passwordHash: string): Promise<Account> {
    try {
      const { rows } = await this.#pool.query<{ createdAt: number }>(
        `INSERT INTO accounts (name, role, password_hash, created_at, updated_at) VALUES ($1, $2, $3, now(), now()) RETURNING ${MS('created_at')} AS "createdAt"`,
        [name, role, passwordHash],
      );
      const at = rows[0]!.createdAt;
      return { name, role, createdAt: at, updatedAt: at };
    } catch (err) {
      if ((err as { code?: string }).code === '23505') throw new AccountExists(name);
      throw err;
    }
  }

  async setPassword(name: string, passwordHash: string): Promise<boolean> {
    const r = await this.#pool.query("UPDATE accounts SET password_hash = $2, updated_at = GREATEST(now(), updated_at + interval '1 millisecond') WHERE name = $1", [name, passwordHash]);
    return (r.rowCount ?? 0) > 0;
  }

  async removeAccount(name: string): Promise<boolean> {
    const r = await this.#pool.query('DELETE FROM accounts WHERE name = $1', [name]);
    return (r.rowCount ?? 0) > 0;
  }

  async listAccounts(): Promise<Account[]> {
    const { rows } = await this.#pool.query<Account>(
      `SELECT name, role, ${MS('created_at')} AS "createdAt", ${MS('updated_at')} AS "updatedAt" FROM accounts ORDER BY name COLLATE "C"`,
    );
    return rows.map((r) => ({ ...r, role: asRole(r.role) }));
  }

  async account(name: string): Promise<StoredAccount | undefined> {
    const { rows } = await this.#pool.query<StoredAccount>(
      `SELECT name, role, password_hash AS "passwordHash", ${MS('created_at')} AS "createdAt", ${MS('updated_at')} AS "updatedAt" FROM accounts WHERE name = $1`,
      [name],
    );
    const row = rows[0];
    return row ? { ...row, role: asRole(row.role) } : undefined;
  }

  async audit(e: AuditRecord): Promise<void> {
    await this.#pool.query('INSERT INTO audit_log (at, actor, action, target, address, detail) VALUES ($1, $2, $3, $4, $5, $6)', [
      new Date(e.at ?? Date.now()),
      cut(e.actor) ?? '',
      e.action,
      cut(e.target),
      cut(e.address),
      cut(e.detail),
    ]);
  }

  async auditLog(limit = 500): Promise<AuditEntry[]> {
    const { rows } = await this.#pool.query<AuditEntry>(
      `SELECT ${MS('at')} AS at, actor, action, target, address, detail FROM audit_log ORDER BY at DESC, id DESC LIMIT $1`,
      [limit],
    );
    return rows;
  }

  async addedBy(): Promise<Map<string, { actor: string; at: number }>> {
    const { rows } = await this.#pool.query<{ target: string; actor: string; at: number }>(
      `SELECT target, actor, ${MS('at')} AS at FROM audit_log WHERE action = 'report.add' AND target IS NOT NULL ORDER BY at, id`,
    );
    return new Map(rows.map((r) => [r.target, { actor: r.actor, at: r.at }]));
  }

  async questions(f: QuestionFilter = {}): Promise<QuestionRow[]> {
    const params: unknown[] = [new Date(f.from ?? 0), new Date(Math.min(f.to ?? 8.64e15, 8.64e15)), Math.min(f.limit ?? MAX_QUESTIONS, MAX_QUESTIONS)];
    const where: string[] = ['q.at >= $1', 'q.at < $2'];
    if (f.refused) where.push(`NOT q.found AND (q.reason IS NULL OR q.reason NOT IN ${NOT_A_QUESTION})`);
    if (f.channel) where.push(`q.channel = $${params.push(f.channel)}`);
    if (f.vote) where.push(`EXISTS (SELECT 1 FROM feedback v WHERE v.question = q.question AND v.vote = $${params.push(f.vote)})`);
    const { rows } = await this.#pool.query<Omit<QuestionRow, 'citations'> & { up: string; down: string; citations: unknown }>(
      `SELECT ${MS('q.at')} AS at, q.channel, q.question, q.found, q.reason, q.rule, q.section, q.answer, q.citations,
         (SELECT count(*) FROM feedback u WHERE u.question = q.question AND u.vote = 'up') AS up,
         (SELECT count(*) FROM feedback d WHERE d.question = q.question AND d.vote = 'down') AS down
       FROM queries q WHERE ${where.join(' AND ')} ORDER BY q.at DESC, q.id LIMIT $3`,
      params,
    );
    return rows.map((r) => ({ ...r, up: Number(r.up), down: Number(r.down), citations: parseCitations(r.citations) }));
  }

  async daily(f: QuestionFilter = {}): Promise<DayCount[]> {
    const params: unknown[] = [new Date(f.from ?? 0), new Date(Math.min(f.to ?? 8.64e15, 8.64e15))];
    const channel = f.channel ? `AND channel = $${params.push(f.channel)}` : '';
    const { rows } = await this.#pool.query<{ day: string; asked: string; refused: string }>(
      `SELECT to_char(at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD') AS day, count(*) AS asked,
         count(*) FILTER (WHERE NOT found AND (reason IS NULL OR reason NOT IN ${NOT_A_QUESTION})) AS refused
       FROM queries WHERE at >= $1 AND at < $2 ${channel}
       GROUP BY day ORDER BY day DESC LIMIT 366`,
      params,
    );
    return rows.reverse().map((r) => ({ day: r.day, asked: Number(r.asked), refused: Number(r.refused) }));
  }

  async topQuestions(f: QuestionFilter = {}): Promise<TopQuestion[]> {
    const params: unknown[] = [new Date(f.from ?? 0), new Date(Math.min(f.to ?? 8.64e15, 8.64e15))];
    const channel = f.channel ? `AND channel = $${params.push(f.channel)}` : '';
    const { rows } = await this.#pool.query<{ question: string; count: string; refused: string; lastAt: number }>(
      `SELECT question, count(*) AS count,
         count(*) FILTER (WHERE NOT found AND (reason IS NULL OR reason NOT IN ${NOT_A_QUESTION})) AS refused, ${MS('max(at)')} AS "lastAt"
       FROM queries WHERE at >= $1 AND at < $2 ${channel}
       GROUP BY question ORDER BY count(*) DESC, max(at) DESC LIMIT ${MAX_SPELLINGS}`,
      params,
    );
    return mergeTop(rows.map((r) => ({ question: r.question, count: Number(r.count), refused: Number(r.refused), lastAt: r.lastAt })), f.limit ?? 20);
  }

  #closing: Promise<void> | undefined;
  close(): Promise<void> {
    this.#closing ??= this.#pool.end().catch(() => {});
    return this.#closing;
  }
}

/** The console's store: PostgreSQL with `databaseUrl`, else the SQLite file. Throws when unusable. */
export async function openAdminStore(options: { file: string; databaseUrl?: string | undefined }): Promise<AdminStore> {
  return options.databaseUrl ? PostgresAdminStore.open(options.databaseUrl) : SqliteAdminStore.open(options.file);
}
