import type { Logger } from '../logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import {
  displayPath,
  errorText,
  feedbackRow,
  queryRow,
  sqliteProblem,
  SqliteBackend,
  type Backend,
  type ChoiceRow,
  type QueryLogReader,
  type Row,
} from './backend.ts';
import { PostgresBackend, redactUrl } from './postgres.ts';
import type { CountedQuestion, FeedbackCounts, FeedbackRecord, QueryRecord } from './store.ts';

/**
 * The query log as the running service uses it: every answered question, 👍/👎 feedback and each
 * chat's choice of report, in PostgreSQL when DATABASE_URL is set, else in the SQLite file.
 *
 * It never takes the service down. When the database cannot be opened (a corrupt file, a directory
 * in the way, an unwritable data/, PostgreSQL away) or a write fails later, one line says what and
 * where, every failed write is counted in `queryLogFailures` (kind query|feedback|choice|prune), the
 * rows wait in memory (bounded, oldest dropped first), chat choices are answered from memory, and a
 * timer (unref'd) reopens the database every `retryMs` and writes what waited. Writes resolve once
 * the row is in the database, or once it waits in memory; they never reject.
 *
 * ```ts
 * const log = await openQueryLog({ file: config.paths.database, databaseUrl: config.DATABASE_URL, logger, metrics });
 * await log.recordQuery({ question, channel: 'web', found: true, latencyMs: 3 });
 * await log.close();
 * ```
 */
export interface QueryLog extends QueryLogReader, ChannelStore {
  readonly kind: 'sqlite' | 'postgres';
  /** The file, or the URL without its password. */
  readonly where: string;
  /** Whether writes go to the database now (false while it is away and rows wait in memory). */
  readonly available: boolean;
  /** Rows waiting in memory for the database. */
  readonly buffered: number;
  /** Resolves once written, or once kept in memory because the database is away. Never rejects. */
  recordQuery(r: QueryRecord): Promise<void>;
  recordFeedback(r: FeedbackRecord): Promise<void>;
  /** The report a chat has chosen (undefined: all reports); from memory while the database is away. */
  chatReport(channel: string, chatHash: string): string | undefined;
  setChatReport(channel: string, chatHash: string, report: string | undefined): Promise<void>;
  /** Deletes rows older than `days` days; how many went (0 while the database is away: done on return). */
  prune(days: number, now?: number): Promise<number>;
  /** Writes what waits now instead of at the next retry; true when nothing is left waiting. */
  flush(): Promise<boolean>;
  /** Waits for writes under way, tries once more to write what waits, closes. Idempotent. */
  close(): Promise<void>;
}

/** What channels need of the log (Telegram's feedback and /reports); the synchronous Store fits too. */
export interface ChannelStore {
  recordFeedback(r: FeedbackRecord): void | Promise<void>;
  chatReport(channel: string, chatHash: string): string | undefined;
  setChatReport(channel: string, chatHash: string, report: string | undefined): void | Promise<void>;
}

export type QueryLogFailure = 'query' | 'feedback' | 'choice' | 'prune';

export interface QueryLogOptions {
  /** The SQLite file, used when `databaseUrl` is not set (config.paths.database). */
  file: string;
  /** postgres://… (config.DATABASE_URL): PostgreSQL instead of the file. */
  databaseUrl?: string | undefined;
  logger: Logger;
  metrics?: Pick<Metrics, 'queryLogFailures'> | undefined;
  /** How often to reopen the database while it is away (ms); default 60 000. */
  retryMs?: number;
  /** Rows kept in memory while the database is away; default 10 000, oldest dropped first. */
  maxBuffered?: number;
  /** How long close() tries to write what still waits (ms); default 5000. */
  closeTimeoutMs?: number;
  /** PostgreSQL: how long to wait for a connection (ms); default 3000. */
  connectTimeoutMs?: number;
}

const BATCH = 500;
/** Batches written at once; rows arriving meanwhile join the next batch (group commit). */
const MAX_IN_FLIGHT = 4;
/** A chat's choice is read again from PostgreSQL at most this often (another replica may change it). */
const CHOICE_REFRESH_MS = 2000;
const MAX_CHOICES = 100_000;

