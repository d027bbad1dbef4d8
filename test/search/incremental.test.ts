import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEngine, type Answer, type Engine } from '../../src/answer/index.ts';
import type { Manifest } from '../../src/search/store.ts';
import { DICT_DIR, REPORTS_DIR, ROOT } from '../helpers/engine.ts';

const PROVINCES = join(ROOT, 'test/fixtures/provinces-2026');
// 上海 sorts before the others, so adding it moves every other report's units.
const FIRST = '2026_上海市_政府工作报告.txt';
const OTHERS = ['2026_河北省_政府工作报告.txt', '2026_吉林省_政府工作报告.txt'];
const QUESTIONS = ['河北今年GDP增长目标是多少', '吉林去年粮食产量多少', '上海今年城镇新增就业目标多少', '市北区今年新增多少托位', '吉林今年要办哪些民生实事'];

function folder(files: string[]): { reportsDir: string; indexDir: string } {
  const root = mkdtempSync(join(tmpdir(), 'workplan-incr-'));
  const reportsDir = join(root, 'reports');
  mkdirSync(reportsDir);
  for (const f of files) copyFileSync(join(PROVINCES, f), join(reportsDir, f));
  copyFileSync(join(REPORTS_DIR, 'qingdao-shibei-2025-work-report.txt'), join(reportsDir, 'qingdao-shibei-2025-work-report.txt'));
  return { reportsDir, indexDir: join(root, 'index') };
}

async function open(dirs: { reportsDir: string; indexDir: string }, rebuild = false): Promise<{ engine: Engine; embedded: number }> {
  let embedded = 0;
  const engine = await createEngine({ ...dirs, dictDir: DICT_DIR, rebuild, onProgress: (_, total) => (embedded = total) });
  return { engine, embedded };
}

const strip = (a: Answer) => ({ ...a, latencyMs: 0 });
const manifest = (indexDir: string): Manifest => JSON.parse(readFileSync(join(indexDir, 'manifest.json'), 'utf8')) as Manifest;

describe('adding a report to a saved index costs about one report', () => {
  it('embeds only the new report, keeps the others’ vector labels, and answers as a fresh build does', async () => {
    const dirs = folder(OTHERS);
    const first = await open(dirs);
    const before = manifest(dirs.indexDir);
    copyFileSync(join(PROVINCES, FIRST), join(dirs.reportsDir, FIRST));
    const added = await open(dirs);
    const shanghai = added.engine.info.documents.findIndex((d) => d.file === FIRST);
    expect(shanghai).toBe(0);
    expect(added.embedded).toBe(added.engine.info.units - first.engine.info.units);
    const after = manifest(dirs.indexDir);
    // The old reports keep their labels; the new one's come after them.
    const labelOf = (m: Manifest, file: string) => m.labels[m.sources.findIndex((s) => s.file === file)];
    for (const s of before.sources) expect(labelOf(after, s.file)).toBe(labelOf(before, s.file));
    expect(labelOf(after, FIRST)).toBe(first.engine.info.units);
    // The save replaced the index directory; what makes the next start fast is beside the new one.
    expect(existsSync(join(dirs.indexDir, 'segmenter.bin'))).toBe(true);

    const fresh = await open(folder([...OTHERS, FIRST]));
    expect(fresh.embedded).toBe(fresh.engine.info.units);
    for (const q of QUESTIONS) expect(strip(await added.engine.ask(q)), q).toEqual(strip(await fresh.engine.ask(q)));
    // And the index saved by the incremental build loads and answers the same.
    const reloaded = await open(dirs);
    expect(reloaded.engine.info.rebuilt).toBe(false);
    for (const q of QUESTIONS) expect(strip(await reloaded.engine.ask(q)), q).toEqual(strip(await fresh.engine.ask(q)));
  });

  it('a report removed or changed embeds everything again; a damaged part is made again', async () => {
    const dirs = folder([...OTHERS, FIRST]);
    const all = await open(dirs);
    rmSync(join(dirs.reportsDir, OTHERS[1]!));
    const removed = await open(dirs);
    expect(removed.embedded).toBe(removed.engine.info.units);
    // Labels numbered afresh, in report order.
    const labels = manifest(dirs.indexDir).labels;
    expect(labels[0]).toBe(0);
    expect(labels.every((l, i) => i === 0 || l > labels[i - 1]!)).toBe(true);
    expect(removed.engine.info.units).toBeLessThan(all.engine.info.units);

    // Damage one report's saved part: the next build makes it again instead of trusting it.
    const m = manifest(dirs.indexDir);
    const part = Object.keys(m.parts!).find((n) => n.endsWith('sentences.postings.bin'))!;
    writeFileSync(join(dirs.indexDir, part), Buffer.alloc(16));
    copyFileSync(join(PROVINCES, OTHERS[1]!), join(dirs.reportsDir, OTHERS[1]!));
    const again = await open(dirs);
    const fresh = await open(folder([...OTHERS, FIRST]));
    for (const q of QUESTIONS) expect(strip(await again.engine.ask(q)), q).toEqual(strip(await fresh.engine.ask(q)));
  });

  it('a rebuild asked for (npm run index) makes everything afresh', async () => {
    const dirs = folder(OTHERS);
    await open(dirs);
    const again = await open(dirs, true);
    expect(again.embedded).toBe(again.engine.info.units);
  });
});
