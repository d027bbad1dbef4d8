import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { foldWidth, loadLexicon, parseReport, readReportSources, type Lexicon, type Report, type ReportSource } from '../../src/corpus/index.ts';
import { DICT_DIR } from '../helpers/engine.ts';

/**
 * The 27 provincial reports exactly as published on the web (page chrome, full-width punctuation,
 * annexes), read with no .json beside them: what is detected must match sources.tsv, no chrome may
 * reach a sentence, every part is labelled with its period, and every offset slices the stored text.
 */
const FIXTURES = join(import.meta.dirname, '../fixtures/provinces-2026');

interface SourceRow {
  file: string;
  title: string;
  published: string;
}
const rows: SourceRow[] = readFileSync(join(FIXTURES, 'sources.tsv'), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((l) => {
    const [file = '', title = '', published = ''] = l.split('\t');
    return { file, title, published };
  });

let lexicon: Lexicon;
let sources: ReportSource[];
let reports: Map<string, Report>;
beforeAll(() => {
  lexicon = loadLexicon(DICT_DIR);
  sources = readReportSources(FIXTURES, lexicon);
  reports = new Map(sources.map((s) => [s.file, parseReport(s.text, s.meta, { chrome: lexicon.chrome })]));
});

/** Words of page chrome that never stand in a report's sentences as a line of their own. */
const CHROME = /^(?:下载|打印|全屏|收藏|加大|还原|减小|分享到?.*|相关报道.*|相关文档.*|来源[:：].*|时间[:：].*|【字[号体][:：]?|[大中小]|首页|>|】|×|.*记者.{0,12}摄)$/;

describe('27 provincial reports as published', () => {
  it('reads every report in the folder', () => {
    expect(sources).toHaveLength(27);
    expect(rows).toHaveLength(27);
    // Most pages carry navigation and buttons above the title; all of it is dropped and listed.
    expect([...reports.values()].filter((r) => r.dropped.some((d) => /^(?:下载|打印|您的位置|当前位置|分享)/.test(d))).length).toBeGreaterThan(20);
  });

  it('detects region and plan year as sources.tsv gives them, and a title that names both', () => {
    for (const row of rows) {
      const s = sources.find((x) => x.file === row.file)!;
      const region = /^\d{4}_(.+?)_/.exec(row.file)![1]!;
      const year = Number(row.file.slice(0, 4));
      expect(s.meta.region, row.file).toBe(region);
      expect(s.meta.year, row.file).toBe(year);
      expect(s.meta.level, row.file).toBe('province');
      // The page's own title, or — when the page's title leaves the region out (2026年政府工作报告) —
      // the same title completed with it.
      const short = lexicon.gazetteer.shortName(region);
      expect(s.meta.title.includes(short) && s.meta.title.includes(String(year)), `${row.file}: ${s.meta.title}`).toBe(true);
      if (row.title.includes(short)) expect(s.meta.title, row.file).toBe(row.title);
      expect(s.meta.id, row.file).toMatch(/^[a-z]+-2026$/);
    }
  });

  it('reads the date and meeting the report was delivered at', () => {
    for (const s of sources) {
      expect(s.meta.date, s.file).toMatch(/^2026-0[12]-\d{2}$/);
      expect(s.meta.meeting, s.file).toMatch(/人民代表大会第.次会议/);
      // Delivered before the page was published.
      const published = rows.find((r) => r.file === s.file)!.published;
      expect(s.meta.date! <= published, s.file).toBe(true);
    }
  });

  it('drops page chrome: no chrome line is a paragraph, and the title and meeting line are kept as front matter', () => {
    for (const [file, r] of reports) {
      for (const p of r.paragraphs) expect(CHROME.test(foldWidth(p.text).trim()), `${file}: ${p.text}`).toBe(false);
      expect(r.paragraphs[0]!.kind, `${file}: ${r.paragraphs[0]!.text}`).toBe('front');
      const front = r.paragraphs.filter((p) => p.kind === 'front');
      expect(front.some((p) => /人民代表大会/.test(p.text)), file).toBe(true);
      expect(front.every((p) => p.sectionPath.length === 0), file).toBe(true);
    }
  });

  it('keeps every report sentence: nothing after the front matter but chrome is dropped', () => {
    for (const [file, r] of reports) {
      for (const d of r.dropped) expect(d.length < 120 || /记者|摄/.test(d), `${file}: ${d.slice(0, 40)}`).toBe(true);
    }
  });

  it('labels the parts with their periods', () => {
    for (const [file, r] of reports) {
      const periods = new Set(r.paragraphs.map((p) => p.period));
      expect(periods.has('current'), file).toBe(true);
      expect(periods.has('last-year') || periods.has('five-year-review'), file).toBe(true);
      expect(periods.has('five-year-plan'), file).toBe(true);
      // The targets of this year stand in this year's plan.
      const targets = r.paragraphs.find((p) => /今年.{0,12}主要预期目标|主要预期目标[是为]?[:：]/.test(p.text));
      if (targets) expect(targets.period, `${file}: ${targets.text.slice(0, 30)}`).toBe('current');
      // A heading that names last year's review is labelled so.
      for (const s of r.sections.filter((x) => x.level === 1 && /^[一二三四五六七八九十]、2025年.*回顾/.test(x.title))) {
        expect(['last-year', 'five-year-review'], `${file}: ${s.title}`).toContain(s.period);
      }
      for (const s of r.sections.filter((x) => x.level === 1 && /^[一二三四五六七八九十]、“十五五”时期(?:的)?主要目标任务$/.test(x.title))) {
        expect(s.period, `${file}: ${s.title}`).toBe('five-year-plan');
      }
    }
  });

  it('reads the five-year review apart from last year inside one part (五年来, …)', () => {
    const shandong = reports.get('2026_山东省_政府工作报告.txt')!;
    const review = shandong.paragraphs.find((p) => p.text.includes('高铁里程由2110公里增至3055公里'))!;
    expect(review.period).toBe('five-year-review');
    const lastYear = shandong.paragraphs.find((p) => p.text.includes('地区生产总值增长5.5%、达到10.3万亿元'))!;
    expect(lastYear.period).toBe('last-year');
  });

  it('finds section headings written inline, with full-width brackets', () => {
    for (const [file, r] of reports) {
      const sections = r.sections.filter((s) => s.level === 2);
      expect(sections.length, file).toBeGreaterThan(3);
      for (const s of sections.filter((x) => x.inline)) {
        const p = r.paragraphs[s.heading]!;
        expect(p.text.startsWith(s.title), `${file}: ${s.title}`).toBe(true);
        expect(p.inlineHeading, file).toBeGreaterThan(0);
      }
    }
  });

  it('cuts sentences whose offsets slice the stored text exactly, on full-width terminators too', () => {
    for (const s of sources) {
      const r = reports.get(s.file)!;
      for (const p of r.paragraphs) expect(s.text.slice(p.start, p.end)).toBe(p.text);
      for (const x of r.sentences) expect(s.text.slice(x.start, x.end)).toBe(x.text);
      // No sentence runs over a full-width ！？； inside it, except within a quotation (“你好！重庆”).
      const unquoted = (t: string) => t.replace(/[”’」』）]+$/, '').replace(/“[^”]*”|「[^」]*」/g, '“”');
      for (const x of r.sentences) expect(/[！？；].+/.test(unquoted(x.text)), `${s.file}: ${x.text.slice(0, 30)}`).toBe(false);
    }
  });

  it('reads a district report that names itself by its short form (市北, 全区) without a .json', async () => {
    const { sourceOf } = await import('../../src/corpus/index.ts');
    const text = readFileSync(join(import.meta.dirname, '../../data/reports/qingdao-shibei-2025-work-report.txt'), 'utf8');
    const s = sourceOf('report.txt', text, {}, lexicon);
    expect(s.meta).toMatchObject({ region: '市北区', level: 'county', city: '青岛市', province: '山东省', year: 2025 });
  });

  it('serves a report whose region cannot be read under its file name instead of failing', async () => {
    const { sourceOf } = await import('../../src/corpus/index.ts');
    const s = sourceOf('某地报告.txt', '各位代表:\n一、2025年工作回顾\n过去一年,经济平稳。\n二、2026年工作安排\n今年要稳中求进。\n', {}, lexicon);
    expect(s.meta.region).toBe('某地报告');
    expect(s.meta.year).toBe(2026);
    expect(s.detected.from['region']).toMatch(/missing/);
  });

  it('reads a report with no .json beside it, and lets a .json override what it detects', async () => {
    const { sourceOf } = await import('../../src/corpus/index.ts');
    const text = readFileSync(join(FIXTURES, '2026_江苏省_政府工作报告.txt'), 'utf8');
    const plain = sourceOf('report.txt', text, {}, lexicon);
    expect(plain.meta).toMatchObject({ region: '江苏省', year: 2026, id: 'jiangsu-2026', title: '2026年江苏省政府工作报告' });
    const overridden = sourceOf('report.txt', text, { id: 'js', title: '江苏报告', region: '江苏省' }, lexicon);
    expect(overridden.meta).toMatchObject({ id: 'js', title: '江苏报告', region: '江苏省', year: 2026 });
  });
});
