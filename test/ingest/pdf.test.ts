import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { deflateSync } from 'node:zlib';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { sentenceAgreement } from '../../src/ingest/agreement.ts';
import { extractPdf } from '../../src/ingest/pdf.ts';
import { IngestError, type Extracted } from '../../src/ingest/types.ts';
import { docxToPdf, hasLibreOffice, makeDocx, paragraphsOf } from '../helpers/documents.ts';

/**
 * PDFs as offices print them: reports written to DOCX (first-line indents, a running header with the
 * report's title, "- 3 -" in the footer) and printed by LibreOffice, which wraps lines mid-sentence and
 * puts a visual gap between 2026 and 年. Extraction must give back the report's paragraphs.
 */

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'provinces-2026');
/** Three layouts: web-page chrome and many short lines (吉林), a long report with notes (广东), 上海. */
const REPORTS = ['吉林省', '广东省', '上海市'];

interface Printed {
  name: string;
  paragraphs: string[];
  header: string;
  pdf: Buffer;
  result: Extracted;
  ms: number;
}

async function printReport(name: string): Promise<Omit<Printed, 'result' | 'ms'>> {
  const file = readdirSync(FIXTURES).find((f) => f.includes(name) && f.endsWith('.txt'));
  if (!file) throw new Error(`no fixture for ${name}`);
  const paragraphs = paragraphsOf(readFileSync(join(FIXTURES, file), 'utf8'));
  const header = paragraphs.find((p) => /政府工作报告$/.test(p)) ?? `${name}政府工作报告`;
  const docx = await makeDocx(paragraphs, { header, pageNumbers: true, title: paragraphs[0] ?? '' });
  return { name, paragraphs, header, pdf: await docxToPdf(docx, name) };
}

const run = promisify(execFile);

