import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/answer/index.ts';
import type { TargetView } from '../../src/targets/table.ts';
import { DICT_DIR, ROOT } from '../helpers/engine.ts';
import { buildApp } from './support.ts';

/**
 * GET /api/targets?format=csv over a report whose text carries formulas: a report as published, with
 * sentences that start with =, +, - and @ added, as a hostile or careless page could have them. The
 * CSV must not run in Excel or WPS, and must still read back to the report's text.
 */
const work = mkdtempSync(join(tmpdir(), 'workplan-api-targets-csv-'));
let app: ReturnType<typeof buildApp>['app'];

const HOSTILE = [
  '=HYPERLINK("http://evil.example/steal","点击查看")新增普惠托位6000个。',
  '+新增养老床位1万张。',
  '-新增普惠托位5000个。',
  '@SUM(1+1)城镇新增就业22万人。',
];

beforeAll(async () => {
  const dir = join(work, 'reports');
  mkdirSync(dir);
  const text = readFileSync(join(ROOT, 'test/fixtures/provinces-2026/2026_吉林省_政府工作报告.txt'), 'utf8');
  const before = '今年经济社会发展主要预期目标是';
  expect(text).toContain(before);
  writeFileSync(join(dir, '吉林省.txt'), text.replace(before, `${HOSTILE.join('\n')}\n${before}`));
  const engine = await createEngine({ reportsDir: dir, dictDir: DICT_DIR, indexDir: join(work, 'index'), readOnly: true });
  app = buildApp(engine).app;
}, 60_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** What the CSV's columns hold, in order (the header is checked against these words). */
const COLUMNS: Array<[string, (t: TargetView) => string | number | undefined]> = [
  ['报告', (t) => t.title],
  ['地区', (t) => t.region],
  ['年份', (t) => t.year],
  ['时段', (t) => t.years],
  ['报告年份', (t) => t.reportYear],
  ['类别', () => undefined],
  ['指标', (t) => t.indicator],
  ['报告用语', (t) => t.wording],
  ['数值', (t) => t.value],
  ['上限', (t) => t.high],
  ['单位', (t) => t.unit],
  ['限定', (t) => t.qualifier],
  ['原文数值', (t) => t.text],
  ['原句', (t) => t.quote],
];

describe('GET /api/targets?format=csv with formulas in the report text', () => {
  it('prefixes a single quote to every text cell that starts like a formula, keeps numbers as they are, and reads back to the same text', async () => {
    const json = ((await (await app.request('/api/targets?kind=target')).json()) as { targets: TargetView[] }).targets;
    const res = await app.request('/api/targets?kind=target&format=csv');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const body = Buffer.from(await res.arrayBuffer()).toString('utf8');
    expect(body.startsWith('\ufeff')).toBe(true);
    const [header, ...rows] = parse(body.slice(1)) as string[][];
    expect(header).toEqual(COLUMNS.map(([h]) => h));
    expect(rows).toHaveLength(json.length);

    // Every hostile sentence is in the download, neutralised.
    const quotes = rows.map((r) => r[COLUMNS.findIndex(([h]) => h === '原句')]!);
    for (const sentence of HOSTILE) expect(quotes).toContain(`'${sentence}`);

    let prefixed = 0;
    rows.forEach((row, i) => {
      COLUMNS.forEach(([name, field], col) => {
        const value = field(json[i]!);
        const cell = row[col]!;
        if (value === undefined) return;
        if (typeof value === 'number') {
          expect(cell, name).toBe(String(value));
          return;
        }
        // No cell a spreadsheet would run: =, +, -, @, tab or carriage return first means a quote before it.
        const dangerous = /^[=+\-@\t\r]/.test(value);
        expect(cell, `${name}: ${value}`).toBe(dangerous ? `'${value}` : value);
        expect(/^[=+\-@\t\r]/.test(cell)).toBe(false);
        // The visible text is the report's: what follows the quote.
        expect(dangerous ? cell.slice(1) : cell).toBe(value);
        if (dangerous) prefixed++;
      });
    });
    // Each hostile sentence, and the report's wording that starts with it (=HYPERLINK's wording starts after its comma).
    expect(prefixed).toBeGreaterThan(HOSTILE.length);
  });
});
