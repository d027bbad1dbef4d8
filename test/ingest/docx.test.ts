import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { sentenceAgreement } from '../../src/ingest/agreement.ts';
import { extractDocx } from '../../src/ingest/docx.ts';
import { IngestError } from '../../src/ingest/types.ts';
import { makeDocx, makeZip, paragraphsOf } from '../helpers/documents.ts';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'provinces-2026');
const REPORTS = ['2026_吉林省_政府工作报告.txt', '2026_广东省_政府工作报告.txt'];

async function reasonOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(IngestError);
    const e = err as IngestError;
    // What the sender reads is Chinese and names no internals.
    expect(e.userMessage).toMatch(/\p{Script=Han}/u);
    expect(e.userMessage).not.toMatch(/mammoth|yauzl|zip|Error|\bat\b/i);
    return e.reason;
  }
  throw new Error('expected an IngestError');
}

describe('DOCX reports', () => {
  const docs: Array<{ name: string; paragraphs: string[]; docx: Buffer }> = [];
  beforeAll(async () => {
    for (const name of REPORTS) {
      const paragraphs = paragraphsOf(readFileSync(join(FIXTURES, name), 'utf8'));
      const title = paragraphs.find((p) => /政府工作报告$/.test(p))!;
      docs.push({ name, paragraphs, docx: await makeDocx(paragraphs, { header: title, pageNumbers: true, title }) });
    }
  });

  it('reads the body paragraph for paragraph, without the running header or page numbers', async () => {
    for (const d of docs) {
      const r = await extractDocx(d.docx);
      expect(r.format).toBe('docx');
      expect(sentenceAgreement(d.paragraphs, r.paragraphs).ratio).toBe(1);
      expect(r.paragraphs.length).toBe(d.paragraphs.length);
      expect(r.paragraphs.some((p) => /^-\s*\d+\s*-$/.test(p))).toBe(false);
      // The title appears once, as the document's first heading, not once per page.
      expect(r.paragraphs.filter((p) => p === r.title).length).toBe(1);
      expect(r.title).toMatch(/政府工作报告$/);
    }
  });

  it('refuses a zip bomb before unpacking it', async () => {
    const bomb = makeZip([
      { name: '[Content_Types].xml', data: Buffer.from('<Types/>') },
      { name: 'word/document.xml', data: Buffer.alloc(64 * 1024 * 1024, 0x20) },
    ]);
    expect(bomb.length).toBeLessThan(1024 * 1024);
    expect(await reasonOf(extractDocx(bomb))).toBe('zip-bomb');
  });

  it('refuses a truncated file, a zip that is no DOCX, and an old .doc, each with a hint', async () => {
    const docx = docs[0]!.docx;
    expect(await reasonOf(extractDocx(docx.subarray(0, Math.floor(docx.length / 2))))).toBe('corrupt');
    expect(await reasonOf(extractDocx(makeZip([{ name: 'xl/workbook.xml', data: Buffer.from('<workbook/>') }])))).toBe('corrupt');
    const ole = Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(4096)]);
    expect(await reasonOf(extractDocx(ole))).toBe('unsupported');
    expect(await reasonOf(extractDocx(Buffer.from('not a zip at all')))).toBe('corrupt');
  });
});
