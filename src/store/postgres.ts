import pg from 'pg';
import type { CountedQuestion, FeedbackCounts } from './store.ts';
import type { Backend, ChoiceRow, Row } from './backend.ts';

/**
 * The query log in PostgreSQL (DATABASE_URL), for several replicas writing one log. The same data as
 * the SQLite file (users only as hashes), one schema kept by numbered migrations:
 *
 *   schema_migrations (version, name, applied_at)       which migrations have run
 *   queries  (id uuid, at timestamptz, channel, question, found, latency_ms, section, reason, rule, user_hash,
 *             answer, citations jsonb)                 the answer as given and its quotes (migration 4)
 *   feedback (id uuid, at timestamptz, channel, question, vote, section, quote, user_hash)
 *   chat_report (channel, chat_hash, report, at)        a chat's chosen report (Telegram /reports)
 *   accounts (name, role, password_hash, created_at, updated_at)   the console's accounts (src/admin)
 *   audit_log (id, at, actor, action, target, address, detail)     every admin action in the console
 *
 * Migrations run at start in one transaction under a transaction-level advisory lock, so replicas
 * starting together apply each migration once and the others wait, then find nothing to do. Row ids
 * are made by the writer, so a batch retried after a failure that did in fact commit is not doubled.
 */

interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'query log: queries, feedback, chat_report',
    sql: `
      CREATE TABLE queries (
        id uuid PRIMARY KEY,
        at timestamptz NOT NULL,
        channel text NOT NULL,
        question text NOT NULL,
        found boolean NOT NULL,
        latency_ms double precision NOT NULL,
        section text,
        reason text,
        user_hash text
      );
      CREATE INDEX queries_at ON queries (at);
      CREATE TABLE feedback (
        id uuid PRIMARY KEY,
        at timestamptz NOT NULL,
        channel text NOT NULL,
        question text NOT NULL,
        vote text NOT NULL CHECK (vote IN ('up', 'down')),
        section text,
        quote text,
        user_hash text
      );
      CREATE INDEX feedback_at ON feedback (at);
      CREATE TABLE chat_report (
        channel text NOT NULL,
        chat_hash text NOT NULL,
        report text NOT NULL,
        at timestamptz NOT NULL,
        PRIMARY KEY (channel, chat_hash)
      );
    `,
  },
  {
    version: 2,
    name: 'queries.rule: the refusal rule beside its reason code',
    sql: `ALTER TABLE queries ADD COLUMN IF NOT EXISTS rule text;`,
  },
  {
    version: 3,
    name: 'the console: accounts and the audit log of admin actions',
    sql: `
      CREATE TABLE accounts (
        name text PRIMARY KEY,
        role text NOT NULL CHECK (role IN ('admin', 'reviewer')),
        password_hash text NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      );
      CREATE TABLE audit_log (
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL,
        actor text NOT NULL,
        action text NOT NULL,
        target text,
        address text,
        detail text
      );
      CREATE INDEX audit_log_at ON audit_log (at);
    `,
  },
  {
    version: 4,
    name: 'queries.answer, queries.citations: the answer as it was given and its quotes',
    sql: `
      ALTER TABLE queries ADD COLUMN IF NOT EXISTS answer text;
      ALTER TABLE queries ADD COLUMN IF NOT EXISTS citations jsonb;
    `,
  },
];

/** pg_advisory_xact_lock key for migrations: "workplan" in ASCII. */
const MIGRATION_LOCK = '8606216529925480814';

/** The URL without its password, for log lines. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://…';
  }
}

/**
 * Runs `fn` in a transaction on one pooled connection. A connection that fails meanwhile fails the
 * query under way (the listener keeps its 'error' event from ending the process) and is not reused.
 */
export async function transaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  const onError = (): void => {};
  client.on('error', onError);
  let failed: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    failed = err instanceof Error ? err : new Error(String(err));
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.removeListener('error', onError);
    client.release(failed);
  }
}

/** Runs the migrations not yet applied; returns the versions applied now. */
export function migrate(pool: pg.Pool): Promise<number[]> {
  return transaction(pool, async (client) => {
    // Held to the end of the transaction: replicas starting together migrate one after another.
    await client.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
         version integer PRIMARY KEY,
         name text NOT NULL,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
    const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
    const done = new Set(rows.map((r) => r.version));
    const applied: number[] = [];
    for (const m of MIGRATIONS) {
      if (done.has(m.version)) continue;
      await client.query(m.sql);
      await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      applied.push(m.version);
    }
    return applied;
  });
}

