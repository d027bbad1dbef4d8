import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/answer/index.ts';
import { loadLexicon } from '../../src/corpus/lexicon.ts';
import { LOCK_STALE_MS, ReportLibrary, WRITERS_LOCK } from '../../src/ingest/library.ts';
import { LiveEngine, Reloader } from '../../src/server/live.ts';
import { runCli } from '../helpers/cli.ts';
import { DICT_DIR, ROOT } from '../helpers/engine.ts';
import { silentLogger } from '../server/support.ts';

/**
 * The reports directory's writers' lock: a writer waits for the one holding it, readers never do,
 * a task's own adds do not wait for it, and a lock nobody refreshes any more is taken over.
 */

const work = mkdtempSync(join(tmpdir(), 'workplan-lock-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const lexicon = loadLexicon(DICT_DIR);
const LEVELS = join(ROOT, 'test/fixtures/levels');
const CHINA_2019 = join(LEVELS, '2019_国务院_政府工作报告.txt');

function dataDir(): { data: string; reports: string; env: Record<string, string> } {
  const data = mkdtempSync(join(work, 'data-'));
  const reports = join(data, 'reports');
  mkdirSync(reports);
  for (const f of readdirSync(join(ROOT, 'data/reports'))) copyFileSync(join(ROOT, 'data/reports', f), join(reports, f));
  return { data, reports, env: { DATA_DIR: data, DICT_DIR, LOG_LEVEL: 'info', LOG_FORMAT: '' } };
}

/** A CLI child process whose output can be watched while it runs. */
function startCli(args: string[], env: Record<string, string>): { child: ChildProcess; stderr: () => string; done: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli.ts'), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  return { child, stderr: () => stderr, done: new Promise((resolve) => child.once('close', resolve)) };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1200; i++) {
    if (condition()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`gave up waiting for ${what}`);
}

/** Holds the lock of `reports` as another writer would, until the returned function is called. */
async function holdLock(reports: string): Promise<() => Promise<void>> {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let taken!: () => void;
  const held = new Promise<void>((r) => (taken = r));
  const task = new ReportLibrary(reports, lexicon).exclusive(async () => {
    taken();
    await gate;
  });
  await held;
  return async () => {
    release();
    await task;
  };
}

describe('the writers’ lock', () => {
  it('an add waits for the writer holding the lock, and a question is answered meanwhile', async () => {
    const { reports, env } = dataDir();
    const release = await holdLock(reports);
    const add = startCli(['add', CHINA_2019], env);
    await until(() => add.stderr().includes('正在修改报告或索引'), 'the add to say it waits');

    const asked = await runCli(['ask', '--json', '今年新增多少托位'], { env });
    expect(asked.code).toBe(0);
    expect(JSON.parse(asked.stdout)).toMatchObject({ found: true });
    expect(add.child.exitCode, 'the add went ahead while another writer held the lock').toBeNull();
    expect(existsSync(join(reports, 'china-2019.txt'))).toBe(false);

    await release();
    expect(await add.done).toBe(0);
    expect(existsSync(join(reports, 'china-2019.txt'))).toBe(true);
  }, 120_000);

  it('a task’s own adds and inbox scans, from any library of the directory, do not wait for its lock', async () => {
    const { reports } = dataDir();
    const library = new ReportLibrary(reports, lexicon);
    const text = readFileSync(CHINA_2019, 'utf8');
    const ids = await library.exclusive(async () => {
      const added = await library.add('2019_国务院_政府工作报告.txt', Buffer.from(text));
      // As `npm run index` does: the engine's own library scans the inbox inside the command's turn.
      writeFileSync(join(reports, '2021_保定市_政府工作报告.md'), readFileSync(join(LEVELS, '2021_保定市_政府工作报告.txt')));
      const inbox = await new ReportLibrary(reports, lexicon).syncInbox();
      return [added.id, ...inbox.added.map((a) => a.id)];
    });
    expect(ids).toEqual(['china-2019', 'baoding-2021']);
    expect(existsSync(join(reports, WRITERS_LOCK))).toBe(false);
  });

  it('npm run index adds what waits in the inbox under its own lock', async () => {
    const { reports, env } = dataDir();
    writeFileSync(join(reports, '2019_国务院_政府工作报告.md'), readFileSync(CHINA_2019));
    const indexed = await runCli(['index'], { env });
    expect(indexed.code, indexed.stderr).toBe(0);
    expect(indexed.stdout).toContain('索引已建立:2 份文件');
    expect(existsSync(join(reports, WRITERS_LOCK))).toBe(false);
  }, 60_000);

  it('a lock nobody has refreshed for the stale time is taken over, whoever left it', async () => {
    const { reports } = dataDir();
    const lock = join(reports, WRITERS_LOCK);
    mkdirSync(lock);
    // Left by a writer on another machine sharing the disk, which then died.
    writeFileSync(join(reports, `${WRITERS_LOCK}.owner`), JSON.stringify({ pid: 1, host: 'elsewhere', since: '2026-01-01T00:00:00Z' }));
    const past = new Date(Date.now() - 2 * LOCK_STALE_MS);
    utimesSync(lock, past, past);
    const library = new ReportLibrary(reports, lexicon);
    const added = await library.add('2019_国务院_政府工作报告.txt', readFileSync(CHINA_2019));
    expect(added.id).toBe('china-2019');
    expect(existsSync(lock)).toBe(false);
  });

  it('a server’s reload takes its turn: it waits for the writer holding the lock, and holds it while it rebuilds', async () => {
    const { data, reports } = dataDir();
    const build = () => createEngine({ reportsDir: reports, dictDir: DICT_DIR, indexDir: join(data, 'index'), logger: silentLogger });
    let opening: () => void = () => undefined;
    let letOpen: () => void = () => undefined;
    const open = async () => {
      opening();
      await new Promise<void>((r) => (letOpen = r));
      return build();
    };
    const library = new ReportLibrary(reports, lexicon);
    const live = new LiveEngine(await build());
    const reloader = new Reloader({ live, library, open, watched: { reports, dict: DICT_DIR }, logger: silentLogger });

    // A writer holds the lock: the reload waits for it, then reads what it wrote.
    const release = await holdLock(reports);
    let outcome: string | undefined;
    const opened = new Promise<void>((r) => (opening = r));
    const reloading = reloader.reload('test').then((o) => (outcome = o));
    await new Promise((r) => setTimeout(r, 300));
    expect(outcome, 'the reload went ahead while another writer held the lock').toBeUndefined();
    copyFileSync(CHINA_2019, join(reports, '2019_国务院_政府工作报告.txt'));
    await release();

    // While the reload builds its engine (and saves the index), another writer waits for it.
    await opened;
    let wrote = false;
    const writer = new ReportLibrary(reports, lexicon).exclusive(async () => {
      wrote = true;
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(wrote, 'a writer went ahead while the reload was building').toBe(false);
    letOpen();
    await Promise.all([reloading, writer]);
    expect(outcome).toBe('swapped');
    expect(wrote).toBe(true);
    expect(live.info.documents.map((d) => d.id).sort()).toEqual(['china-2019', 'shibei-2025']);
    await reloader.close();
  }, 60_000);
});
