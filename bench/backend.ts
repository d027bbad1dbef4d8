import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createEngine, type Engine } from '../src/answer/index.ts';
import { loadLexicon } from '../src/corpus/lexicon.ts';
import { readReportSources } from '../src/corpus/load.ts';
import { loadDirectory, openSearchStore, prepareReports, toolsFor } from '../src/search-backend.ts';
import { districtName, rng } from './synthetic.ts';

/**
 * `npm run bench -- --backend memory|postgres --scale N`: a national-like corpus of N reports made
 * from the 28 real ones (27 provinces and 市北区), each copy under another place name with its figures
 * scaled by a seeded factor, loaded into one backend; prints one table row:
 *   bulk load (reports/s), one report added (ms), seen by a second replica (ms), ask p50/p99 with the
 *   place named (ms), RSS of the replica (MB), database size (MB).
 * The postgres run makes its own database on BENCH_PG_URL (default the machine's, database `test`)
 * and drops it at the end.
 */
const { values } = parseArgs({
  options: { backend: { type: 'string', default: 'memory' }, scale: { type: 'string', default: '100' }, questions: { type: 'string', default: '200' } },
  allowPositionals: true,
});
const ROOT = resolve(import.meta.dirname, '..');
const DICT = join(ROOT, 'data/dict');
const N = Number(values.scale);
const backend = values.backend!;
const ADMIN = process.env['BENCH_PG_URL'] ?? 'postgres://root@127.0.0.1:5432/test';

/** Writes N reports: the real ones first, then copies under other place names with other figures. */
function corpus(n: number, dir: string): Array<{ id: string; place: string }> {
  const lexicon = loadLexicon(DICT);
  const realDir = mkdtempSync(join(tmpdir(), 'workplan-real-'));
  const provinces = join(ROOT, 'test/fixtures/provinces-2026');
  for (const f of readdirSync(provinces).filter((f) => f.endsWith('.txt'))) copyFileSync(join(provinces, f), join(realDir, f));
  for (const f of ['qingdao-shibei-2025-work-report.txt', 'qingdao-shibei-2025-work-report.json']) copyFileSync(join(ROOT, 'data/reports', f), join(realDir, f));
  const real = readReportSources(realDir, lexicon);
  rmSync(realDir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const out: Array<{ id: string; place: string }> = [];
  for (let i = 0; i < n; i++) {
    const src = real[i % real.length]!;
    const random = rng(i + 1);
    const region = src.meta.region;
    const short = lexicon.gazetteer.shortName(region);
    const name = i < real.length ? region : districtName(i);
    const nameShort = name.replace(/区$/, '');
    let body = src.text;
    if (i >= real.length) {
      body = body.replaceAll(region, name).replaceAll(short, nameShort);
      body = body.replace(/\d+(?:\.\d+)?/g, (m) => {
        if (/^20\d\d$/.test(m)) return m;
        const scaled = Number(m) * (0.5 + random() * 1.5);
        return m.includes('.') ? scaled.toFixed(1) : String(Math.max(1, Math.round(scaled)));
      });
    }
    const id = `r${String(i).padStart(5, '0')}`;
    writeFileSync(join(dir, `${id}.txt`), body);
    writeFileSync(join(dir, `${id}.json`), JSON.stringify({ id, title: `${name}${src.meta.year}年政府工作报告`, region: name, year: src.meta.year }));
    out.push({ id, place: i < real.length ? short : nameShort });
  }
  return out;
}

const TEMPLATES = ['{p}今年GDP增长目标是多少', '{p}去年城镇新增就业多少人', '{p}今年要办哪些民生实事', '{p}粮食产量多少'];

async function askAll(engine: Engine, places: string[], count: number): Promise<{ p50: number; p99: number }> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const q = TEMPLATES[i % TEMPLATES.length]!.replace('{p}', places[(i * 7919) % places.length]!);
    const t = performance.now();
    await engine.ask(q);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { p50: times[Math.floor(times.length * 0.5)]!, p99: times[Math.min(times.length - 1, Math.floor(times.length * 0.99))]! };
}

const rssMb = (): number => process.memoryUsage().rss / 2 ** 20;
const f = (x: number): string => (x < 10 ? x.toFixed(2) : x.toFixed(0));

