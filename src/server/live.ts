import { createHash } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import type { Engine, EngineInfo } from '../answer/engine.ts';
import type { Answer, AskOptions } from '../answer/types.ts';
import type { InboxResult, ReportLibrary } from '../ingest/library.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../observability/metrics.ts';

/**
 * The engine a running server answers with, replaced whole when the reports change. A question
 * takes the engine current when it arrives and finishes on it: a swap never changes an answer
 * half-way, and the old engine is collected once its last question is answered.
 */
export class LiveEngine implements Engine {
  #current: Engine;
  #generation = 1;

  constructor(engine: Engine) {
    this.#current = engine;
  }

  get current(): Engine {
    return this.#current;
  }
  /** 1 at start, one more with every swap. */
  get generation(): number {
    return this.#generation;
  }
  get info(): EngineInfo {
    return this.#current.info;
  }
  get examples(): readonly string[] {
    return this.#current.examples;
  }
  get internals(): Engine['internals'] {
    return this.#current.internals;
  }
  ask(question: string, options?: AskOptions): Promise<Answer> {
    return this.#current.ask(question, options);
  }
  outline(): ReturnType<Engine['outline']> {
    return this.#current.outline();
  }
  paragraph(docId: string, paragraph: number): ReturnType<Engine['paragraph']> {
    return this.#current.paragraph(docId, paragraph);
  }
  examplesFor(docId: string): readonly string[] {
    return this.#current.examplesFor(docId);
  }
  findReport(idOrRegion: string): ReturnType<Engine['findReport']> {
    return this.#current.findReport(idOrRegion);
  }
  targets(): ReturnType<Engine['targets']> {
    return this.#current.targets();
  }

  progress(...args: Parameters<Engine['progress']>): ReturnType<Engine['progress']> {
    return this.#current.progress(...args);
  }
  indicatorOf(words: string): string | undefined {
    return this.#current.indicatorOf(words);
  }
  followUp(message: string, previous: Parameters<Engine['followUp']>[1]): ReturnType<Engine['followUp']> {
    return this.#current.followUp(message, previous);
  }

  swap(next: Engine): void {
    this.#current = next;
    this.#generation++;
  }
}

export interface ReloadStatus {
  generation: number;
  /** When the engine serving now was swapped in (or started). */
  loadedAt: string;
  /** A rebuild is under way; questions are answered by the engine loaded before. */
  building: boolean;
  /** The last failed reload, until one succeeds. */
  lastError?: { at: string; message: string };
  /** Documents in the reports directory that could not be added, with the reason. */
  rejected: Array<{ file: string; reason: string }>;
}

export type ReloadOutcome = 'swapped' | 'unchanged' | 'failed';

export interface ReloaderOptions {
  live: LiveEngine;
  library: ReportLibrary;
  /** Builds (or loads) an engine from what is on disk now. */
  open: () => Promise<Engine>;
  /** Directories whose files the engine is built from (reports, dictionaries). */
  watched: { reports: string; dict: string };
  logger: Logger;
  metrics?: Metrics;
  /** Quiet time after the last file event before a reload starts. */
  debounceMs?: number;
  /**
   * How often the directories are also compared with what is loaded, for changes whose events were
   * lost (a file added and removed within moments, network file systems without inotify).
   */
  pollMs?: number;
}

/**
 * Keeps a running server's engine in step with the reports directory: documents dropped in are
 * added, and when any report (or dictionary) changed, a new engine is built beside the serving one
 * and swapped in. A failed build leaves the old engine serving and says why in the log and /healthz.
 * Reloads never overlap; changes that arrive during one cause exactly one more.
 */
export class Reloader {
  readonly #o: ReloaderOptions;
  #status: ReloadStatus;
  #fingerprint: string;
  #running: Promise<ReloadOutcome> | undefined;
  #again = false;
  #watcher: FSWatcher | undefined;
  #timer: NodeJS.Timeout | undefined;
  #poll: NodeJS.Timeout | undefined;
  #closed = false;
  /** The reports changed elsewhere (another replica, through PostgreSQL): the next reload swaps. */
  #stale = false;

  constructor(options: ReloaderOptions) {
    this.#o = options;
    this.#fingerprint = fingerprint(options.watched);
    this.#status = { generation: options.live.generation, loadedAt: new Date().toISOString(), building: false, rejected: [] };
  }

  get status(): ReloadStatus {
    return { ...this.#status, generation: this.#o.live.generation, rejected: [...this.#status.rejected] };
  }

  /**
   * Says the reports changed where no file shows it (another replica wrote to PostgreSQL) and
   * reloads: the engine is assembled again and swapped in, questions in flight finish on the old one.
   */
  changedElsewhere(reason: string): Promise<ReloadOutcome> {
    this.#stale = true;
    return this.reload(reason);
  }

  /** Records what the start-up inbox scan could not add, for /healthz. */
  noteInbox(result: InboxResult): void {
    for (const f of result.failed) this.#reject(f.file, f.error.userMessage);
  }

  #reject(file: string, reason: string): void {
    this.#status.rejected = [...this.#status.rejected.filter((r) => r.file !== file), { file, reason }].slice(-20);
  }