/** Prints a DOCX to a PDF that opens only with a password, with LibreOffice's PDF export options. */
async function docxToEncryptedPdf(docx: Buffer, password: string): Promise<Buffer> {
  const dir = mkdtempSync(join(tmpdir(), 'wp-pdf-enc-'));
  try {
    const input = join(dir, 'secret.docx');
    writeFileSync(input, docx);
    const options = JSON.stringify({
      EncryptFile: { type: 'boolean', value: 'true' },
      DocumentOpenPassword: { type: 'string', value: password },
    });
    await run(
      'libreoffice',
      [`-env:UserInstallation=file://${join(dir, 'profile')}`, '--headless', '--convert-to', `pdf:writer_pdf_Export:${options}`, '--outdir', dir, input],
      { timeout: 120_000 },
    );
    return readFileSync(join(dir, 'secret.pdf'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const b of bytes) c = (CRC_TABLE[(c ^ b) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A grey-scale PNG that looks like a scanned page: white paper with dark bars for lines of text. */
function scannedPagePng(width: number, height: number): Buffer {
  const rows: Buffer[] = [];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(width + 1, 0xff); // filter byte 0, then white pixels
    row[0] = 0;
    const inLine = y > 20 && y < height - 20 && y % 12 < 6;
    if (inLine) for (let x = 20; x < width - 20; x++) row[x + 1] = (x * 7 + y) % 11 < 8 ? 0x30 : 0xff;
    rows.push(row);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 0, 0, 0, 0], 8); // 8-bit grey, deflate, no filter, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(Buffer.concat(rows))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A scan: every page one picture, plus the page number a scanning app stamps as text. */
async function scannedPdf(pages: number): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const image = await doc.embedPng(scannedPagePng(200, 283));
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let n = 1; n <= pages; n++) {
    const page = doc.addPage([595, 842]);
    page.drawImage(image, { x: 0, y: 0, width: 595, height: 842 });
    page.drawText(String(n), { x: 290, y: 20, size: 10, font });
  }
  return doc.save();
}

/** Bytes that are no PDF, the same on every run. */
function noise(length: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = 2463534242;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

async function refusal(data: Uint8Array): Promise<IngestError> {
  const err = await extractPdf(data).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(IngestError);
  return err as IngestError;
}

/** What the sender reads: Chinese, short, and nothing about the software inside. */
function expectPoliteChinese(err: IngestError): void {
  expect(err.userMessage).toMatch(/\p{Script=Han}/u);
  expect(err.userMessage.length).toBeLessThan(80);
  expect(err.userMessage).not.toMatch(/pdfjs|pdf\.js|Exception|Error|undefined|\bat\s|\n|[{}[\]]|\.(?:m?js|ts):\d/i);
}

describe.skipIf(!hasLibreOffice)('extractPdf: reports printed from DOCX', () => {
  const printed: Printed[] = [];
  let encrypted: Buffer;

  beforeAll(async () => {
    const [reports, secret] = await Promise.all([
      Promise.all(REPORTS.map(printReport)),
      makeDocx(['各位代表：', '现在，我代表省人民政府，向大会报告工作，请予审议。']).then((d) => docxToEncryptedPdf(d, 'secret')),
    ]);
    encrypted = secret;
    for (const r of reports) {
      const started = performance.now();
      const result = await extractPdf(new Uint8Array(r.pdf));
      printed.push({ ...r, result, ms: performance.now() - started });
    }
  }, 180_000);

  it.each(REPORTS)('%s: the text comes back sentence for sentence', (name) => {
    const r = printed.find((p) => p.name === name)!;
    const agreement = sentenceAgreement(r.paragraphs, r.result.paragraphs);
    console.log(`${name}: agreement ${agreement.ratio.toFixed(4)} (${agreement.matched}/${agreement.reference}), ` +
      `${r.result.paragraphs.length}/${r.paragraphs.length} paragraphs, ${r.result.pages} pages, ${Math.round(r.ms)} ms`);
    expect(agreement.ratio, `missing: ${agreement.missing.join(' / ')}`).toBeGreaterThanOrEqual(0.98);
    expect(r.result.format).toBe('pdf');
    expect(r.result.title).toBe(r.paragraphs[0]);
  });

  it.each(REPORTS)('%s: lines are joined back into paragraphs, headings stay apart', (name) => {
    const r = printed.find((p) => p.name === name)!;
    const ratio = r.result.paragraphs.length / r.paragraphs.length;
    expect(ratio).toBeGreaterThan(0.97);
    expect(ratio).toBeLessThan(1.03);
    const headings = r.paragraphs.filter((p) => /^[一二三四五六七八九十]+、/.test(p));
    expect(headings.length).toBeGreaterThan(0);
    for (const h of headings) expect(r.result.paragraphs).toContain(h);
  });

  it.each(REPORTS)('%s: page numbers and the running header are left out and counted', (name) => {
    const r = printed.find((p) => p.name === name)!;
    const pages = r.result.pages ?? 0;
    expect(pages).toBeGreaterThan(5);
    const count = (kind: string) => r.result.dropped.find((d) => d.kind === kind)?.count ?? 0;
    expect(count('page-number')).toBe(pages);
    expect(count('running-header')).toBe(pages);
    // The title line may be part of the report itself: it stays as often as the report has it.
    const asHeader = (ps: string[]) => ps.filter((p) => p === r.header).length;
    expect(asHeader(r.result.paragraphs)).toBe(asHeader(r.paragraphs));
    for (const p of r.result.paragraphs) expect(p).not.toMatch(/^[-—\s]*\d+[-—\s]*$/);
  });

  it.each(REPORTS)('%s: Chinese and Latin text are not spaced apart', (name) => {
    const r = printed.find((p) => p.name === name)!;
    const text = r.result.paragraphs.join('\n');
    expect(text).toContain('2026年');
    expect(text).not.toMatch(/\d \p{Script=Han}|\p{Script=Han} \d/u);
    expect(text).not.toMatch(/\p{Script=Han} \p{Script=Han}/u);
  });

  it('refuses a PDF that needs a password', async () => {
    expect(encrypted.includes('/Encrypt')).toBe(true);
    const err = await refusal(new Uint8Array(encrypted));
    expect(err.reason).toBe('encrypted');
    expectPoliteChinese(err);
  });

  it('reads a Node Buffer and leaves the caller’s bytes intact', async () => {
    const original = printed[0]!;
    const bytes = Buffer.from(original.pdf);
    const result = await extractPdf(bytes);
    expect(result.paragraphs).toEqual(original.result.paragraphs);
    expect(bytes.equals(original.pdf)).toBe(true);
  });

  it('refuses a truncated PDF as damaged', async () => {
    const pdf = printed[0]!.pdf;
    const err = await refusal(new Uint8Array(pdf.subarray(0, Math.floor(pdf.length / 2))));
    expect(err.reason).toBe('corrupt');
    expectPoliteChinese(err);
  });
});

describe('extractPdf: files it cannot read', () => {
  it('refuses a scan: pages of pictures without text', async () => {
    const err = await refusal(await scannedPdf(3));
    expect(err.reason).toBe('scanned');
    expectPoliteChinese(err);
  });

  it('refuses bytes that are no PDF', async () => {
    for (const data of [noise(4096), new TextEncoder().encode('<html><body>政府工作报告</body></html>')]) {
      const err = await refusal(data);
      expect(err.reason).toBe('corrupt');
      expectPoliteChinese(err);
    }
  });

  it('refuses a PDF whose body is cut off after the header', async () => {
    const err = await refusal(new TextEncoder().encode('%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n'));
    expect(err.reason).toBe('corrupt');
    expectPoliteChinese(err);
  });
});
