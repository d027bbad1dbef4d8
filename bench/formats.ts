import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createEngine, type Engine } from '../src/answer/index.ts';
import { loadLexicon } from '../src/corpus/lexicon.ts';
import { sentenceAgreement, servedParagraphs } from '../src/ingest/agreement.ts';
import { ReportLibrary } from '../src/ingest/library.ts';
import { docxToPdf, makeDocx, paragraphsOf } from '../test/helpers/documents.ts';

/**
 * `npm run bench:formats`: each report of a folder turned into the formats offices have (a DOCX
 * written with the docx library, the PDF LibreOffice prints from it, a government-style web page),
 * added with `npm run add`'s code, and compared with the `.txt` of the same report: sentence
 * agreement of the text the engine serves, the share of its questions answered identically, and the time to add it.
 *
 *   npm run bench:formats                          the 27 provincial reports
 *   npm run bench:formats -- --only 吉林,广东       a few of them
 */
const { values } = parseArgs({
  options: {
    reports: { type: 'string', default: 'test/fixtures/provinces-2026' },
    questions: { type: 'string', default: 'test/eval/provinces' },
    only: { type: 'string' },
  },
});

const DICT = resolve('data/dict');
const lexicon = loadLexicon(DICT);
const work = mkdtempSync(join(tmpdir(), 'wp-formats-'));
const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

function webPage(title: string, body: string[]): Buffer {
  const nav = ['首页', '要闻动态', '政务公开', '政务服务', '互动交流', '数据发布', '走进本省'].map((n) => `<li><a href="#">${n}</a></li>`).join('');
  return Buffer.from(
    `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${esc(title)}_人民政府门户网站</title><script>var _hmt=[];</script><style>p{text-indent:2em}</style></head><body>` +
      `<header><div class="logo">人民政府门户网站</div><nav><ul>${nav}</ul></nav></header><div class="crumb">首页 &gt; 要闻动态 &gt; 正文</div>` +
      `<div class="article"><h1>${esc(title)}</h1><div class="info">来源:本站 发布时间:2026-02-01</div><div class="content">` +
      body.map((p) => `<p>${esc(p)}</p>`).join('\n') +
      `</div><div class="share">分享到:微信 微博</div></div><ul class="related"><li><a href="#">上一篇:全省经济运行情况</a></li></ul>` +
      `<footer><p>主办:人民政府办公厅 版权所有</p><p>ICP备05000000号</p></footer></body></html>`,
  );
}

interface Row {
  report: string;
  cells: Record<string, { agreement: number; same: number; ms: number; pages?: number }>;
}

const names = readdirSync(values.reports!)
  .filter((f) => f.endsWith('.txt'))
  .filter((f) => !values.only || values.only.split(',').some((o) => f.includes(o)))
  .sort();
const FORMATS = ['docx', 'pdf', 'html'] as const;
let n = 0;
const engineOf = (dir: string): Promise<Engine> => createEngine({ reportsDir: dir, dictDir: DICT, indexDir: join(work, `index-${n++}`), readOnly: true });

async function main(): Promise<void> {
  const rows: Row[] = [];
  for (const file of names) {
    const name = file.replace(/\.txt$/, '');
    const text = readFileSync(join(values.reports!, file), 'utf8');
    const paragraphs = paragraphsOf(text);
    const titleAt = paragraphs.findIndex((p) => /政府工作报告$/.test(p));
    const title = paragraphs[titleAt] ?? name;
    const body = titleAt >= 0 ? paragraphs.slice(titleAt + 1) : paragraphs;
    const questions = readFileSync(join(values.questions!, `${name}.jsonl`), 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { q: string }).q);

    const refDir = join(work, `ref-${n++}`);
    mkdirSync(refDir);
    copyFileSync(join(values.reports!, file), join(refDir, file));
    const reference = await engineOf(refDir);
    const expected = await Promise.all(questions.map((q) => reference.ask(q)));

    const docx = await makeDocx(paragraphs, { header: title, pageNumbers: true, title });
    const bytes: Record<(typeof FORMATS)[number], Buffer> = { docx, pdf: await docxToPdf(docx, 'report'), html: webPage(title, body) };
    const row: Row = { report: name.replace(/^2026_|_政府工作报告$/g, ''), cells: {} };
    for (const format of FORMATS) {
      const dir = join(work, `${format}-${n++}`);
      mkdirSync(dir);
      const added = await new ReportLibrary(dir, lexicon).add(`${name}.${format}`, bytes[format]);
      // Compared on what the engine serves: the toolbar words and 来源/时间 lines the .txt kept from
      // its web page are dropped by the parser there and by the extractor here.
      const agreement = sentenceAgreement(servedParagraphs(text, lexicon), servedParagraphs(readFileSync(join(dir, added.file), 'utf8'), lexicon)).ratio;
      const engine = await engineOf(dir);
      let same = 0;
      for (const [i, q] of questions.entries()) {
        const a = await engine.ask(q);
        if (a.found === expected[i]!.found && a.answer === expected[i]!.answer) same++;
      }
      row.cells[format] = { agreement, same: same / questions.length, ms: added.ms, ...(added.pages ? { pages: added.pages } : {}) };
    }
    rows.push(row);
    process.stderr.write(`${row.report} `);
  }
  process.stderr.write('\n\n');

  const f3 = (x: number): string => x.toFixed(3);
  const header = `| report | ${FORMATS.map((f) => `${f} agreement | ${f} same answers | ${f} add ms`).join(' | ')} | pdf pages |`;
  const lines = [header, `|${'---|'.repeat(FORMATS.length * 3 + 2)}`];
  for (const r of rows) {
    lines.push(`| ${r.report} | ${FORMATS.map((f) => `${f3(r.cells[f]!.agreement)} | ${f3(r.cells[f]!.same)} | ${r.cells[f]!.ms}`).join(' | ')} | ${r.cells['pdf']!.pages ?? ''} |`);
  }
  const stat = (f: string, k: 'agreement' | 'same' | 'ms', how: 'min' | 'median' | 'max'): number => {
    const xs = rows.map((r) => r.cells[f]![k]).sort((a, b) => a - b);
    return how === 'min' ? xs[0]! : how === 'max' ? xs[xs.length - 1]! : xs[Math.floor(xs.length / 2)]!;
  };
  for (const how of ['min', 'median', 'max'] as const) {
    lines.push(`| **${how}** | ${FORMATS.map((f) => `${f3(stat(f, 'agreement', how))} | ${f3(stat(f, 'same', how))} | ${stat(f, 'ms', how)}`).join(' | ')} | |`);
  }
  process.stdout.write(`Formats: ${rows.length} reports, each added as DOCX, PDF (LibreOffice) and a web page, against its .txt\n\n${lines.join('\n')}\n`);
}

main()
  .finally(() => rmSync(work, { recursive: true, force: true }))
  .catch((err: unknown) => {
    process.stderr.write(`${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(1);
  });