export interface PostgresOptions {
  /** Connections in the pool; default 10. */
  max?: number;
  /** How long to wait for a connection (ms); default 3000. */
  connectTimeoutMs?: number;
  /** Called with errors of idle connections (the database restarted, a backend was terminated). */
  onIdleError?: (err: Error) => void;
}

const LAST_AT = `(extract(epoch FROM max(at)) * 1000)::float8`;

export class PostgresBackend implements Backend {
  readonly kind = 'postgres' as const;
  readonly where: string;
  readonly pool: pg.Pool;

  private constructor(pool: pg.Pool, where: string) {
    this.pool = pool;
    this.where = where;
  }

  /** A pool for `url`, without connecting yet. */
  static create(url: string, options: PostgresOptions = {}): PostgresBackend {
    const pool = new pg.Pool({
      connectionString: url,
      max: options.max ?? 10,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 3000,
      idleTimeoutMillis: 30_000,
      // A database that stops answering fails the write (the row is buffered) instead of hanging it.
      query_timeout: 15_000,
      statement_timeout: 10_000,
      keepAlive: true,
      application_name: 'workplan-bot',
    });
    // Without a listener an idle connection's error (the server restarting) would end the process.
    pool.on('error', (err) => options.onIdleError?.(err));
    return new PostgresBackend(pool, redactUrl(url));
  }

  /** Connects and migrates; closes the pool and throws when it cannot. */
  static async open(url: string, options: PostgresOptions = {}): Promise<PostgresBackend> {
    const backend = PostgresBackend.create(url, options);
    try {
      await backend.ready();
      return backend;
    } catch (err) {
      await backend.close();
      throw err;
    }
  }

  /** Opens for reading only (`npm run report`): connects, runs no migration. */
  static async connect(url: string, options: PostgresOptions = {}): Promise<PostgresBackend> {
    const backend = PostgresBackend.create(url, options);
    try {
      await backend.pool.query('SELECT 1');
      return backend;
    } catch (err) {
      await backend.close();
      throw err;
    }
  }

  async ready(): Promise<void> {
    await migrate(this.pool);
  }

  /** Whether the query log's tables exist (a database nobody has written to yet has none). */
  async hasSchema(): Promise<boolean> {
    const { rows } = await this.pool.query<{ t: string | null }>(`SELECT to_regclass('queries')::text AS t`);
    return rows[0]?.t != null;
  }

  async write(rows: readonly Row[]): Promise<void> {
    const q = rows.filter((r) => r.kind === 'query');
    const f = rows.filter((r) => r.kind === 'feedback');
    if (!q.length && !f.length) return;
    // One statement, so queries and feedback of a batch are written together or not at all.
    await this.pool.query(
      `WITH q AS (
         INSERT INTO queries (id, at, channel, question, found, latency_ms, section, reason, user_hash, rule, answer, citations)
         SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::text[], $5::boolean[],
                              $6::float8[], $7::text[], $8::text[], $9::text[], $18::text[], $19::text[], $20::jsonb[])
         ON CONFLICT (id) DO NOTHING
       ), f AS (
         INSERT INTO feedback (id, at, channel, question, vote, section, quote, user_hash)
         SELECT * FROM unnest($10::uuid[], $11::timestamptz[], $12::text[], $13::text[], $14::text[],
                              $15::text[], $16::text[], $17::text[])
         ON CONFLICT (id) DO NOTHING
       )
       SELECT 1`,
      [
        q.map((r) => r.id),
        q.map((r) => new Date(r.at)),
        q.map((r) => r.channel),
        q.map((r) => r.question),
        q.map((r) => r.found),
        q.map((r) => r.latencyMs),
        q.map((r) => r.section),
        q.map((r) => r.reason),
        q.map((r) => r.userHash),
        f.map((r) => r.id),
        f.map((r) => new Date(r.at)),
        f.map((r) => r.channel),
        f.map((r) => r.question),
        f.map((r) => r.vote),
        f.map((r) => r.section),
        f.map((r) => r.quote),
        f.map((r) => r.userHash),
        q.map((r) => r.rule),
        q.map((r) => r.answer),
        q.map((r) => r.citations),
      ],
    );
  }

