import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SegmenterLookup } from './segmenter.ts';

/**
 * What answering needs and is slow to make, kept in the index directory beside the index: the stock
 * segmenter dictionary sorted for lookup (`segmenter.bin`) and the typo sound table (`sounds.json`).
 * Both are optional: a missing, stale or corrupt one is made again, and nothing is answered
 * differently without it, only later. A save replaces the index directory whole, so they never
 * outlive the index they were made for.
 */
const SEGMENTER = 'segmenter.bin';
const SOUNDS = 'sounds.json';

interface Warner {
  warn(obj: object, msg?: string): void;
}

function replace(dir: string, name: string, data: string | Buffer, log?: Warner): void {
  if (!existsSync(join(dir, 'manifest.json'))) return;
  const tmp = join(dir, `.${name}.tmp-${process.pid}`);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, join(dir, name));
  } catch (err) {
    // A read-only or full disk only makes the next start slower.
    log?.warn({ err: (err as Error).message, file: name }, 'could not save a cache beside the index');
  }
}

export const readCache = {
  segmenter(dir: string): SegmenterLookup | undefined {
    try {
      return SegmenterLookup.fromBinary(readFileSync(join(dir, SEGMENTER)));
    } catch {
      return undefined;
    }
  },
  /** The sound table made for the index built at `createdAt`. */
  sounds(dir: string, createdAt: string): Array<[string, string[]]> | undefined {
    try {
      const saved = JSON.parse(readFileSync(join(dir, SOUNDS), 'utf8')) as { index?: unknown; table?: unknown };
      if (saved.index !== createdAt || !Array.isArray(saved.table)) return undefined;
      const ok = saved.table.every((e) => Array.isArray(e) && typeof e[0] === 'string' && Array.isArray(e[1]) && e[1].every((w: unknown) => typeof w === 'string'));
      return ok ? (saved.table as Array<[string, string[]]>) : undefined;
    } catch {
      return undefined;
    }
  },
};

export const writeCache = {
  /** `lookup`: the one read at start, when there was one (else the stock dictionary is sorted, once a process). */
  segmenter(dir: string, lookup: SegmenterLookup | undefined, log?: Warner): void {
    replace(dir, SEGMENTER, (lookup ?? SegmenterLookup.fromStock()).toBinary(), log);
  },
  sounds(dir: string, createdAt: string, table: Array<[string, string[]]>, log?: Warner): void {
    replace(dir, SOUNDS, JSON.stringify({ index: createdAt, table }), log);
  },
};
