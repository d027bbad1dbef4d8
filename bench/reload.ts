import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createEngine, type Engine } from '../src/answer/index.ts';

/**
 * One reload as a running server does it: an engine serves N-1 reports, one report is added, and a
 * new engine is built beside the serving one (the old one keeps answering until the swap). Prints
 * one JSON line: the time of the first build, of the reload, and peak RSS before and during it.
 * Run in its own process (bench/run.ts) so the peak is the reload's.
 */
const { values } = parseArgs({ options: { reports: { type: 'string', default: 'test/fixtures/provinces-2026' }, dict: { type: 'string', default: 'data/dict' } } });
const source = resolve(values.reports!);
const files = readdirSync(source).filter((f) => f.endsWith('.txt')).sort();
const work = mkdtempSync(join(tmpdir(), 'workplan-reload-'));
const reportsDir = join(work, 'reports');
const indexDir = join(work, 'index');
const { mkdirSync } = await import('node:fs');
mkdirSync(reportsDir);
for (const f of files.slice(1)) copyFileSync(join(source, f), join(reportsDir, f));

let peak = 0;
const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
const open = (): Promise<Engine> => createEngine({ reportsDir, dictDir: resolve(values.dict!), indexDir, logger: { info() {}, warn() {}, error() {} } });
let t = performance.now();
const serving = await open();
const firstMs = performance.now() - t;
await serving.ask('今年GDP增长目标是多少');
global.gc?.();
const rssBefore = process.memoryUsage().rss;
peak = rssBefore;
copyFileSync(join(source, files[0]!), join(reportsDir, files[0]!));
t = performance.now();
const next = await open();
const reloadMs = performance.now() - t;
const peakDuring = peak;
await serving.ask('今年GDP增长目标是多少');
await next.ask('今年GDP增长目标是多少');
clearInterval(sample);
console.log(JSON.stringify({ reports: files.length, firstMs, reloadMs, rssBeforeMb: rssBefore / 2 ** 20, peakDuringMb: peakDuring / 2 ** 20, units: next.info.units }));
rmSync(work, { recursive: true, force: true });
