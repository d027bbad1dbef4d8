import { randomUUID } from 'node:crypto';
import { closeSync, openSync, statSync, unlinkSync } from 'node:fs';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { citationsJson, parseCitations, Store, type CountedQuestion, type FeedbackCounts, type FeedbackRecord, type QueryRecord, type Vote } from './store.ts';

/**
 * What a query-log database does, SQLite or PostgreSQL, below the layer that buffers and retries
 * (`openQueryLog`). Every method may throw or reject; `query-log.ts` decides what that means.
 */

/** A row as written: complete, with its time taken when the question was answered, not when written. */
export type Row = QueryRow | FeedbackRow;

export interface QueryRow {
  kind: 'query';
  /** Client-made, so a write retried after an unclear failure is not written twice (PostgreSQL). */
  id: string;
  at: number;
  channel: string;
  question: string;
  found: boolean;
  latencyMs: number;
  section: string | null;
  reason: string | null;
  rule: string | null;
  userHash: string | null;
  answer: string | null;
  /** JSON (citationsJson), cut as stored. */
  citations: string | null;
}

export interface FeedbackRow {
  kind: 'feedback';
  id: string;
  at: number;
  channel: string;
  question: string;
  vote: Vote;
  section: string | null;
  quote: string | null;
  userHash: string | null;
}

/** A chat's report choice; `report` undefined: back to all reports. */
export interface ChoiceRow {
  channel: string;
  chatHash: string;
  report: string | undefined;
  at: number;
}

/** The report queries (`npm run report`), the same on every backend. */
export interface QueryLogReader {
  countQueries(): Promise<number>;
  topQuestions(limit?: number, since?: number): Promise<CountedQuestion[]>;
  notFound(limit?: number, since?: number): Promise<CountedQuestion[]>;
  feedbackCounts(limit?: number): Promise<FeedbackCounts>;
}

export interface Backend extends QueryLogReader {
  readonly kind: 'sqlite' | 'postgres';
  /** The file, or the URL without its password: for log lines. */
  readonly where: string;
  /** Writes queries and feedback, all or none. */
  write(rows: readonly Row[]): Promise<void>;
  setChoices(choices: readonly ChoiceRow[]): Promise<void>;
  /** Every chat's choice (PostgreSQL keeps them in memory, read on every message). */
  loadChoices(): Promise<ChoiceRow[]>;
  chatReport(channel: string, chatHash: string): Promise<string | undefined>;
  /** SQLite only: read on every message, cheap enough to ask the file directly. */
  chatReportSync?(channel: string, chatHash: string): string | undefined;
  /** Deletes queries and feedback older than `cutoff` (epoch ms); how many went. */
  prune(cutoff: number): Promise<number>;
  /** Checks the database again after an outage (PostgreSQL: migrations, for a database made anew). */
  ready(): Promise<void>;
  /** A failure of these rows themselves (retrying cannot help), not of the database. */
  isRowError(err: unknown): boolean;
  close(): Promise<void>;
}

const MAX_TEXT = 2000;

/** Text as stored: at most 2000 UTF-16 units (as the Store always cut) and no NUL (PostgreSQL refuses it). */
function text(s: string): string {
  const cut = s.slice(0, MAX_TEXT);
  return cut.includes('\u0000') ? cut.replace(/\u0000/g, '') : cut;
}

export function queryRow(r: QueryRecord): QueryRow {
  return {
    kind: 'query',
    id: randomUUID(),
    at: r.at ?? Date.now(),
    channel: text(r.channel),
    question: text(r.question),
    found: r.found,
    latencyMs: Number.isFinite(r.latencyMs) ? r.latencyMs : 0,
    section: r.section !== undefined ? text(r.section) : null,
    reason: r.reason !== undefined ? text(r.reason) : null,
    rule: r.rule !== undefined ? text(r.rule) : null,
    userHash: r.userHash !== undefined ? text(r.userHash) : null,
    answer: r.answer !== undefined ? text(r.answer) : null,
    citations: citationsJson(r.citations),
  };
}

export function feedbackRow(r: FeedbackRecord): FeedbackRow {
  return {
    kind: 'feedback',
    id: randomUUID(),
    at: r.at ?? Date.now(),
    channel: text(r.channel),
    question: text(r.question),
    vote: r.vote,
    section: r.section !== undefined ? text(r.section) : null,
    quote: r.quote !== undefined ? text(r.quote) : null,
    userHash: r.userHash !== undefined ? text(r.userHash) : null,
  };
}

/** A path as a person reads it in a log line: relative to the working directory when inside it. */
export function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

