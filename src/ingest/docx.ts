import mammoth from 'mammoth';
import yauzl from 'yauzl';
import { IngestError, noteDropped, type Dropped, type Extracted } from './types.ts';

/**
 * DOCX as the drafting team sends it, read with mammoth (the body only: running headers, footers and
 * page numbers are not part of the text it returns). Before mammoth unpacks anything, the zip's
 * central directory is checked with yauzl, so a zip bomb or a file that is no DOCX is refused cheaply.
 */

/** Unpacked size of all entries together; a 300-page report with pictures is far below it. */
const MAX_UNPACKED_BYTES = 200 * 1024 * 1024;
/** Compression ratio above which a large entry is a bomb, not XML (XML compresses about 5–20×). */
const MAX_RATIO = 200;
const MAX_ENTRIES = 10_000;

const CORRUPT = '无法读取这份 Word 文件,文件可能已损坏。请用 Word 或 WPS 另存为 DOCX 后再试。';

interface Entry {
  name: string;
  compressed: number;
  uncompressed: number;
}

function listEntries(data: Buffer): Promise<Entry[]> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(data, { lazyEntries: true, validateEntrySizes: true }, (err, zip) => {
      if (err || !zip) return reject(err ?? new Error('no zip'));
      const entries: Entry[] = [];
      zip.on('entry', (e: yauzl.Entry) => {
        entries.push({ name: e.fileName, compressed: e.compressedSize, uncompressed: e.uncompressedSize });
        if (entries.length > MAX_ENTRIES) {
          zip.close();
          return resolve(entries);
        }
        zip.readEntry();
      });
      zip.on('end', () => resolve(entries));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

function readEntry(data: Buffer, name: string, limit: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    yauzl.fromBuffer(data, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return resolve(undefined);
      zip.on('entry', (e: yauzl.Entry) => {
        if (e.fileName !== name || e.uncompressedSize > limit) return zip.readEntry();
        zip.openReadStream(e, (err2, stream) => {
          if (err2 || !stream) return resolve(undefined);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            zip.close();
            resolve(Buffer.concat(chunks).toString('utf8'));
          });
          stream.on('error', () => resolve(undefined));
        });
      });
      zip.on('end', () => resolve(undefined));
      zip.on('error', () => resolve(undefined));
      zip.readEntry();
    });
  });
}

/** Refuses what is no DOCX, or would unpack to far more than any report. */
export async function checkDocxContainer(data: Buffer): Promise<void> {
  if (data.subarray(0, 8).equals(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]))) {
    // An OLE container: a .doc from old Word, or an encrypted DOCX (Word keeps those in OLE too).
    throw new IngestError('unsupported', '这是旧版 Word(.doc)或加密的文件,无法读取。请用 Word 或 WPS 另存为未加密的 DOCX 后再发送。', 'OLE container');
  }
  let entries: Entry[];
  try {
    entries = await listEntries(data);
  } catch (cause) {
    throw new IngestError('corrupt', CORRUPT, (cause as Error)?.message, { cause });
  }
  if (entries.length > MAX_ENTRIES) throw new IngestError('zip-bomb', CORRUPT, `${entries.length}+ entries`);
  const total = entries.reduce((a, e) => a + e.uncompressed, 0);
  const bomb = entries.find((e) => e.uncompressed > 1024 * 1024 && e.uncompressed > MAX_RATIO * Math.max(1, e.compressed));
  if (total > MAX_UNPACKED_BYTES || bomb) {
    throw new IngestError('zip-bomb', CORRUPT, `unpacks to ${total} bytes${bomb ? `, ${bomb.name} at ratio ${Math.round(bomb.uncompressed / Math.max(1, bomb.compressed))}` : ''}`);
  }
  if (!entries.some((e) => e.name === 'word/document.xml')) throw new IngestError('corrupt', CORRUPT, 'no word/document.xml');
}

export async function extractDocx(bytes: Uint8Array): Promise<Extracted> {
  const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  await checkDocxContainer(data);
  let raw: string;
  try {
    raw = (await mammoth.extractRawText({ buffer: data })).value;
  } catch (cause) {
    throw new IngestError('corrupt', CORRUPT, (cause as Error)?.message, { cause });
  }
  const dropped: Dropped[] = [];
  const paragraphs: string[] = [];
  for (const line of raw.split(/\n+/)) {
    const text = line.replace(/^[\s\u3000]+|[\s\u3000]+$/g, '');
    if (!text) continue;
    // Footnote and endnote marks mammoth writes as [1] at the end of the body are kept; an empty
    // table cell or a lone page-break character is not.
    if (/^[\f\v\u200b]*$/.test(text)) {
      noteDropped(dropped, 'empty', text);
      continue;
    }
    paragraphs.push(text);
  }
  const title = await coreTitle(data);
  return { format: 'docx', paragraphs, dropped, ...(title ? { title } : {}) };
}

/** dc:title of docProps/core.xml, when the author filled it in. */
async function coreTitle(data: Buffer): Promise<string | undefined> {
  const xml = await readEntry(data, 'docProps/core.xml', 1024 * 1024);
  const m = xml ? /<dc:title>([^<]{2,120})<\/dc:title>/.exec(xml) : null;
  const title = m?.[1]?.trim()
    .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
  return title && /\p{Script=Han}/u.test(title) ? title : undefined;
}