  async setChoices(choices: readonly ChoiceRow[]): Promise<void> {
    if (!choices.length) return;
    await transaction(this.pool, async (client) => {
      for (const c of choices) {
        // A choice written late (after an outage) never overwrites a newer one from another replica.
        if (c.report === undefined) {
          await client.query('DELETE FROM chat_report WHERE channel = $1 AND chat_hash = $2 AND at <= $3', [c.channel, c.chatHash, new Date(c.at)]);
        } else {
          await client.query(
            `INSERT INTO chat_report (channel, chat_hash, report, at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (channel, chat_hash) DO UPDATE SET report = excluded.report, at = excluded.at
             WHERE chat_report.at <= excluded.at`,
            [c.channel, c.chatHash, c.report, new Date(c.at)],
          );
        }
      }
    });
  }

  async loadChoices(): Promise<ChoiceRow[]> {
    const { rows } = await this.pool.query<{ channel: string; chat_hash: string; report: string; at: number }>(
      `SELECT channel, chat_hash, report, (extract(epoch FROM at) * 1000)::float8 AS at FROM chat_report`,
    );
    return rows.map((r) => ({ channel: r.channel, chatHash: r.chat_hash, report: r.report, at: r.at }));
  }

  async chatReport(channel: string, chatHash: string): Promise<string | undefined> {
    const { rows } = await this.pool.query<{ report: string }>('SELECT report FROM chat_report WHERE channel = $1 AND chat_hash = $2', [channel, chatHash]);
    return rows[0]?.report;
  }

  async prune(cutoff: number): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>(
      `WITH q AS (DELETE FROM queries WHERE at < $1 RETURNING 1), f AS (DELETE FROM feedback WHERE at < $1 RETURNING 1)
       SELECT (SELECT count(*) FROM q) + (SELECT count(*) FROM f) AS n`,
      [new Date(cutoff)],
    );
    return Number(rows[0]?.n ?? 0);
  }

  /** Data errors (class 22) and constraint violations (class 23): the rows, not the database. */
  isRowError(err: unknown): boolean {
    const code = (err as { code?: unknown } | undefined)?.code;
    return typeof code === 'string' && /^2[23]/.test(code);
  }

  async countQueries(): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>('SELECT count(*) AS n FROM queries');
    return Number(rows[0]?.n ?? 0);
  }

  // Ties are broken by the question's code points (COLLATE "C"), as SQLite's binary order does, so
  // both print the same report.
  async topQuestions(limit = 20, since = 0): Promise<CountedQuestion[]> {
    const { rows } = await this.pool.query<{ question: string; count: string; lastAt: number }>(
      `SELECT question, count(*) AS count, ${LAST_AT} AS "lastAt" FROM queries WHERE at >= $1
       GROUP BY question ORDER BY count(*) DESC, max(at) DESC, question COLLATE "C" LIMIT $2`,
      [new Date(since), limit],
    );
    return rows.map((r) => ({ question: r.question, count: Number(r.count), lastAt: r.lastAt }));
  }

  async notFound(limit = 20, since = 0): Promise<CountedQuestion[]> {
    const { rows } = await this.pool.query<{ question: string; count: string; lastAt: number }>(
      `SELECT question, count(*) AS count, ${LAST_AT} AS "lastAt" FROM queries WHERE NOT found AND at >= $1
       AND (reason IS NULL OR reason NOT IN ('empty', 'chitchat'))
       GROUP BY question ORDER BY count(*) DESC, max(at) DESC, question COLLATE "C" LIMIT $2`,
      [new Date(since), limit],
    );
    return rows.map((r) => ({ question: r.question, count: Number(r.count), lastAt: r.lastAt }));
  }

  async feedbackCounts(limit = 20): Promise<FeedbackCounts> {
    const totals = await this.pool.query<{ up: string; down: string }>(
      `SELECT count(*) FILTER (WHERE vote = 'up') AS up, count(*) FILTER (WHERE vote = 'down') AS down FROM feedback`,
    );
    const byQuestion = await this.pool.query<{ question: string; up: string; down: string }>(
      `SELECT question, count(*) FILTER (WHERE vote = 'up') AS up, count(*) FILTER (WHERE vote = 'down') AS down
       FROM feedback GROUP BY question
       ORDER BY count(*) FILTER (WHERE vote = 'down') DESC, count(*) FILTER (WHERE vote = 'up') DESC, question COLLATE "C"
       LIMIT $1`,
      [limit],
    );
    return {
      up: Number(totals.rows[0]?.up ?? 0),
      down: Number(totals.rows[0]?.down ?? 0),
      byQuestion: byQuestion.rows.map((r) => ({ question: r.question, up: Number(r.up), down: Number(r.down) })),
    };
  }

  #closing: Promise<void> | undefined;
  close(): Promise<void> {
    this.#closing ??= this.pool.end().catch(() => {});
    return this.#closing;
  }
}
