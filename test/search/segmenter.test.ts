import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../src/answer/index.ts';
import { loadLexicon } from '../../src/corpus/index.ts';
import { SegmenterLookup } from '../../src/search/segmenter.ts';
import { createTokenizer } from '../../src/search/index.ts';
import { DICT_DIR, REPORTS_DIR, ROOT } from '../helpers/engine.ts';

const lexicon = loadLexicon(DICT_DIR);
const lookup = SegmenterLookup.fromBinary(SegmenterLookup.fromStock().toBinary())!;

/** Questions of every voice (dev writers) and every sentence of the default report. */
function samples(): string[] {
  const out: string[] = [];
  for (const writer of ['a', 'b']) {
    const dir = join(ROOT, 'test/eval/voices', writer);
    for (const f of readdirSync(dir)) {
      for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) if (line.trim()) out.push((JSON.parse(line) as { q: string }).q);
    }
  }
  const report = readFileSync(join(REPORTS_DIR, readdirSync(REPORTS_DIR).find((f) => f.endsWith('.txt'))!), 'utf8');
  out.push(...report.split(/(?<=[。;；！？\n])/).map((s) => s.trim()).filter(Boolean));
  out.push('', '   ', 'GDP增长5.5%左右', 'How many new jobs?', '今年財政收入目標是多少', '托为多少个😀', '\uE000混入私用区字符', '十四五期间gdp年均增长目标多少');
  return out;
}

describe('segmenter lookup', () => {
  it('cuts, tags and indexes every text exactly as the whole dictionary does', () => {
    const words = [...lexicon.dictionary, '就享家 2000 nz', '十四五 1000 n'];
    const whole = createTokenizer({ words });
    const quick = createTokenizer({ words, lookup, perTextBudgetMs: Infinity });
    // Longer texts are cut with the whole dictionary anyway.
    const texts = samples().filter((t) => t.length <= 240);
    expect(texts.length).toBeGreaterThan(300);
    for (const t of texts) {
      expect(quick.cut(t), t).toEqual(whole.cut(t));
      expect(quick.tag(t), t).toEqual(whole.tag(t));
      expect(quick.terms(t), t).toEqual(whole.terms(t));
    }
    expect(quick.whole).toBe(false);
    expect(whole.whole).toBe(true);
  });

  it('keeps a stock word’s tag when the domain dictionary gives it a new frequency, as jieba does', () => {
    const words = ['十四五 2000 n'];
    const t = '十四五规划纲要';
    expect(createTokenizer({ words, lookup }).tag(t)).toEqual(createTokenizer({ words }).tag(t));
  });

  it('reads back what it saved and refuses data that is corrupt or made from another dictionary', () => {
    const saved = lookup.toBinary();
    expect(SegmenterLookup.fromBinary(saved)?.count).toBe(lookup.count);
    const flipped = Buffer.from(saved);
    flipped.writeUInt8(flipped.readUInt8(flipped.length - 100) ^ 0xff, flipped.length - 100);
    expect(SegmenterLookup.fromBinary(flipped)).toBeUndefined();
    expect(SegmenterLookup.fromBinary(saved.subarray(0, saved.length - 7))).toBeUndefined();
    expect(SegmenterLookup.fromBinary(Buffer.from('not a lookup at all'))).toBeUndefined();
    // Another stock dictionary: the key inside differs.
    const other = Buffer.from(saved);
    other.write('X', 16 + 5, 'latin1');
    expect(SegmenterLookup.fromBinary(other)).toBeUndefined();
  });
});

describe('what answering needs, saved beside the index', () => {
  it('an engine on a saved index reads the segmenter and sound table and answers exactly as one that made them', async () => {
    const indexDir = join(mkdtempSync(join(tmpdir(), 'workplan-seg-')), 'index');
    const first = await createEngine({ reportsDir: REPORTS_DIR, dictDir: DICT_DIR, indexDir });
    expect(existsSync(join(indexDir, 'segmenter.bin'))).toBe(true);
    expect(existsSync(join(indexDir, 'sounds.json'))).toBe(true);
    const second = await createEngine({ reportsDir: REPORTS_DIR, dictDir: DICT_DIR, indexDir });
    expect(second.info.rebuilt).toBe(false);
    for (const q of ['今年新增多少托位', '旧楼加电梯今年搞多少部', '今年托为新增多少', '去年GDP增长多少', '你好']) {
      const [a, b] = [await first.ask(q), await second.ask(q)];
      expect({ ...b, latencyMs: 0 }, q).toEqual({ ...a, latencyMs: 0 });
    }
  });

  it('a corrupt or foreign cache is ignored and made again, and answers do not change', async () => {
    const indexDir = join(mkdtempSync(join(tmpdir(), 'workplan-seg-')), 'index');
    const first = await createEngine({ reportsDir: REPORTS_DIR, dictDir: DICT_DIR, indexDir });
    const expected = await first.ask('今年托为新增多少');
    writeFileSync(join(indexDir, 'segmenter.bin'), 'garbage');
    writeFileSync(join(indexDir, 'sounds.json'), JSON.stringify({ index: 'another index', table: [['tuo wei', ['别的']]] }));
    const copy = join(mkdtempSync(join(tmpdir(), 'workplan-seg-')), 'index');
    cpSync(indexDir, copy, { recursive: true });
    const again = await createEngine({ reportsDir: REPORTS_DIR, dictDir: DICT_DIR, indexDir: copy });
    expect(again.info.rebuilt).toBe(false);
    expect({ ...(await again.ask('今年托为新增多少')), latencyMs: 0 }).toEqual({ ...expected, latencyMs: 0 });
    expect(SegmenterLookup.fromBinary(readFileSync(join(copy, 'segmenter.bin')))).toBeDefined();
    expect(JSON.parse(readFileSync(join(copy, 'sounds.json'), 'utf8')).index).toBe(again.info.indexBuiltAt);
  });
});
