import { appendFileSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { createEngine, type EngineLogger } from '../../src/answer/index.ts';
import { DICT_DIR, REPORTS_DIR } from '../helpers/engine.ts';

/** A logger that remembers what it was told. */
function recorder(): EngineLogger & { lines: Array<{ level: string; obj: unknown; msg?: string }> } {
  const lines: Array<{ level: string; obj: unknown; msg?: string }> = [];
  const at = (level: string) => (obj: object | string, msg?: string) => void lines.push({ level, obj, ...(msg ? { msg } : {}) });
  return { lines, info: at('info'), warn: at('warn'), error: at('error') };
}

let dir: string;
let reportsDir: string;
let dictDir: string;
let indexDir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'workplan-store-'));
  reportsDir = join(dir, 'reports');
  dictDir = join(dir, 'dict');
  indexDir = join(dir, 'index');
  cpSync(REPORTS_DIR, reportsDir, { recursive: true });
  cpSync(DICT_DIR, dictDir, { recursive: true });
});

const open = (logger = recorder()) => createEngine({ reportsDir, dictDir, indexDir, logger });

describe('index persistence', () => {
  it('builds when missing, saves a manifest, then loads without rebuilding', async () => {
    const first = await open();
    expect(first.info.rebuilt).toBe(true);
    expect(first.info.rebuildReason).toBe('no manifest.json');
    const manifest = JSON.parse(readFileSync(join(indexDir, 'manifest.json'), 'utf8'));
    expect(manifest.sources).toHaveLength(1);
    expect(manifest.embedder).toMatch(/^local-hash-v1/);
    expect(Object.keys(manifest.files)).toContain('vectors/hnswlib.index');
    for (const f of ['sentences.terms.json', 'sentences.postings.bin', 'paragraphs.terms.json', 'paragraphs.postings.bin', 'vectors/hnswlib.index', 'vectors/docstore.json', 'vectors/args.json']) {
      expect(existsSync(join(indexDir, f))).toBe(true);
    }

    const second = await open();
    expect(second.info.rebuilt).toBe(false);
    const a = await first.ask('今年新增多少托位');
    const b = await second.ask('今年新增多少托位');
    expect(b.answer).toBe(a.answer);
    expect(b.citations.map((c) => c.quote)).toEqual(a.citations.map((c) => c.quote));
  });

  it('rebuilds with a log line when a source report changes', async () => {
    await open();
    appendFileSync(join(reportsDir, 'qingdao-shibei-2025-work-report.txt'), '\n新增一段。');
    const log = recorder();
    const engine = await open(log);
    expect(engine.info.rebuildReason).toMatch(/changed/);
    // Out of date after a change is the normal case: a note, not a warning (a damaged index warns).
    expect(log.lines.some((l) => l.level === 'info' && /^the index is out of date \(source .+ changed\), updating it$/.test(l.msg ?? ''))).toBe(true);
    expect(log.lines.some((l) => l.level === 'warn')).toBe(false);
  });

  it('rebuilds when the dictionaries change', async () => {
    await open();
    appendFileSync(join(dictDir, 'words.txt'), '\n新词汇 100 n\n');
    expect((await open()).info.rebuildReason).toMatch(/dictionar|tokenizer/);
  });

  it('rebuilds a corrupt or truncated vector file instead of crashing', async () => {
    await open();
    truncateSync(join(indexDir, 'vectors/hnswlib.index'), 100);
    const engine = await open();
    expect(engine.info.rebuildReason).toMatch(/partial or corrupt/);
    expect((await engine.ask('加装电梯多少部')).found).toBe(true);
  });

  it('rebuilds a partial directory (a file missing) and a garbled manifest', async () => {
    await open();
    rmSync(join(indexDir, 'sentences.postings.bin'));
    expect((await open()).info.rebuildReason).toMatch(/missing/);
    writeFileSync(join(indexDir, 'manifest.json'), '{"formatVersion":');
    expect((await open()).info.rebuildReason).toMatch(/not valid JSON/);
  });

  it('rebuilds an index written by another format version', async () => {
    await open();
    const file = join(indexDir, 'manifest.json');
    const manifest = JSON.parse(readFileSync(file, 'utf8'));
    writeFileSync(file, JSON.stringify({ ...manifest, formatVersion: 0 }));
    expect((await open()).info.rebuildReason).toMatch(/format/);
  });

  it('rebuilds when the embedder changes', async () => {
    await open();
    const { LocalHashEmbeddings } = await import('../../src/search/index.ts');
    const engine = await createEngine({
      reportsDir,
      dictDir,
      indexDir,
      embeddings: ({ tokenizer, lexicon }) => new LocalHashEmbeddings({ tokenizer, synonymGroups: lexicon.synonymGroups, dimensions: 128 }),
    });
    expect(engine.info.rebuildReason).toMatch(/embedder changed/);
  });
});

describe('leftovers of an interrupted save', () => {
  it('are removed at start unless the process that wrote them still runs', async () => {
    const { cleanIndexLeftovers } = await import('../../src/search/store.ts');
    const { mkdirSync, mkdtempSync, readdirSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const parent = mkdtempSync(join(tmpdir(), 'wp-leftovers-'));
    for (const name of ['index', 'index.tmp-999999999-1', `index.old-${process.pid}-2`, 'index.tmp-1-3', 'index-other.tmp-5-5', 'index.tmpfile']) mkdirSync(join(parent, name));
    expect(cleanIndexLeftovers(join(parent, 'index')).sort()).toEqual([`index.old-${process.pid}-2`, 'index.tmp-999999999-1']);
    // pid 1 runs (it is init): its save may be in progress.
    expect(readdirSync(parent).sort()).toEqual(['index', 'index-other.tmp-5-5', 'index.tmp-1-3', 'index.tmpfile']);
  });
});
