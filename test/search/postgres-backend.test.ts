import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Answer, type Engine } from '../../src/answer/index.ts';
import { loadLexicon, type Lexicon } from '../../src/corpus/lexicon.ts';
import { readReportSources } from '../../src/corpus/load.ts';
import { loadDirectory, openSearchStore, prepareReports } from '../../src/search-backend.ts';
import type { PostgresSearchStore } from '../../src/search/postgres.ts';
import { LocalHashEmbeddings } from '../../src/search/embeddings.ts';
import { DICT_DIR, REPORTS_DIR, ROOT } from '../helpers/engine.ts';
import { createTestDatabase, type TestDatabase } from '../store/postgres.ts';

/**
 * SEARCH_BACKEND=postgres against the machine's PostgreSQL, a database per run: the 28 real reports
 * bulk-loaded, an engine assembled from what PostgreSQL holds answers every dev question exactly as
 * the memory index over the same folder does; one report's add, replace and remove touch that report.
 */
const PROVINCES = join(ROOT, 'test/fixtures/provinces-2026');
const SHIBEI = 'qingdao-shibei-2025-work-report.txt';

function folder(): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'workplan-pg-')), 'reports');
  mkdirSync(dir);
  for (const f of readdirSync(PROVINCES).filter((f) => /\.(txt|json)$/.test(f))) copyFileSync(join(PROVINCES, f), join(dir, f));
  for (const f of [SHIBEI, SHIBEI.replace(/\.txt$/, '.json')]) copyFileSync(join(REPORTS_DIR, f), join(dir, f));
  return dir;
}

/** Every dev question: the voices' (as asked with the place named, and without) and the 市北 set. */
function devQuestions(): string[] {
  const out = new Set<string>();
  const lines = (file: string): Array<Record<string, unknown>> =>
    readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Record<string, unknown>);
  for (const w of ['a', 'b', 'c', 'd']) {
    const dir = join(ROOT, 'test/eval/voices', w);
    for (const f of readdirSync(dir).filter((f) => f.endsWith('.jsonl'))) {
      for (const q of lines(join(dir, f))) for (const k of ['qPlace', 'q']) if (typeof q[k] === 'string') out.add(q[k] as string);
    }
  }
  for (const q of lines(join(ROOT, 'test/eval/questions.jsonl'))) if (typeof q['q'] === 'string') out.add(q['q'] as string);
  return [...out];
}

const strip = (a: Answer): Answer => ({ ...a, latencyMs: 0 });

let db: TestDatabase;
let store: PostgresSearchStore;
let lexicon: Lexicon;
let dir: string;

beforeAll(async () => {
  db = await createTestDatabase();
  store = await openSearchStore(db.url);
  lexicon = loadLexicon(DICT_DIR);
  dir = folder();
}, 60_000);

afterAll(async () => {
  await store?.close();
  await db?.drop();
});

