import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, extname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Lexicon } from '../corpus/lexicon.ts';
import { parseSource, readOverrides, readReportSources, sourceOf, type ReportOverrides, type ReportSource } from '../corpus/load.ts';
import { PERIOD_LABEL } from '../corpus/periods.ts';
import type { Period, Report, ReportMeta } from '../corpus/types.ts';
import { EXTENSIONS, MAX_FILE_BYTES, tooLarge } from './formats.ts';
import { IngestError, type Dropped, type Format } from './types.ts';

/**
 * The reports directory as offices manage it. A report is stored as `<id>.txt` (its text, one
 * paragraph per line), `<id>.json` (what was detected, any overrides, and where it came from) and
 * the document it came from under `originals/`. Files of any supported format dropped straight into
 * the directory (the inbox) are added the same way at the next start or while running.
 *
 * Every write goes to a temporary file first and is renamed into place, the text last: a reader
 * sees the old report or the new one, never half of one.
 *
 * Writers take turns across processes (`npm run add`, `npm run remove`, a running server adding an
 * upload or a dropped file and rebuilding its index): each holds the directory's lock,
 * `.writers.lock`, while it writes the reports and the index built from them, so it builds over what
 * the writer before it wrote. Readers take no lock. A writer that was killed leaves its lock behind;
 * the next one takes it over (see {@link LOCK_STALE_MS}).
 */

export const ORIGINALS = 'originals';

/** The lock (a directory, made atomically) and who holds it, inside the reports directory. */
export const WRITERS_LOCK = '.writers.lock';
const LOCK_OWNER = `${WRITERS_LOCK}.owner`;

/**
 * A lock not refreshed for this long is taken over, whoever holds it (another machine on a shared
 * disk, a process whose number was reused). The holder refreshes it every {@link LOCK_UPDATE_MS},
 * but building the index holds the event loop for seconds at a time (5 s for 28 reports), so this is
 * far longer than that.
 */
export const LOCK_STALE_MS = 60_000;
/** A lock held by a process of this machine that no longer runs is taken over once it is this old. */
const DEAD_OWNER_STALE_MS = 2_000;
const LOCK_UPDATE_MS = 5_000;

/** Who holds the writers' lock, as it wrote when it took it. */
export interface LockHolder {
  pid: number;
  host: string;
  since: string;
}

/** What a writer hears about the lock while it waits for or holds it. */
export interface LockEvents {
  /** Another writer holds the lock; this one waits for it (said once per wait). */
  waiting?(holder: LockHolder | undefined): void;
  /** The lock was taken over while this writer held it (its process was stalled past the stale time). */
  lost?(err: Error): void;
}

/** The reports directories whose lock the current task holds, so its own adds do not wait for it. */
const holding = new AsyncLocalStorage<ReadonlySet<string>>();

export interface AddOverrides {
  title?: string;
  region?: string;
  year?: number;
}

export interface PeriodSummary {
  period: Period;
  label: string;
  paragraphs: number;
}

/** What adding a document did, for the person who added it. */
export interface Added {
  id: string;
  title: string;
  region: string;
  year: number;
  format: Format;
  /** The text file under the reports directory. */
  file: string;
  /** The report this one replaced (the same region and year, or the same text under other names). */
  replaced?: { id: string; title: string };
  paragraphs: number;
  periods: PeriodSummary[];
  /** Headings of the parts and sections, indented by level. */
  outline: string[];
  dropped: Dropped[];
  /** Where each field was read from (title line, meeting line, file name, override…). */
  detectedFrom: Record<string, string>;
  pages?: number;
  ms: number;
}

/** What a document would be added as (ReportLibrary.preview), with the parsed report for its targets. */
export interface Preview extends Omit<Added, 'file' | 'replaced'> {
  level?: string;
  replaced?: { id: string; title: string };
  report: Report;
}

export interface LibraryEntry {
  id: string;
  title: string;
  region: string;
  year: number;
  file: string;
  paragraphs: number;
  original?: { name: string; format: string; addedAt: string };
}

