import { extname } from 'node:path';
import { foldWidth } from '../corpus/text.ts';
import { extractDocx } from './docx.ts';
import { extractHtml } from './html.ts';
import { extractPdf } from './pdf.ts';
import { extractMarkdown, extractText } from './text.ts';
import { EXTENSIONS, MAX_FILE_BYTES, SUPPORTED, tooLarge } from './formats.ts';
import { IngestError, type Extracted, type Format } from './types.ts';

/**
 * The format of a file, from its content first (a PDF named .docx is still a PDF) and its name
 * second: what Telegram or a browser calls a file is not always what it is.
 */
export function detectFormat(name: string, bytes: Uint8Array): Format {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 1024));
  if (head.includes('%PDF-')) return 'pdf';
  if (head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04) {
    if (['.xlsx', '.pptx', '.zip', '.odt', '.wps'].includes(extname(name).toLowerCase())) throw unsupported(name);
    return 'docx';
  }
  if (head[0] === 0xd0 && head[1] === 0xcf && head[2] === 0x11 && head[3] === 0xe0) return 'docx'; // refused with a hint by the DOCX reader
  const ext = extname(name).toLowerCase();
  const byName = EXTENSIONS[ext];
  if (byName === 'pdf' || byName === 'docx') throw new IngestError('corrupt', `这份文件不是有效的 ${byName.toUpperCase()}。请重新导出后再试。`, `${name}: no ${byName} signature`);
  const text = head.toString('latin1').trimStart().slice(0, 200).toLowerCase();
  if (byName === 'html' || /^(?:<!doctype html|<html|<\?xml[^>]*>\s*<html|<head|<meta)/.test(text)) return 'html';
  if (byName) return byName;
  if (ext && !['.log', ''].includes(ext)) throw unsupported(name);
  return 'txt';
}

function unsupported(name: string): IngestError {
  const ext = extname(name).toLowerCase();
  const hint = ext === '.doc' || ext === '.wps' ? '请用 Word 或 WPS 另存为 DOCX 后再发送。' : ext === '.mhtml' || ext === '.mht' ? '请在浏览器中“另存为网页(仅 HTML)”后再发送。' : `请发送 ${SUPPORTED} 文件。`;
  return new IngestError('unsupported', `暂不支持这种文件格式。${hint}`, `${name}: ${ext || 'no extension'}`);
}

/** The text of a document of any supported format, as paragraphs. */
export async function extractDocument(name: string, bytes: Uint8Array): Promise<Extracted> {
  if (bytes.byteLength > MAX_FILE_BYTES) throw tooLarge(bytes.byteLength);
  if (bytes.byteLength === 0) throw new IngestError('empty', '文件是空的。请检查后重新发送。', name);
  const format = detectFormat(name, bytes);
  const extracted =
    format === 'pdf'
      ? await extractPdf(Uint8Array.from(bytes)) // a plain copy: pdfjs refuses Buffers and detaches what it gets
      : format === 'docx'
        ? await extractDocx(bytes)
        : format === 'html'
          ? extractHtml(bytes)
          : format === 'md'
            ? extractMarkdown(bytes)
            : extractText(bytes);
  // Control characters (other than tab) never belong in a report; a NUL would break every later step.
  extracted.paragraphs = extracted.paragraphs
    .map((p) => p.replace(/[\u0000-\u0008\u000b-\u001f\u007f\u2028\u2029]/g, '').trim())
    .filter(Boolean);
  if (!extracted.paragraphs.length) throw new IngestError('empty', '文件里没有找到文字。请检查后重新发送。', name);
  return extracted;
}

/** Share of genre words a work report holds at least, and the least Chinese text it has. */
const MIN_GENRE_WORDS = 8;
const MIN_HAN_CHARS = 1500;

/**
 * Whether a text is a government work report, by the genre's vocabulary (data/dict/genre.txt): a
 * report at any level uses most of those words, a news item, a notice or a novel few of them.
 */
export function checkGenre(paragraphs: readonly string[], genre: readonly string[]): void {
  const text = foldWidth(paragraphs.join('\n')).replace(/\s+/g, '');
  const han = text.match(/\p{Script=Han}/gu)?.length ?? 0;
  const found = genre.filter((w) => text.includes(foldWidth(w)));
  const needed = Math.min(MIN_GENRE_WORDS, Math.ceil(genre.length / 3));
  if (han < MIN_HAN_CHARS || found.length < needed) {
    throw new IngestError(
      'not-a-work-report',
      '这份文件看起来不是政府工作报告,未予添加。请发送政府工作报告全文。',
      `${han} Han characters, ${found.length} genre words (${found.slice(0, 6).join(' ')})`,
    );
  }
}
