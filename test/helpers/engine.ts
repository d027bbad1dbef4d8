import { copyFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createEngine, type Engine } from '../../src/answer/index.ts';

export const ROOT = resolve(import.meta.dirname, '../..');
export const REPORTS_DIR = join(ROOT, 'data/reports');
export const DICT_DIR = join(ROOT, 'data/dict');

let shared: Promise<Engine> | undefined;

/**
 * The real engine over the real report, with its index in a private temporary directory so parallel
 * test files never race on data/index. Built once per test file (process).
 */
export function testEngine(): Promise<Engine> {
  shared ??= createEngine({
    reportsDir: REPORTS_DIR,
    dictDir: DICT_DIR,
    indexDir: join(mkdtempSync(join(tmpdir(), 'workplan-index-')), 'index'),
  });
  return shared;
}

/**
 * Engines over one fixture report each (`test/fixtures/<file>`), read-only, built once per file and
 * kept for the test file; `work` is the test file's temporary directory.
 */
export function fixtureEngines(work: string): (file: string) => Promise<Engine> {
  const engines = new Map<string, Promise<Engine>>();
  return (file) => {
    let e = engines.get(file);
    if (!e) {
      const dir = join(work, `d${engines.size}`);
      mkdirSync(join(dir, 'r'), { recursive: true });
      copyFileSync(join(ROOT, 'test/fixtures', file), join(dir, 'r', file.split('/').pop()!));
      e = createEngine({ reportsDir: join(dir, 'r'), dictDir: DICT_DIR, indexDir: join(dir, 'i'), readOnly: true });
      engines.set(file, e);
    }
    return e;
  };
}
