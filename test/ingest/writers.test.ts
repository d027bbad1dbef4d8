import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { ROOT } from '../helpers/engine.ts';

/**
 * Writers of the reports folder and its index take turns, across processes: `npm run add` and
 * `npm run remove` started together each see what the one before wrote, run as the real CLI.
 */

const work = mkdtempSync(join(tmpdir(), 'workplan-writers-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const LEVELS = join(ROOT, 'test/fixtures/levels');
const FILES = ['2019_国务院_政府工作报告.txt', '2021_保定市_政府工作报告.txt', '2022_博野县_政府工作报告.txt', '2020_清苑区_政府工作报告.txt'];

/** A data directory holding the 市北 report, and copies of the documents to add (outside it). */
function setup(): { env: Record<string, string>; reports: string; files: string[] } {
  const data = mkdtempSync(join(work, 'data-'));
  const reports = join(data, 'reports');
  mkdirSync(reports);
  for (const f of readdirSync(join(ROOT, 'data/reports'))) copyFileSync(join(ROOT, 'data/reports', f), join(reports, f));
  const inbox = mkdtempSync(join(work, 'files-'));
  const files = FILES.map((f) => {
    copyFileSync(join(LEVELS, f), join(inbox, f));
    return join(inbox, f);
  });
  return { env: { DATA_DIR: data, DICT_DIR: join(ROOT, 'data/dict'), LOG_LEVEL: 'info', LOG_FORMAT: '' }, reports, files };
}

const texts = (reports: string): string[] => readdirSync(reports).filter((f) => f.endsWith('.txt')).sort();
const manifestSources = (data: string): string[] =>
  (JSON.parse(readFileSync(join(data, 'index', 'manifest.json'), 'utf8')) as { sources: Array<{ file: string }> }).sources.map((s) => s.file).sort();
const indexedCount = (stdout: string): number => Number(/索引已更新:(\d+) 份报告/.exec(stdout)?.[1]);

describe('writers take turns', () => {
  it('four adds started at once end with all four reports on disk and in the index, each counting what was there', async () => {
    const { env, reports, files } = setup();
    const runs = await Promise.all(files.map((f) => runCli(['add', f], { env })));
    for (const r of runs) {
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).not.toContain('index unusable');
      expect(r.stderr).not.toContain('{"level"');
    }
    // One after the other: each rebuilt the index over the reports added before it, and its own.
    expect(runs.map((r) => indexedCount(r.stdout)).sort()).toEqual([2, 3, 4, 5]);

    const listed = await runCli(['reports', '--json'], { env });
    expect((JSON.parse(listed.stdout) as Array<{ id: string }>).map((e) => e.id).sort()).toEqual(
      ['baoding-2021', 'baoding-boye-2022', 'baoding-qingyuan-2020', 'china-2019', 'shibei-2025'],
    );
    expect(texts(reports)).toHaveLength(5);
    // The saved index is the one of the five reports: a question loads it as it is, with nothing to say.
    expect(manifestSources(env['DATA_DIR']!)).toEqual(texts(reports));
    const asked = await runCli(['ask', '--json', '今年新增多少托位'], { env });
    expect(JSON.parse(asked.stdout)).toMatchObject({ found: true });
    expect(asked.stderr).toBe('');
  }, 180_000);

  it('an add and a remove started together both land', async () => {
    const { env, reports, files } = setup();
    const first = await runCli(['add', files[0]!], { env });
    expect(first.code, first.stderr).toBe(0);
    const [added, removed] = await Promise.all([runCli(['add', files[1]!], { env }), runCli(['remove', 'china-2019'], { env })]);
    expect(added.code, added.stderr).toBe(0);
    expect(removed.code, removed.stderr).toBe(0);
    expect(added.stderr + removed.stderr).not.toContain('index unusable');
    expect(texts(reports)).toEqual(['baoding-2021.txt', 'qingdao-shibei-2025-work-report.txt']);
    expect(manifestSources(env['DATA_DIR']!)).toEqual(texts(reports));
  }, 120_000);

  it('a normal add says nothing about the index it updates; a damaged index is still a warning', async () => {
    const { env, files } = setup();
    const first = await runCli(['add', files[0]!], { env });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toBe('');
    writeFileSync(join(env['DATA_DIR']!, 'index', 'manifest.json'), '{ not json');
    const second = await runCli(['add', files[1]!], { env });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toContain('warning: index unusable, rebuilding (manifest.json is not valid JSON)');
  }, 120_000);

  it('a lock left by a writer that was killed is taken over', async () => {
    const { env, reports, files } = setup();
    // An add killed (SIGKILL: no exit handler runs) while it holds the lock.
    const victim = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli.ts'), 'add', files[0]!], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: 'ignore',
    });
    const owner = join(reports, '.writers.lock.owner');
    const exited = new Promise((resolve) => victim.once('exit', resolve));
    for (let i = 0; i < 3000 && !existsSync(owner) && victim.exitCode === null; i++) await new Promise((r) => setTimeout(r, 5));
    victim.kill('SIGKILL');
    await exited;
    expect(existsSync(join(reports, '.writers.lock')), 'the killed add left its lock behind').toBe(true);

    const next = await runCli(['add', files[1]!], { env });
    expect(next.code, next.stderr).toBe(0);
    expect(next.stderr).toContain('正在修改报告或索引,等它完成后继续');
    expect(next.stderr).not.toContain('index unusable');
    expect(texts(reports)).toContain('baoding-2021.txt');
    expect(indexedCount(next.stdout)).toBe(texts(reports).length);
    expect(manifestSources(env['DATA_DIR']!)).toEqual(texts(reports));
    expect(existsSync(join(reports, '.writers.lock'))).toBe(false);
  }, 120_000);
});
