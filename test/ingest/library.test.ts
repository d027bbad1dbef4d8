import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/answer/index.ts';
import { loadLexicon } from '../../src/corpus/lexicon.ts';
import { sentenceAgreement } from '../../src/ingest/agreement.ts';
import { ReportLibrary } from '../../src/ingest/library.ts';
import { IngestError } from '../../src/ingest/types.ts';
import { DICT_DIR, ROOT } from '../helpers/engine.ts';
import { docxToPdf, hasLibreOffice, makeDocx, paragraphsOf } from '../helpers/documents.ts';

/**
 * Adding a report in each format an office has it: the stored text matches the `.txt` of the same
 * report sentence for sentence, and the same questions get the same answers.
 */

const FIXTURES = join(ROOT, 'test/fixtures/provinces-2026');
const NAME = '2026_吉林省_政府工作报告';
const lexicon = loadLexicon(DICT_DIR);
const tmp = mkdtempSync(join(tmpdir(), 'wp-library-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const text = readFileSync(join(FIXTURES, `${NAME}.txt`), 'utf8');
const paragraphs = paragraphsOf(text);
const title = '2026年吉林省政府工作报告';
/** The report without the page chrome the .txt kept from its web page (下载, 打印, 【字号…】). */
const body = paragraphs.slice(paragraphs.indexOf(title) + 1);
const questions = readFileSync(join(ROOT, 'test/eval/provinces', `${NAME}.jsonl`), 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => (JSON.parse(l) as { q: string }).q);

function htmlPage(): Buffer {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  return Buffer.from(
    `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${title}_吉林省人民政府</title><script>var nav=1;</script></head><body>` +
      `<header><nav>${['首页', '要闻动态', '政务公开', '政务服务', '互动交流', '走进吉林'].map((n) => `<a href="#">${n}</a>`).join('')}</nav></header>` +
      `<div class="crumb">首页 &gt; 要闻动态 &gt; 正文</div><article><h1>${title}</h1>` +
      body.map((p) => `<p style="text-indent:2em">${esc(p)}</p>`).join('\n') +
      `</article><footer><p>版权所有:吉林省人民政府办公厅</p><p>吉ICP备05002795号</p></footer></body></html>`,
  );
}

let dirCounter = 0;
function freshLibrary(): ReportLibrary {
  const dir = join(tmp, `reports-${dirCounter++}`);
  mkdirSync(dir, { recursive: true });
  return new ReportLibrary(dir, lexicon);
}

async function engineOver(dir: string): Promise<Engine> {
  return createEngine({ reportsDir: dir, dictDir: DICT_DIR, indexDir: join(dir, '..', `index-${dirCounter++}`), readOnly: true });
}

const reasonOf = async (p: Promise<unknown>): Promise<string> => {
  try {
    await p;
  } catch (err) {
    if (err instanceof IngestError) return err.reason;
    throw err;
  }
  return 'added';
};

describe('adding a report from each format', () => {
  let docx: Buffer;
  let pdf: Buffer;
  let reference: Engine;
  beforeAll(async () => {
    docx = await makeDocx(paragraphs, { header: title, pageNumbers: true, title });
    if (hasLibreOffice) pdf = await docxToPdf(docx, 'jilin');
    const dir = join(tmp, 'reference');
    mkdirSync(dir);
    copyFileSync(join(FIXTURES, `${NAME}.txt`), join(dir, `${NAME}.txt`));
    reference = await engineOver(dir);
  }, 180_000);

  const formats: Array<[string, () => Buffer]> = [
    ['jilin.docx', () => docx],
    ['jilin.pdf', () => pdf],
    ['jilin.html', htmlPage],
    ['jilin.md', () => Buffer.from(paragraphs.map((p) => (/^[一二三四五六七八九十]+、/.test(p) ? `## ${p}` : p)).join('\n\n'))],
    ['jilin.txt', () => Buffer.from(text)],
  ];

  for (const [file, bytes] of formats) {
    it.skipIf(file.endsWith('.pdf') && !hasLibreOffice)(`${file}: the stored text matches the .txt, the report is detected, and the answers are the same`, async () => {
      const library = freshLibrary();
      const added = await library.add(file, bytes());
      expect(added).toMatchObject({ id: 'jilin-2026', region: '吉林省', year: 2026, file: 'jilin-2026.txt' });
      expect(added.periods.map((p) => p.period)).toEqual(expect.arrayContaining(['last-year', 'current', 'five-year-plan']));
      expect(added.outline[0]).toMatch(/^一、/);

      const stored = readFileSync(join(library.dir, added.file), 'utf8');
      const agreement = sentenceAgreement(file.endsWith('.html') ? body : paragraphs, paragraphsOf(stored));
      expect(agreement.ratio, agreement.missing.join('\n')).toBeGreaterThanOrEqual(0.98);
      // The original is kept beside the text, and the metadata says where the text came from.
      const meta = JSON.parse(readFileSync(join(library.dir, 'jilin-2026.json'), 'utf8'));
      expect(meta.original).toMatchObject({ name: file, stored: `originals/jilin-2026${file.slice(file.lastIndexOf('.'))}` });
      expect(existsSync(join(library.dir, meta.original.stored))).toBe(true);

      const engine = await engineOver(library.dir);
      let same = 0;
      for (const q of questions) {
        const [a, b] = [await reference.ask(q), await engine.ask(q)];
        if (a.found === b.found && a.answer === b.answer) same++;
      }
      expect(same / questions.length).toBeGreaterThanOrEqual(0.95);
    });
  }

  it('re-adding the same document is refused as a duplicate; a new version replaces the old one', async () => {
    const library = freshLibrary();
    await library.add('jilin.docx', docx);
    const before = readdirSync(library.dir).sort();
    expect(await reasonOf(library.add('copy.docx', docx))).toBe('duplicate');
    expect(readdirSync(library.dir).sort()).toEqual(before);

    const revised = await makeDocx([...paragraphs, '附:名词解释。'], { title });
    const [name, bytes] = hasLibreOffice ? ['jilin-v2.pdf', await docxToPdf(revised, 'v2')] : ['jilin-v2.html', htmlPage()];
    const again = await library.add(name, bytes);
    expect(again.replaced).toEqual({ id: 'jilin-2026', title });
    expect(library.list().map((e) => e.id)).toEqual(['jilin-2026']);
    // The DOCX original gave way to the new one.
    expect(readdirSync(join(library.dir, 'originals'))).toEqual([`jilin-2026${name.slice(name.lastIndexOf('.'))}`]);
  }, 60_000);

  it('--region/--year/--title override what was detected', async () => {
    const library = freshLibrary();
    const added = await library.add('x.docx', docx, { region: '长春市', year: 2025, title: '长春市政府工作报告(测试)' });
    expect(added).toMatchObject({ region: '长春市', year: 2025, title: '长春市政府工作报告(测试)', id: 'changchun-2025' });
    expect(added.detectedFrom).toMatchObject({ region: 'given', year: 'given', title: 'given' });
  });

  it('removes by id, but never the last report', async () => {
    const library = freshLibrary();
    await library.add('jilin.docx', docx);
    copyFileSync(join(FIXTURES, '2026_广东省_政府工作报告.txt'), join(library.dir, 'guangdong.txt'));
    expect(library.list().map((e) => e.id).sort()).toEqual(['guangdong-2026', 'jilin-2026']);
    const removed = await library.remove('jilin-2026');
    expect(removed.title).toBe(title);
    expect(readdirSync(library.dir).filter((f) => f !== 'originals').sort()).toEqual(['guangdong.txt']);
    expect(readdirSync(join(library.dir, 'originals'))).toEqual([]);
    expect(await reasonOf(library.remove('guangdong-2026'))).toBe('unsupported');
    expect(await reasonOf(library.remove('no-such-report'))).toBe('unsupported');
    expect(library.list()).toHaveLength(1);
  });

  it('adds documents dropped into the directory and moves them under originals/; a bad one is reported once and left alone', async () => {
    const library = freshLibrary();
    writeFileSync(join(library.dir, '吉林报告.docx'), docx);
    writeFileSync(join(library.dir, 'scan.pdf'), Buffer.from('%PDF-1.4\n% broken\n'));
    const first = await library.syncInbox();
    expect(first.added.map((a) => [a.from, a.id])).toEqual([['吉林报告.docx', 'jilin-2026']]);
    expect(first.failed.map((f) => [f.file, f.error.reason])).toEqual([['scan.pdf', 'corrupt']]);
    expect(readdirSync(library.dir).sort()).toEqual(['jilin-2026.json', 'jilin-2026.txt', 'originals', 'scan.pdf']);
    const second = await library.syncInbox();
    expect(second).toEqual({ added: [], failed: [] });
  });
});

describe('files that are not a report change nothing', () => {
  const cases: Array<[string, string, () => Buffer | Promise<Buffer>]> = [
    ['empty.docx', 'corrupt', () => Buffer.alloc(0)],
    ['notes.txt', 'not-a-work-report', () => Buffer.from('会议纪要\n今天下午三点在三楼会议室开会,讨论办公用品采购事宜。\n'.repeat(40))],
    ['novel.docx', 'not-a-work-report', () => makeDocx(Array.from({ length: 60 }, (_, i) => `第${i + 1}章 他走进那间屋子,窗外的雨下了一整夜,灯光照在桌上的旧信封上,信里写着很多年前的事情。`))],
    ['home.html', 'no-report', () => Buffer.from(`<html><head><title>某某省人民政府</title></head><body><nav>${'<a href="#">政务公开</a>'.repeat(20)}</nav><ul>${'<li><a href="#">省政府召开常务会议</a></li>'.repeat(10)}</ul><footer>版权所有</footer></body></html>`)],
    ['report.xlsx', 'unsupported', () => Buffer.from('PK\u0003\u0004 spreadsheet')],
    ['report.doc', 'unsupported', () => Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(1024)])],
    ['fake.pdf', 'corrupt', () => Buffer.from('<html>not a pdf</html>')],
  ];
  for (const [file, reason, bytes] of cases) {
    it(`${file} → ${reason}, with a message for the sender and no file written`, async () => {
      const library = freshLibrary();
      let error: unknown;
      try {
        await library.add(file, await bytes());
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(IngestError);
      const e = error as IngestError;
      expect([reason, reason === 'corrupt' ? 'empty' : reason]).toContain(e.reason);
      expect(e.userMessage).toMatch(/^[\p{Script=Han}“(]/u);
      expect(readdirSync(library.dir)).toEqual([]);
    });
  }
});