export interface InboxResult {
  added: Array<Added & { from: string }>;
  failed: Array<{ file: string; error: IngestError }>;
}

type LibraryLexicon = Pick<Lexicon, 'gazetteer' | 'chrome' | 'genre'>;

/**
 * Where every change is written first when the reports live in PostgreSQL (SEARCH_BACKEND=postgres):
 * a report is added or removed there in one transaction, then in the directory. A change the mirror
 * refuses leaves the directory as it was.
 */
export interface LibraryMirror {
  /** Adds or replaces a report from its text file's name, text and metadata file; `replaces` is removed with it. */
  put(file: string, text: string, json: object, replaces?: string): Promise<void>;
  /** Removes a report; what it was, or undefined when the mirror did not hold it. */
  remove(id: string): Promise<LibraryEntry | undefined>;
  /** How many reports the mirror holds. */
  count(): Promise<number>;
}

export class ReportLibrary {
  readonly dir: string;
  readonly #lexicon: () => LibraryLexicon;
  #loaded: LibraryLexicon | undefined;
  /** One change at a time in this process; the lock orders them with other processes. */
  private queue: Promise<unknown> = Promise.resolve();
  /** Inbox files that failed, by name, size and time, so a bad file is reported once, not on every scan. */
  private readonly failedInbox = new Set<string>();
  /** Set when the reports live in PostgreSQL: every change goes there first. */
  mirror: LibraryMirror | undefined;

  /**
   * `lexicon` may be a loader: listing the inbox (every start, every one-shot answer) then reads no
   * dictionary; it is loaded once, when a report is read or added.
   */
  constructor(dir: string, lexicon: LibraryLexicon | (() => LibraryLexicon)) {
    this.dir = dir;
    this.#lexicon = typeof lexicon === 'function' ? lexicon : () => lexicon;
  }

