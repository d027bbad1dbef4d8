import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { crc32, deflateRawSync } from 'node:zlib';
import {
  AlignmentType,
  Document,
  Footer,
  Header,
  HeadingLevel,
  Packer,
  PageNumber,
  Paragraph,
  TextRun,
} from 'docx';

/**
 * Real documents made from a report's text, the way offices have them: a DOCX as the drafting team
 * writes it (first-line indents, a running header, page numbers in the footer, headings as headings)
 * and the PDF LibreOffice prints from it (lines wrapped mid-sentence, a header and a number on every page).
 */

const CJK_FONT = 'WenQuanYi Micro Hei';
const HEADING = /^(?:[一二三四五六七八九十]+、|第[一二三四五六七八九十]+部分)/;

export interface DocxOptions {
  /** Running header on every page (e.g. the report's title). */
  header?: string;
  /** "- 3 -" in the footer of every page. */
  pageNumbers?: boolean;
  /** Document core property "title". */
  title?: string;
}

/** A DOCX of the given paragraphs, written with the docx library. */
export async function makeDocx(paragraphs: string[], options: DocxOptions = {}): Promise<Buffer> {
  const run = (text: string, bold = false) => new TextRun({ text, bold, font: { eastAsia: CJK_FONT, ascii: CJK_FONT, hAnsi: CJK_FONT }, size: 28 });
  const doc = new Document({
    ...(options.title ? { title: options.title } : {}),
    sections: [
      {
        headers: options.header
          ? { default: new Header({ children: [new Paragraph({ alignment: AlignmentType.CENTER, children: [run(options.header)] })] }) }
          : {},
        footers: options.pageNumbers
          ? {
              default: new Footer({
                children: [
                  new Paragraph({
                    alignment: AlignmentType.CENTER,
                    children: [new TextRun({ children: ['- ', PageNumber.CURRENT, ' -'], size: 24 })],
                  }),
                ],
              }),
            }
          : {},
        children: paragraphs.map((text, i) =>
          i === 0 && options.title === text
            ? new Paragraph({ heading: HeadingLevel.TITLE, alignment: AlignmentType.CENTER, children: [run(text, true)] })
            : HEADING.test(text)
              ? new Paragraph({ heading: HeadingLevel.HEADING_1, children: [run(text, true)] })
              : new Paragraph({ indent: { firstLine: 560 }, spacing: { line: 360 }, children: [run(text)] }),
        ),
      },
    ],
  });
  return Packer.toBuffer(doc);
}

const run = promisify(execFile);

/** Whether Debian's LibreOffice is installed (`.ci/run` installs it); tests that print PDFs need it. */
export const hasLibreOffice: boolean = ['/usr/bin/libreoffice', '/usr/local/bin/libreoffice'].some((p) => existsSync(p));
if (!hasLibreOffice) {
  console.warn('[pdf] tests that print DOCX to PDF are skipped: libreoffice not found (apt-get install libreoffice-writer-nogui; .ci/run does this).');
}

/** Prints a DOCX to PDF with Debian's LibreOffice (a private profile, so runs may overlap). */
export async function docxToPdf(docx: Buffer, name = 'report'): Promise<Buffer> {
  const dir = mkdtempSync(join(tmpdir(), 'wp-pdf-'));
  try {
    const input = join(dir, `${name}.docx`);
    writeFileSync(input, docx);
    await run(
      'libreoffice',
      [`-env:UserInstallation=file://${join(dir, 'profile')}`, '--headless', '--convert-to', 'pdf', '--outdir', dir, input],
      { timeout: 120_000 },
    );
    return readFileSync(join(dir, `${basename(input, '.docx')}.pdf`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The non-empty lines of a report's .txt, the paragraphs a DOCX of it holds. */
export function paragraphsOf(text: string): string[] {
  return text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
}

/**
 * A zip archive written byte for byte (local headers, deflated data, central directory), for
 * containers no library would write on purpose: a zip bomb, a DOCX without its document part.
 */
export function makeZip(entries: Array<{ name: string; data: Buffer }>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const deflated = deflateRawSync(e.data);
    const crc = crc32(e.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(deflated.length, 18);
    local.writeUInt32LE(e.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    locals.push(local, name, deflated);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(deflated.length, 20);
    central.writeUInt32LE(e.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += local.length + name.length + deflated.length;
  }
  const dir = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, dir, end]);
}