/** One plain phrase for why the SQLite file cannot be used. */
export function sqliteProblem(err: unknown, file: string): string {
  try {
    if (statSync(file).isDirectory()) return 'a directory is in the way';
  } catch {
    // Not there (yet): the error says the rest.
  }
  const e = err as { code?: string; message?: string } | undefined;
  const code = e?.code ?? '';
  if (code === 'SQLITE_NOTADB') return 'file is not a database';
  if (code === 'SQLITE_CORRUPT') return 'database file is damaged';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EROFS' || code === 'SQLITE_READONLY' || code.startsWith('SQLITE_READONLY_')) return 'cannot write to the database (read-only)';
  if (code === 'ENOTDIR') return 'a file is in the way of its directory';
  if (code === 'SQLITE_CANTOPEN' || code.startsWith('SQLITE_CANTOPEN_')) return directoryProblem(dirname(file)) ?? 'cannot open or create the file';
  if (code === 'SQLITE_FULL' || code === 'ENOSPC') return 'disk full';
  return firstLine(e?.message) || code || String(err);
}

/** Why nothing can be created in `dir` (tried with a probe file, as this process's user), if so. */
function directoryProblem(dir: string): string | undefined {
  const probe = join(dir, `.workplan-probe-${process.pid}`);
  try {
    closeSync(openSync(probe, 'wx'));
    unlinkSync(probe);
    return undefined;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'EACCES' || code === 'EPERM') return 'directory is not writable';
    if (code === 'EROFS') return 'read-only file system';
    if (code === 'ENOSPC') return 'disk full';
    return undefined;
  }
}

/** The first line of an error message; for an AggregateError (connecting to ::1 and 127.0.0.1), its first error's. */
export function errorText(err: unknown): string {
  const e = err as { message?: string; code?: string; errors?: unknown[] } | undefined;
  const own = firstLine(e?.message);
  if (own) return own;
  if (Array.isArray(e?.errors) && e.errors.length) return errorText(e.errors[0]);
  return e?.code ?? String(err);
}

function firstLine(s: string | undefined): string {
  return (s ?? '').split('\n')[0]!.trim();
}

const ROW_ERRORS = new Set(['SQLITE_CONSTRAINT', 'SQLITE_MISMATCH', 'SQLITE_TOOBIG', 'SQLITE_RANGE']);

/** The SQLite file through the synchronous Store, as before. */
export class SqliteBackend implements Backend {
  readonly kind = 'sqlite' as const;
  readonly where: string;
  readonly #store: Store;

  private constructor(store: Store, file: string) {
    this.#store = store;
    this.where = displayPath(file);
  }

  /** Throws as Store.open does. */
  static open(file: string): SqliteBackend {
    return new SqliteBackend(Store.open(file), file);
  }

  async write(rows: readonly Row[]): Promise<void> {
    this.#store.transaction(() => {
      for (const r of rows) {
        if (r.kind === 'query') {
          this.#store.recordQuery({
            question: r.question,
            channel: r.channel,
            found: r.found,
            latencyMs: r.latencyMs,
            at: r.at,
            ...(r.section !== null ? { section: r.section } : {}),
            ...(r.reason !== null ? { reason: r.reason } : {}),
            ...(r.rule !== null ? { rule: r.rule } : {}),
            ...(r.userHash !== null ? { userHash: r.userHash } : {}),
            ...(r.answer !== null ? { answer: r.answer } : {}),
            ...(r.citations !== null ? { citations: parseCitations(r.citations) } : {}),
          });
        } else {
          this.#store.recordFeedback({
            question: r.question,
            vote: r.vote,
            channel: r.channel,
            at: r.at,
            ...(r.section !== null ? { section: r.section } : {}),
            ...(r.quote !== null ? { quote: r.quote } : {}),
            ...(r.userHash !== null ? { userHash: r.userHash } : {}),
          });
        }
      }
    });
  }

  async setChoices(choices: readonly ChoiceRow[]): Promise<void> {
    this.#store.transaction(() => {
      for (const c of choices) this.#store.setChatReport(c.channel, c.chatHash, c.report);
    });
  }

  async loadChoices(): Promise<ChoiceRow[]> {
    return [];
  }

  async chatReport(channel: string, chatHash: string): Promise<string | undefined> {
    return this.#store.chatReport(channel, chatHash);
  }

  chatReportSync(channel: string, chatHash: string): string | undefined {
    return this.#store.chatReport(channel, chatHash);
  }

  async prune(cutoff: number): Promise<number> {
    return this.#store.pruneBefore(cutoff);
  }

  async ready(): Promise<void> {
    this.#store.countQueries();
  }

  isRowError(err: unknown): boolean {
    const code = (err as { code?: string } | undefined)?.code ?? '';
    return ROW_ERRORS.has(code) || code.startsWith('SQLITE_CONSTRAINT_');
  }

  async countQueries(): Promise<number> {
    return this.#store.countQueries();
  }
  async topQuestions(limit = 20, since = 0): Promise<CountedQuestion[]> {
    return this.#store.topQuestions(limit, since);
  }
  async notFound(limit = 20, since = 0): Promise<CountedQuestion[]> {
    return this.#store.notFound(limit, since);
  }
  async feedbackCounts(limit = 20): Promise<FeedbackCounts> {
    return this.#store.feedbackCounts(limit);
  }

  async close(): Promise<void> {
    this.#store.close();
  }
}