describe('SEARCH_BACKEND=postgres', () => {
  let memory: Engine;
  let fromPg: Engine;

  it('bulk-loads the reports: one row per report, its sentences with tokens, its targets', async () => {
    const result = await loadDirectory(store, dir, lexicon, { only: 'all' });
    const sources = readReportSources(dir, lexicon);
    expect(result.written).toBe(sources.length);
    const [reports] = await db.query<{ n: string }>('SELECT count(*) AS n FROM search_reports');
    expect(Number(reports!.n)).toBe(sources.length);
    const [units] = await db.query<{ n: string; empty: string }>(`SELECT count(*) AS n, count(*) FILTER (WHERE tokens = ''::tsvector) AS empty FROM search_units`);
    memory = await createEngine({ reportsDir: dir, dictDir: DICT_DIR, indexDir: join(dir, '..', 'index'), readOnly: true });
    expect(Number(units!.n)).toBe(memory.info.units);
    const [targets] = await db.query<{ n: string }>('SELECT count(*) AS n FROM search_targets');
    expect(Number(targets!.n)).toBe(memory.targets().length);
    // Loading again adds nothing (a replica's start over a loaded database).
    expect((await loadDirectory(store, dir, lexicon, { only: 'missing' })).written).toBe(0);
  }, 300_000);

  it('answers every dev question exactly as the memory index does (every field but latencyMs)', async () => {
    const corpus = await store.load();
    let embedded = 0;
    fromPg = await createEngine({
      reportsDir: dir,
      dictDir: DICT_DIR,
      indexDir: join(dir, '..', 'index-pg'),
      stored: { sources: corpus.sources, parts: corpus.parts },
      // The local embedder, counting what it is asked to embed.
      embeddings: ({ tokenizer, lexicon }) => {
        const inner = new LocalHashEmbeddings({ tokenizer, synonymGroups: lexicon.synonymGroups });
        const embedDocuments = inner.embedDocuments.bind(inner);
        inner.embedDocuments = (texts: string[]) => ((embedded += texts.length), embedDocuments(texts));
        return inner;
      },
    });
    // Everything came from PostgreSQL: no sentence was embedded again.
    expect(embedded).toBe(0);
    expect(fromPg.info.documents).toEqual(memory.info.documents);
    const questions = devQuestions();
    expect(questions.length).toBeGreaterThan(1500);
    const differ: Array<{ q: string; memory: Answer; postgres: Answer }> = [];
    for (const q of questions) {
      const [a, b] = [strip(await memory.ask(q, { explain: true })), strip(await fromPg.ask(q, { explain: true }))];
      if (JSON.stringify(a) !== JSON.stringify(b)) differ.push({ q, memory: a, postgres: b });
    }
    expect(differ.slice(0, 3)).toEqual([]);
  }, 600_000);

  it('finds lexical candidates in SQL, scoped by region and year before ranking', async () => {
    const terms = fromPg.internals.tokenizer.terms('粮食产量');
    const all = await store.candidates(terms, {}, 50);
    expect(all.length).toBeGreaterThan(0);
    const jilin = await store.candidates(terms, { regions: ['吉林省'], years: [2026] }, 50);
    expect(jilin.length).toBeGreaterThan(0);
    expect(new Set(jilin.map((c) => c.report)).size).toBe(1);
    const id = fromPg.info.documents.find((d) => d.region === '吉林省')!.id;
    expect(jilin.every((c) => c.report === id)).toBe(true);
    expect(await store.candidates(terms, { regions: ['吉林省'], years: [1999] })).toEqual([]);
  });

  it('adds, replaces and removes one report in one transaction each, touching that report only', async () => {
    const before = await db.query<{ id: string; added_at: Date }>('SELECT id, added_at FROM search_reports ORDER BY id');
    const gen0 = await store.generation();
    const sources = readReportSources(dir, lexicon);
    const shibei = sources.find((s) => s.file === SHIBEI)!;
    const changed = { ...shibei, text: shibei.text.replace('增加普惠托位300个', '增加普惠托位320个') };
    const [prepared] = await prepareReports([changed], sources, lexicon);
    await store.put([prepared!]);
    expect(await store.generation()).toBe(gen0 + 1);
    const after = await db.query<{ id: string; added_at: Date }>('SELECT id, added_at FROM search_reports ORDER BY id');
    const moved = after.filter((r) => before.find((b) => b.id === r.id)?.added_at.getTime() !== r.added_at.getTime()).map((r) => r.id);
    expect(moved).toEqual([shibei.meta.id]);
    const corpus = await store.load();
    const e = await createEngine({ reportsDir: dir, dictDir: DICT_DIR, indexDir: join(dir, '..', 'index-pg2'), stored: { sources: corpus.sources, parts: corpus.parts } });
    expect((await e.ask('市北区今年新增多少托位')).answer).toContain('320个');

    // A put that fails (a report with the same file but a duplicate id cannot be written) leaves everything as it was.
    const broken = { ...prepared!, vectors: prepared!.vectors, targets: [{ ...prepared!.targets[0]!, indicator: null as unknown as string }] };
    await expect(store.put([broken])).rejects.toThrow();
    expect((await db.query('SELECT id FROM search_reports WHERE id = $1', [shibei.meta.id])).length).toBe(1);
    expect(await store.generation()).toBe(gen0 + 1);

    expect(await store.remove(shibei.meta.id)).toBe(true);
    expect(await db.query('SELECT 1 FROM search_units WHERE report_id = $1', [shibei.meta.id])).toEqual([]);
    expect(await db.query('SELECT 1 FROM search_targets WHERE report_id = $1', [shibei.meta.id])).toEqual([]);
    expect((await store.list()).length).toBe(before.length - 1);
    expect(await store.remove(shibei.meta.id)).toBe(false);
  }, 120_000);

  it('runs the migrations once when two replicas start at once', async () => {
    const other = await createTestDatabase();
    try {
      const [a, b] = await Promise.all([openSearchStore(other.url), openSearchStore(other.url)]);
      const rows = await other.query<{ version: number }>('SELECT version FROM search_migrations');
      expect(rows.map((r) => r.version)).toEqual([1]);
      await Promise.all([a.close(), b.close()]);
    } finally {
      await other.drop();
    }
  });
});