  /**
   * Runs `task` as the only writer of the reports directory and of the index built from it, across
   * processes: it waits for the writer before it to finish, and the add, remove and inbox scans it
   * makes run at once. Put a change and the index rebuild after it in one task, so the index is built
   * over what is on disk:
   *
   * ```ts
   * await library.exclusive(async () => {
   *   await library.add(name, bytes);
   *   await openEngine(config, logger, { rebuild: true });
   * });
   * ```
   */
  exclusive<T>(task: () => Promise<T>, events: LockEvents = {}): Promise<T> {
    const dir = resolve(this.dir);
    const held = holding.getStore();
    if (held?.has(dir)) return task();
    const locked = async (): Promise<T> => {
      const release = await lockWriters(dir, events);
      try {
        return await holding.run(new Set([...(held ?? []), dir]), task);
      } finally {
        await release();
      }
    };
    const run = this.queue.then(locked, locked);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private get lexicon(): LibraryLexicon {
    return (this.#loaded ??= this.#lexicon());
  }

  sources(): ReportSource[] {
    if (!existsSync(this.dir)) return [];
    return readReportSources(this.dir, this.lexicon, { allowEmpty: true });
  }

  list(): LibraryEntry[] {
    return this.sources().map((s) => {
      const json = join(this.dir, `${basename(s.file, '.txt')}.json`);
      const original = existsSync(json) ? safeOverrides(json).original : undefined;
      return {
        id: s.meta.id,
        title: s.meta.title,
        region: s.meta.region,
        year: s.meta.year,
        file: s.file,
        paragraphs: s.text.split('\n').filter((l) => l.trim()).length,
        ...(original ? { original: { name: original.name, format: original.format, addedAt: original.addedAt } } : {}),
      };
    });
  }

  /** Adds a document (any supported format) as a report, or replaces the report it is a new version of. */
  add(name: string, bytes: Uint8Array, overrides: AddOverrides = {}): Promise<Added> {
    return this.exclusive(() => this.addNow(name, bytes, overrides));
  }

  /**
   * What adding this document would read (title, region, year and where each came from, parts,
   * dropped page chrome, outline), writing nothing: the console's preview before "add". Throws the
   * same IngestError the add would (unsupported, too large, not a work report, a duplicate).
   */
  async preview(name: string, bytes: Uint8Array, overrides: AddOverrides = {}): Promise<Preview> {
    const t0 = performance.now();
    const read = await this.read(name, bytes, overrides);
    const { meta, report, extracted, replaced, source, given } = read;
    return {
      id: meta.id,
      title: meta.title,
      region: meta.region,
      year: meta.year,
      ...(meta.level ? { level: meta.level } : {}),
      format: extracted.format,
      ...(replaced ? { replaced: { id: replaced.meta.id, title: replaced.meta.title } } : {}),
      paragraphs: report.paragraphs.length,
      periods: periodsOf(report.paragraphs.map((p) => p.period), meta),
      outline: outlineOf(report),
      dropped: extracted.dropped,
      detectedFrom: { ...source.detected.from, ...Object.fromEntries(Object.keys(given).map((k) => [k, 'given'])) },
      ...(extracted.pages ? { pages: extracted.pages } : {}),
      ms: Math.round(performance.now() - t0),
      report,
    };
  }

  /** Reads a document as a report of this library, without writing anything. */
  private async read(name: string, bytes: Uint8Array, overrides: AddOverrides) {
    if (bytes.byteLength > MAX_FILE_BYTES) throw tooLarge(bytes.byteLength);
    // The extractors (pdfjs, mammoth, linkedom) load only when a document is added.
    const { checkGenre, extractDocument } = await import('./extract.ts');
    const extracted = await extractDocument(name, bytes);
    checkGenre(extracted.paragraphs, this.lexicon.genre);
    const text = `${extracted.paragraphs.join('\n')}\n`;
    const given: ReportOverrides = {
      ...(overrides.title ? { title: overrides.title } : {}),
      ...(overrides.region ? { region: overrides.region } : {}),
      ...(overrides.year ? { year: overrides.year } : {}),
    };
    const source = sourceOf(`${safeStem(name)}.txt`, text, given, this.lexicon);
    const meta = source.meta;
    if (!given.title && extracted.title && /政府工作报告/.test(extracted.title) && !source.detected.title) meta.title = extracted.title;

    const existing = this.sources();
    const digest = sha256(text.trim());
    const sameText = existing.find((s) => sha256(s.text.trim()) === digest);
    if (sameText && sameText.meta.id === meta.id && sameText.meta.title === meta.title) {
      throw new IngestError('duplicate', `这份报告已经载入(${sameText.meta.title}),无需重复添加。`, `same text as ${sameText.file}`);
    }
    const replaced = existing.find((s) => s.meta.id === meta.id) ?? sameText;
    const report = parseSource({ ...source, meta: { ...meta, file: `${meta.id}.txt` } }, this.lexicon);
    return { extracted, text, given, source, meta, replaced, report };
  }

  private async addNow(name: string, bytes: Uint8Array, overrides: AddOverrides): Promise<Added> {
    const t0 = performance.now();
    const { extracted, text, given, source, meta, replaced, report } = await this.read(name, bytes, overrides);

    const format = extracted.format;
    const ext = extname(name).toLowerCase() || `.${format}`;
    const stored = `${ORIGINALS}/${meta.id}${EXTENSIONS[ext] ? ext : `.${format}`}`;
    const json = {
      id: meta.id,
      title: meta.title,
      region: meta.region,
      year: meta.year,
      ...(meta.level ? { level: meta.level } : {}),
      ...(meta.city ? { city: meta.city } : {}),
      ...(meta.province ? { province: meta.province } : {}),
      ...(meta.date ? { date: meta.date } : {}),
      ...(meta.meeting ? { meeting: meta.meeting } : {}),
      ...(meta.speaker ? { speaker: meta.speaker } : {}),
      original: {
        name: basename(name),
        format,
        sha256: createHash('sha256').update(bytes).digest('hex'),
        bytes: bytes.byteLength,
        stored,
        addedAt: new Date().toISOString(),
      },
    };
    // PostgreSQL first: a change it refuses is not made at all.
    await this.mirror?.put(`${meta.id}.txt`, text, json, replaced && replaced.meta.id !== meta.id ? replaced.meta.id : undefined);
    mkdirSync(join(this.dir, ORIGINALS), { recursive: true });
    // Other originals of this id (an earlier DOCX when a PDF replaces it) go first.
    for (const f of readdirSync(join(this.dir, ORIGINALS))) {
      if (basename(f, extname(f)) === meta.id && `${ORIGINALS}/${f}` !== stored) rmSync(join(this.dir, ORIGINALS, f), { force: true });
    }
    writeAtomic(join(this.dir, stored), bytes);
    writeAtomic(join(this.dir, `${meta.id}.json`), `${JSON.stringify(json, null, 2)}\n`);
    writeAtomic(join(this.dir, `${meta.id}.txt`), text);
    if (replaced && replaced.file !== `${meta.id}.txt`) this.deleteFiles(replaced);

    return {
      id: meta.id,
      title: meta.title,
      region: meta.region,
      year: meta.year,
      format,
      file: `${meta.id}.txt`,
      ...(replaced ? { replaced: { id: replaced.meta.id, title: replaced.meta.title } } : {}),
      paragraphs: report.paragraphs.length,
      periods: periodsOf(report.paragraphs.map((p) => p.period), meta),
      outline: outlineOf(report),
      dropped: extracted.dropped,
      detectedFrom: { ...source.detected.from, ...Object.fromEntries(Object.keys(given).map((k) => [k, 'given'])) },
      ...(extracted.pages ? { pages: extracted.pages } : {}),
      ms: Math.round(performance.now() - t0),
    };
  }

  /** Removes a report by id (its text, metadata and original). The last report cannot be removed. */
  remove(id: string): Promise<LibraryEntry> {
    return this.exclusive(async () => {
      const all = this.list();
      const local = all.find((e) => e.id === id);
      const count = this.mirror ? await this.mirror.count() : all.length;
      if (count === 1 && (local || this.mirror)) throw new IngestError('unsupported', '这是唯一的一份报告,不能删除。请先添加其他报告。', 'last report');
      const mirrored = await this.mirror?.remove(id);
      const entry = local ?? mirrored;
      if (!entry) throw new IngestError('unsupported', `没有编号为 ${id} 的报告。`, `no report ${id}`);
      const source = this.sources().find((s) => s.meta.id === id);
      if (source) this.deleteFiles(source);
      return entry;
    });
  }

  private deleteFiles(source: ReportSource): void {
    const stem = basename(source.file, '.txt');
    // The text first: once it is gone the report is gone, whatever happens to the rest.
    rmSync(join(this.dir, source.file), { force: true });
    rmSync(join(this.dir, `${stem}.json`), { force: true });
    const originals = join(this.dir, ORIGINALS);
    if (existsSync(originals)) {
      for (const f of readdirSync(originals)) if (basename(f, extname(f)) === source.meta.id) rmSync(join(originals, f), { force: true });
    }
  }

  /** Documents dropped straight into the directory (any format but .txt, which is read as it is). */
  inbox(): string[] {
    if (!existsSync(this.dir)) return [];
    return readdirSync(this.dir)
      .filter((f) => !f.startsWith('.') && !f.includes('.tmp-'))
      .filter((f) => {
        const format = EXTENSIONS[extname(f).toLowerCase()];
        return format !== undefined && format !== 'txt';
      })
      .sort();
  }

  /**
   * Adds every document waiting in the inbox; each added file moves to `originals/`. A file that
   * cannot be added stays where it is and is reported once (until it changes).
   */
  syncInbox(): Promise<InboxResult> {
    return this.exclusive(async () => {
      const result: InboxResult = { added: [], failed: [] };
      for (const file of this.inbox()) {
        const path = join(this.dir, file);
        let key: string;
        try {
          const st = statSync(path);
          key = `${file}:${st.size}:${st.mtimeMs}`;
          if (this.failedInbox.has(key)) continue;
          if (st.size > MAX_FILE_BYTES) {
            this.failedInbox.add(key);
            result.failed.push({ file, error: tooLarge(st.size) });
            continue;
          }
        } catch {
          continue; // gone meanwhile
        }
        try {
          const added = await this.addNow(file, readFileSync(path), {});
          rmSync(path, { force: true });
          result.added.push({ ...added, from: file });
        } catch (err) {
          if (!(err instanceof IngestError)) throw err;
          this.failedInbox.add(key);
          result.failed.push({ file, error: err });
        }
      }
      return result;
    });
  }
}

/**
 * Takes the writers' lock of `dir`, waiting while another writer holds it; resolves to its release.
 * A directory this process may not write (mounted read-only) has no writers to wait for.
 */
async function lockWriters(dir: string, events: LockEvents): Promise<() => Promise<void>> {
  // Loaded with the first write: answering a question never takes the lock.
  const { lock } = await import('proper-lockfile');
  const owner = join(dir, LOCK_OWNER);
  let waited = false;
  for (let delay = 50; ; delay = Math.min(delay * 2, 500)) {
    const holder = readHolder(owner);
    let release: () => Promise<void>;
    try {
      mkdirSync(dir, { recursive: true });
      release = await lock(dir, {
        lockfilePath: join(dir, WRITERS_LOCK),
        realpath: false,
        stale: holder && isDead(holder) ? DEAD_OWNER_STALE_MS : LOCK_STALE_MS,
        update: LOCK_UPDATE_MS,
        onCompromised: (err) => events.lost?.(err),
      });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EROFS' || code === 'EACCES' || code === 'EPERM') return async () => undefined;
      if (code !== 'ELOCKED') throw err;
      if (!waited) events.waiting?.(holder);
      waited = true;
      await sleep(delay);
      continue;
    }
    const me: LockHolder = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
    writeFileSync(owner, `${JSON.stringify(me)}\n`);
    return async () => {
      rmSync(owner, { force: true });
      // A lock taken over meanwhile is no longer ours to release.
      await release().catch(() => undefined);
    };
  }
}

function readHolder(file: string): LockHolder | undefined {
  try {
    const h = JSON.parse(readFileSync(file, 'utf8')) as Partial<LockHolder>;
    return typeof h.pid === 'number' && typeof h.host === 'string' ? { pid: h.pid, host: h.host, since: String(h.since ?? '') } : undefined;
  } catch {
    return undefined; // no holder yet, or one writing the file just now
  }
}

/** Whether the holder was a process of this machine that no longer runs. */
function isDead(holder: LockHolder): boolean {
  if (holder.host !== hostname()) return false;
  try {
    process.kill(holder.pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** Headings of the parts and sections, indented by level. */
function outlineOf(report: Report): string[] {
  return report.sections.filter((s) => s.level <= 2).map((s) => `${s.level === 2 ? '  ' : ''}${s.title}`);
}

function periodsOf(periods: Period[], meta: ReportMeta): PeriodSummary[] {
  const counts = new Map<Period, number>();
  for (const p of periods) if (p !== 'front') counts.set(p, (counts.get(p) ?? 0) + 1);
  const label = (p: Period): string =>
    p === 'last-year' ? `${meta.year - 1}年工作回顾` : p === 'current' ? `${meta.year}年工作安排` : PERIOD_LABEL[p];
  return [...counts].map(([period, paragraphs]) => ({ period, label: label(period), paragraphs }));
}

function safeOverrides(file: string): ReportOverrides {
  try {
    return readOverrides(file);
  } catch {
    return {};
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A file name safe on every disk, kept recognisable for detection (it may hold the region and year). */
function safeStem(name: string): string {
  return basename(name, extname(name)).replace(/[\\/:*?"<>|\u0000-\u001f]/g, '_').slice(0, 80) || 'report';
}

/** Writes through a temporary file in the same directory and renames it into place. */
export function writeAtomic(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}