/** Opens the query log; resolves even when the database is unusable (see QueryLog). */
export async function openQueryLog(options: QueryLogOptions): Promise<QueryLog> {
  const url = options.databaseUrl;
  const log = url
    ? new ResilientQueryLog(options, 'postgres', redactUrl(url), errorText, () =>
        PostgresBackend.open(url, {
          ...(options.connectTimeoutMs !== undefined ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
          onIdleError: (err) => options.logger.debug({ err: errorText(err) }, 'query log: an idle PostgreSQL connection failed'),
        }),
      )
    : new ResilientQueryLog(options, 'sqlite', displayPath(options.file), (err) => sqliteProblem(err, options.file), async () =>
        SqliteBackend.open(options.file),
      );
  await log.start();
  return log;
}

interface Known {
  report: string | undefined;
  /** When it was last read from the database. */
  checked: number;
  /** Bumped by each local change, so a read started before it does not undo it. */
  seq: number;
}

const keyOf = (channel: string, chatHash: string): string => `${channel}\u0000${chatHash}`;
const seconds = (ms: number): string => `${Number((ms / 1000).toFixed(3))} s`;

class ResilientQueryLog implements QueryLog {
  readonly kind: 'sqlite' | 'postgres';
  readonly where: string;
  readonly #o: QueryLogOptions;
  readonly #open: () => Promise<Backend>;
  readonly #problem: (err: unknown) => string;
  readonly #retryMs: number;
  readonly #max: number;

  #backend: Backend | undefined;
  #up = false;
  #closed = false;
  #closing: Promise<void> | undefined;
  /** Set once close() has closed the database: nothing opens it again. */
  #shut = false;
  /** Rows the database did not take, oldest first. */
  readonly #buffer: Row[] = [];
  /** Rows on their way to the database while it is up. */
  readonly #queue: Array<{ row: Row; done: () => void }> = [];
  #inFlight = 0;
  readonly #idle: Array<() => void> = [];
  /** Other writes under way (choices, prune), for close(). */
  readonly #pending = new Set<Promise<unknown>>();
  readonly #pendingChoices = new Map<string, ChoiceRow>();
  readonly #choices = new Map<string, Known>();
  #seq = 0;
  #pendingPrune: number | undefined;
  #timer: NodeJS.Timeout | undefined;
  #recovering: Promise<boolean> | undefined;
  /** Set while an outage has been logged (one line per outage). */
  #outage: { dropped: number } | undefined;

  constructor(o: QueryLogOptions, kind: 'sqlite' | 'postgres', where: string, problem: (err: unknown) => string, open: () => Promise<Backend>) {
    this.#o = o;
    this.kind = kind;
    this.where = where;
    this.#problem = problem;
    this.#open = open;
    this.#retryMs = Math.max(1, o.retryMs ?? 60_000);
    this.#max = Math.max(1, o.maxBuffered ?? 10_000);
  }

  get available(): boolean {
    return this.#up;
  }

  get buffered(): number {
    return this.#buffer.length;
  }

  async start(): Promise<void> {
    try {
      const backend = await this.#open();
      this.#backend = backend;
      if (backend.kind === 'postgres') await this.#loadChoices(backend);
      this.#up = true;
    } catch (err) {
      this.#down(err);
    }
  }

  // ── writes ──────────────────────────────────────────────────────────────────────────────────

  recordQuery(r: QueryRecord): Promise<void> {
    return this.#record('query', () => queryRow(r));
  }

  recordFeedback(r: FeedbackRecord): Promise<void> {
    return this.#record('feedback', () => feedbackRow(r));
  }

  #record(kind: 'query' | 'feedback', make: () => Row): Promise<void> {
    let row: Row;
    try {
      row = make();
    } catch (err) {
      this.#count(kind);
      this.#o.logger.error({ err: errorText(err) }, `query log: a ${kind} row could not be made`);
      return Promise.resolve();
    }
    if (this.#closed) {
      this.#count(kind);
      this.#o.logger.warn({ kind }, 'query log: a row arrived after close and was not written');
      return Promise.resolve();
    }
    if (!this.#up) {
      this.#keep([row]);
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.#queue.push({ row, done: resolve });
      this.#drain();
    });
  }

  #drain(): void {
    while (this.#queue.length && this.#inFlight < MAX_IN_FLIGHT) {
      const batch = this.#queue.splice(0, BATCH);
      const backend = this.#backend;
      if (!this.#up || !backend) {
        this.#keep(batch.map((b) => b.row));
        for (const b of batch) b.done();
        continue;
      }
      this.#inFlight++;
      void this.#persist(backend, batch.map((b) => b.row)).finally(() => {
        this.#inFlight--;
        for (const b of batch) b.done();
        this.#drain();
        if (!this.#queue.length && !this.#inFlight) for (const wake of this.#idle.splice(0)) wake();
      });
    }
  }

  /** Writes rows while the database is up; what it does not take waits in memory. Never rejects. */
  async #persist(backend: Backend, rows: Row[]): Promise<void> {
    const { failed, err } = await this.#write(backend, rows);
    if (err === undefined) return;
    this.#keep(failed);
    this.#down(err);
  }

  /**
   * Writes rows; a batch refused for one bad row is written row by row and the bad row dropped.
   * Returns the rows not written because the database failed, and that failure.
   */
  async #write(backend: Backend, rows: Row[]): Promise<{ failed: Row[]; err?: unknown }> {
    try {
      await backend.write(rows);
      return { failed: [] };
    } catch (err) {
      if (!backend.isRowError(err)) return { failed: rows, err: err ?? new Error('write failed') };
      if (rows.length === 1) {
        this.#count(rows[0]!.kind);
        this.#o.logger.error({ err: errorText(err), kind: rows[0]!.kind, database: this.where }, 'query log: the database refused a row; dropped');
        return { failed: [] };
      }
      for (let i = 0; i < rows.length; i++) {
        const one = await this.#write(backend, [rows[i]!]);
        if (one.err !== undefined) return { failed: [...one.failed, ...rows.slice(i + 1)], err: one.err };
      }
      return { failed: [] };
    }
  }

  /** Rows that were not written: counted (once each) and kept in memory. */
  #keep(rows: Row[]): void {
    for (const r of rows) this.#count(r.kind);
    this.#buffer.push(...rows);
    this.#trim();
  }

  #trim(): void {
    const over = this.#buffer.length - this.#max;
    if (over <= 0) return;
    this.#buffer.splice(0, over);
    if (this.#outage) {
      if (this.#outage.dropped === 0) {
        this.#o.logger.warn({ database: this.where, max: this.#max }, `query log: ${this.#max} rows are waiting; dropping the oldest`);
      }
      this.#outage.dropped += over;
    }
  }

  #count(kind: QueryLogFailure, n = 1): void {
    this.#o.metrics?.queryLogFailures.inc({ kind }, n);
  }

  #track<T>(p: Promise<T>): Promise<T> {
    this.#pending.add(p);
    void p.finally(() => this.#pending.delete(p)).catch(() => {});
    return p;
  }

  // ── chat choices ────────────────────────────────────────────────────────────────────────────

  chatReport(channel: string, chatHash: string): string | undefined {
    const key = keyOf(channel, chatHash);
    const pending = this.#pendingChoices.get(key);
    if (pending) return pending.report;
    const backend = this.#backend;
    if (this.#up && backend?.chatReportSync) {
      try {
        const report = backend.chatReportSync(channel, chatHash);
        this.#remember(key, report, false);
        return report;
      } catch {
        // A failing read: memory answers, the next write finds out whether the file is gone.
      }
    } else if (this.#up && backend) {
      this.#refresh(backend, channel, chatHash, key);
    }
    return this.#choices.get(key)?.report;
  }

  setChatReport(channel: string, chatHash: string, report: string | undefined): Promise<void> {
    const key = keyOf(channel, chatHash);
    const choice: ChoiceRow = { channel, chatHash, report, at: Date.now() };
    this.#remember(key, report, true);
    const backend = this.#backend;
    if (this.#closed || !this.#up || !backend) {
      this.#count('choice');
      if (!this.#closed) this.#pendingChoices.set(key, choice);
      return Promise.resolve();
    }
    return this.#track(
      backend.setChoices([choice]).catch((err: unknown) => {
        this.#count('choice');
        if (backend.isRowError(err)) {
          this.#o.logger.error({ err: errorText(err), database: this.where }, 'query log: the database refused a chat choice');
          return;
        }
        if (!this.#pendingChoices.has(key)) this.#pendingChoices.set(key, choice);
        this.#down(err);
      }),
    );
  }

  #remember(key: string, report: string | undefined, local: boolean): void {
    const known = this.#choices.get(key);
    this.#choices.delete(key);
    this.#choices.set(key, { report, checked: Date.now(), seq: local ? ++this.#seq : (known?.seq ?? 0) });
    while (this.#choices.size > MAX_CHOICES) this.#choices.delete(this.#choices.keys().next().value!);
  }

  /** PostgreSQL: reads a chat's choice again in the background (another replica may have changed it). */
  #refresh(backend: Backend, channel: string, chatHash: string, key: string): void {
    const known = this.#choices.get(key);
    if (known && Date.now() - known.checked < CHOICE_REFRESH_MS) return;
    const seq = known?.seq ?? 0;
    // Marked as read now, so a chat's burst of messages asks once.
    this.#remember(key, known?.report, false);
    void this.#track(
      backend.chatReport(channel, chatHash).then(
        (report) => {
          const now = this.#choices.get(key);
          if ((now?.seq ?? 0) === seq && !this.#pendingChoices.has(key)) this.#remember(key, report, false);
        },
        () => {},
      ),
    );
  }

  async #loadChoices(backend: Backend): Promise<void> {
    const rows = await backend.loadChoices();
    const local = new Map([...this.#choices].filter(([k]) => this.#pendingChoices.has(k)));
    this.#choices.clear();
    for (const r of rows) this.#remember(keyOf(r.channel, r.chatHash), r.report, false);
    for (const [k, v] of local) this.#choices.set(k, v);
  }

  // ── prune ───────────────────────────────────────────────────────────────────────────────────

  prune(days: number, now = Date.now()): Promise<number> {
    if (days <= 0) return Promise.resolve(0);
    const cutoff = now - days * 86_400_000;
    const backend = this.#backend;
    if (this.#closed || !this.#up || !backend) {
      this.#count('prune');
      if (!this.#closed) this.#pendingPrune = Math.max(this.#pendingPrune ?? cutoff, cutoff);
      return Promise.resolve(0);
    }
    return this.#track(
      backend.prune(cutoff).catch((err: unknown) => {
        this.#count('prune');
        this.#pendingPrune = Math.max(this.#pendingPrune ?? cutoff, cutoff);
        if (backend.isRowError(err)) this.#o.logger.error({ err: errorText(err), database: this.where }, 'query log prune failed');
        else this.#down(err);
        return 0;
      }),
    );
  }

  // ── outage and recovery ─────────────────────────────────────────────────────────────────────

  /** The database failed: one line per outage, SQLite's file closed (reopened by the retry), retry scheduled. */
  #down(err: unknown): void {
    const wasUp = this.#up;
    this.#up = false;
    if (this.#backend?.kind === 'sqlite') {
      const b = this.#backend;
      this.#backend = undefined;
      void b.close().catch(() => {});
    }
    if (this.#closed) return;
    if (!this.#outage) {
      this.#outage = { dropped: 0 };
      const problem = this.#problem(err);
      this.#o.logger.error(
        { database: this.where, err: errorText(err), retryMs: this.#retryMs },
        `query log unavailable (${problem}: ${this.where}); answering without it, ` +
          `keeping up to ${this.#max} rows in memory, retrying every ${seconds(this.#retryMs)}`,
      );
    } else if (wasUp) {
      this.#o.logger.debug({ err: errorText(err) }, 'query log: failed again');
    }
    this.#schedule();
  }

  #schedule(): void {
    if (this.#timer || this.#closed) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#recover().then((ok) => {
        if (!ok) this.#schedule();
      });
    }, this.#retryMs);
    this.#timer.unref();
  }

  #recover(): Promise<boolean> {
    this.#recovering ??= this.#recoverOnce().finally(() => {
      this.#recovering = undefined;
    });
    return this.#recovering;
  }

  /** Reopens the database and writes what waited: choices, the pending prune, then rows in batches. */
  async #recoverOnce(): Promise<boolean> {
    let written = 0;
    try {
      let backend = this.#backend;
      if (!backend) {
        backend = await this.#open();
        if (this.#shut) {
          await backend.close();
          return false;
        }
        this.#backend = backend;
      } else if (!this.#up) {
        // PostgreSQL: the database may have been made anew, without tables.
        await backend.ready();
      }
      if (backend.kind === 'postgres' && !this.#up) await this.#flushChoices(backend);
      if (backend.kind === 'postgres' && !this.#up) await this.#loadChoices(backend);
      if (this.#pendingPrune !== undefined) {
        const cutoff = this.#pendingPrune;
        const removed = await backend.prune(cutoff);
        if (this.#pendingPrune === cutoff) this.#pendingPrune = undefined;
        if (removed) this.#o.logger.info({ removed, database: this.where }, 'query log pruned');
      }
      // Rows and choices keep arriving while this runs: done only when none wait.
      while (this.#buffer.length || this.#pendingChoices.size) {
        await this.#flushChoices(backend);
        const chunk = this.#buffer.splice(0, BATCH);
        if (!chunk.length) continue;
        const { failed, err } = await this.#write(backend, chunk);
        written += chunk.length - failed.length;
        if (err !== undefined) {
          this.#buffer.unshift(...failed);
          this.#trim();
          throw err;
        }
      }
      if (this.#outage) {
        const { dropped } = this.#outage;
        this.#outage = undefined;
        this.#o.logger.info(
          { database: this.where, written, ...(dropped ? { dropped } : {}) },
          `query log back (${this.where}): ${written} waiting rows written${dropped ? `, ${dropped} dropped while away` : ''}`,
        );
      }
      if (this.#backend === backend && !this.#closed) this.#up = true;
      return true;
    } catch (err) {
      this.#o.logger.debug({ err: errorText(err), database: this.where, written }, 'query log: still unavailable');
      this.#down(err);
      return false;
    }
  }

  async #flushChoices(backend: Backend): Promise<void> {
    if (!this.#pendingChoices.size) return;
    const list = [...this.#pendingChoices];
    await backend.setChoices(list.map(([, c]) => c));
    for (const [k, c] of list) if (this.#pendingChoices.get(k) === c) this.#pendingChoices.delete(k);
  }

  async flush(): Promise<boolean> {
    if (this.#up) {
      await this.#whenIdle();
      if (this.#up && !this.#buffer.length) return true;
    }
    if (this.#shut) return false;
    return this.#recover();
  }

  #whenIdle(): Promise<void> {
    const settled = Promise.allSettled([...this.#pending]).then(() => {});
    if (!this.#queue.length && !this.#inFlight) return settled;
    return new Promise<void>((resolve) => this.#idle.push(resolve)).then(() => settled);
  }

  // ── reads (npm run report) ──────────────────────────────────────────────────────────────────

  #reader(): Backend {
    if (!this.#backend || this.#closed) throw new Error(`query log unavailable (${this.where})`);
    return this.#backend;
  }

  async countQueries(): Promise<number> {
    return this.#reader().countQueries();
  }
  async topQuestions(limit?: number, since?: number): Promise<CountedQuestion[]> {
    return this.#reader().topQuestions(limit, since);
  }
  async notFound(limit?: number, since?: number): Promise<CountedQuestion[]> {
    return this.#reader().notFound(limit, since);
  }
  async feedbackCounts(limit?: number): Promise<FeedbackCounts> {
    return this.#reader().feedbackCounts(limit);
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#closed = true;
      if (this.#timer) clearTimeout(this.#timer);
      this.#timer = undefined;
      await this.#whenIdle();
      const waiting = this.#buffer.length || this.#pendingChoices.size || this.#pendingPrune !== undefined;
      // What waits gets one more try; a reopening under way is let finish (within the same time).
      if (waiting || this.#recovering) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          waiting ? this.#recover() : this.#recovering,
          new Promise((resolve) => {
            timer = setTimeout(resolve, this.#o.closeTimeoutMs ?? 5000);
            timer.unref();
          }),
        ]);
        clearTimeout(timer);
      }
      if (this.#buffer.length) {
        this.#o.logger.error(
          { database: this.where, rows: this.#buffer.length },
          `query log closed with ${this.#buffer.length} rows not written (${this.where})`,
        );
      }
      this.#up = false;
      this.#shut = true;
      const backend = this.#backend;
      this.#backend = undefined;
      await backend?.close().catch(() => {});
    })();
    return this.#closing;
  }
}