const work = mkdtempSync(join(tmpdir(), `workplan-bench-${backend}-`));
const reportsDir = join(work, 'reports');
const all = corpus(N + 1, reportsDir);
// The last one is the report added after the bulk load.
const extra = all.pop()!;
const extraFiles = [`${extra.id}.txt`, `${extra.id}.json`];
const held = join(work, 'held');
mkdirSync(held);
for (const f of extraFiles) {
  copyFileSync(join(reportsDir, f), join(held, f));
  rmSync(join(reportsDir, f));
}
const places = all.map((a) => a.place);
const row: Record<string, string> = { backend, reports: String(N) };

if (backend === 'memory') {
  const indexDir = join(work, 'index');
  let t = performance.now();
  let engine = await createEngine({ reportsDir, dictDir: DICT, indexDir });
  const loadS = (performance.now() - t) / 1000;
  row['bulk load (reports/s)'] = (N / loadS).toFixed(1);
  const asked = await askAll(engine, places, Number(values.questions));
  row['ask p50 ms'] = f(asked.p50);
  row['ask p99 ms'] = f(asked.p99);
  row['RSS MB'] = rssMb().toFixed(0);
  for (const f of extraFiles) copyFileSync(join(held, f), join(reportsDir, f));
  t = performance.now();
  engine = await createEngine({ reportsDir, dictDir: DICT, indexDir });
  const addMs = performance.now() - t;
  row['add one report ms'] = addMs.toFixed(0);
  // Another process answers the new report once it has loaded the saved index.
  t = performance.now();
  await createEngine({ reportsDir, dictDir: DICT, indexDir, readOnly: true });
  row['seen by a 2nd replica ms'] = (addMs + performance.now() - t).toFixed(0);
  row['database MB'] = '–';
} else {
  const name = `wp_bench_${process.pid}`;
  const admin = async (sql: string): Promise<void> => {
    const c = new pg.Client({ connectionString: ADMIN });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin(`CREATE DATABASE ${name}`);
  const u = new URL(ADMIN);
  u.pathname = `/${name}`;
  const url = u.toString();
  const lexicon = loadLexicon(DICT);
  const store = await openSearchStore(url);
  try {
    let t = performance.now();
    await loadDirectory(store, reportsDir, lexicon, { only: 'all' });
    const loadS = (performance.now() - t) / 1000;
    row['bulk load (reports/s)'] = (N / loadS).toFixed(1);
    const assemble = async (): Promise<Engine> => {
      const c = await store.load();
      return createEngine({ reportsDir, dictDir: DICT, indexDir: join(work, 'index'), stored: { sources: c.sources, parts: c.parts } });
    };
    t = performance.now();
    const engine = await assemble();
    const assembleMs = performance.now() - t;
    const asked = await askAll(engine, places, Number(values.questions));
    row['ask p50 ms'] = f(asked.p50);
    row['ask p99 ms'] = f(asked.p99);
    row['RSS MB'] = rssMb().toFixed(0);
    // One report added through PostgreSQL (cut with the quoted names of all), as the mirror does.
    const source = readReportSources(held, lexicon)[0]!;
    const sources = [...(await store.sources()), source];
    const tools = toolsFor(sources, lexicon);
    t = performance.now();
    const seen = new Promise<number>((resolve) => void store.listen(() => resolve(performance.now())));
    await new Promise((r) => setTimeout(r, 200));
    t = performance.now();
    await store.put(await prepareReports([source], sources, lexicon, undefined, tools));
    const addMs = performance.now() - t;
    row['add one report ms'] = addMs.toFixed(0);
    const heard = await seen;
    const second = await assemble();
    const ok = second.info.documents.some((d) => d.id === extra.id);
    row['seen by a 2nd replica ms'] = `${(performance.now() - t).toFixed(0)}${ok ? '' : ' (not seen!)'}`;
    void heard;
    void assembleMs;
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    const { rows } = await c.query<{ b: string }>('SELECT pg_database_size(current_database()) AS b');
    await c.end();
    row['database MB'] = (Number(rows[0]!.b) / 2 ** 20).toFixed(0);
    row['engine assembled ms'] = assembleMs.toFixed(0);
  } finally {
    await store.close();
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}
rmSync(work, { recursive: true, force: true });
const keys = Object.keys(row);
console.log(`| ${keys.join(' | ')} |`);
console.log(`|${keys.map(() => '---').join('|')}|`);
console.log(`| ${keys.map((k) => row[k]).join(' | ')} |`);