  /**
   * Adds waiting documents, then rebuilds and swaps when anything changed. Resolves when the engine
   * serving reflects the directory as it was when this call was made.
   */
  reload(reason = 'requested'): Promise<ReloadOutcome> {
    if (this.#running) {
      this.#again = true;
      // The caller's change may have landed after the running reload read the disk: wait for the next one.
      return this.#running.then(() => this.#running ?? this.reload(reason));
    }
    this.#running = this.#run(reason).finally(() => {
      this.#running = undefined;
      if (this.#again && !this.#closed) {
        this.#again = false;
        void this.reload('changed during a reload');
      }
    });
    return this.#running;
  }

  /** One writer at a time across processes: an `npm run add` and this reload take turns. */
  #run(reason: string): Promise<ReloadOutcome> {
    const { logger, library } = this.#o;
    return library.exclusive(() => this.#runNow(reason), {
      waiting: (holder) => logger.info({ holder }, 'reload waits for another writer of the reports directory'),
      lost: (err) => logger.warn({ err }, 'the reports lock was taken over while this reload held it'),
    }).catch((err: unknown) => {
      logger.error({ err }, 'the reports lock could not be taken; the reports loaded before are still served');
      return 'failed' as const;
    });
  }

  async #runNow(reason: string): Promise<ReloadOutcome> {
    const { logger, metrics, library, live } = this.#o;
    try {
      const inbox = await library.syncInbox();
      for (const a of inbox.added) {
        logger.info({ file: a.from, id: a.id, title: a.title, paragraphs: a.paragraphs }, `report added from the reports directory: ${a.title}`);
        this.#status.rejected = this.#status.rejected.filter((r) => r.file !== a.from);
      }
      for (const f of inbox.failed) {
        logger.warn({ file: f.file, reason: f.error.reason, detail: f.error.message }, `a file in the reports directory was not added: ${f.error.userMessage}`);
        this.#reject(f.file, f.error.userMessage);
      }
    } catch (err) {
      logger.error({ err }, 'reading the reports directory failed');
    }
    const now = fingerprint(this.#o.watched);
    const stale = this.#stale;
    this.#stale = false;
    if (now === this.#fingerprint && !stale) {
      metrics?.reloads.inc({ outcome: 'unchanged' });
      return 'unchanged';
    }
    this.#status.building = true;
    const t0 = Date.now();
    try {
      const next = await this.#o.open();
      live.swap(next);
      this.#fingerprint = now;
      this.#status.loadedAt = new Date().toISOString();
      delete this.#status.lastError;
      metrics?.reloads.inc({ outcome: 'swapped' });
      metrics?.reports.set(next.info.documents.length);
      logger.info(
        { reason, generation: live.generation, documents: next.info.documents.map((d) => d.id), units: next.info.units, ms: Date.now() - t0 },
        `reports reloaded: ${next.info.title}`,
      );
      return 'swapped';
    } catch (err) {
      // The directory as it is now cannot be served (no report left, a report that cannot be read):
      // keep answering from what was loaded, and try again at the next change.
      this.#fingerprint = now;
      const message = (err as Error)?.message ?? String(err);
      this.#status.lastError = { at: new Date().toISOString(), message };
      metrics?.reloads.inc({ outcome: 'failed' });
      logger.error({ err: message, reason }, 'reloading the reports failed; the reports loaded before are still served');
      return 'failed';
    } finally {
      this.#status.building = false;
    }
  }

  /** Watches the reports and dictionary directories; a burst of events causes one reload. */
  watch(): void {
    if (this.#watcher) return;
    const { reports, dict } = this.#o.watched;
    this.#watcher = watch([reports, dict], {
      ignoreInitial: true,
      depth: 0,
      ignored: (path: string) => /\.tmp-|(?:^|\/)\.[^/]+$|\/originals(?:\/|$)/.test(path),
      awaitWriteFinish: { stabilityThreshold: 300, pollInterval: 100 },
    });
    const schedule = (): void => {
      if (this.#closed) return;
      clearTimeout(this.#timer);
      this.#timer = setTimeout(() => void this.reload('files changed'), this.#o.debounceMs ?? 500);
    };
    this.#watcher.on('all', schedule);
    this.#watcher.on('error', (err) => this.#o.logger.warn({ err: (err as Error)?.message }, 'watching the reports directory failed'));
    this.#poll = setInterval(() => {
      if (!this.#running && fingerprint(this.#o.watched) !== this.#fingerprint) schedule();
    }, this.#o.pollMs ?? 2000);
    this.#poll.unref();
  }

  /** Resolves once the watcher is ready (tests wait for it before writing files). */
  ready(): Promise<void> {
    const w = this.#watcher;
    return w ? new Promise((resolve) => w.once('ready', () => resolve())) : Promise.resolve();
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    clearInterval(this.#poll);
    await this.#watcher?.close();
    await this.#running?.catch(() => undefined);
  }
}

/**
 * Names, sizes and times of the files an engine is built from, and of documents waiting in the
 * inbox: any change means a reload.
 */
function fingerprint(dirs: { reports: string; dict: string }): string {
  const h = createHash('sha256');
  for (const dir of [dirs.reports, dirs.dict]) {
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).sort()) {
      if (name.startsWith('.') || name.includes('.tmp-')) continue;
      try {
        const st = statSync(join(dir, name));
        if (st.isFile()) h.update(`${dir}/${name}:${st.size}:${st.mtimeMs}\n`);
      } catch {
        // removed between the listing and the stat
      }
    }
  }
  return h.digest('hex');
}
