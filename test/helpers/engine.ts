import { mkdtempSync } from 'node:fs';
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
