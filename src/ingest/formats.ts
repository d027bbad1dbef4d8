import { IngestError, type Format } from './types.ts';

/**
 * What the reports folder accepts, kept apart from the extractors so that listing a folder does not
 * load pdfjs, mammoth and linkedom.
 */

/** Larger than any report's DOCX or PDF (a few MB); Telegram's own download limit is 20 MB. */
export const MAX_FILE_BYTES = 50 * 1024 * 1024;

/** Extensions a report may come in, by format. */
export const EXTENSIONS: Record<string, Format> = {
  '.docx': 'docx',
  '.pdf': 'pdf',
  '.html': 'html',
  '.htm': 'html',
  '.xhtml': 'html',
  '.txt': 'txt',
  '.text': 'txt',
  '.md': 'md',
  '.markdown': 'md',
};

export const SUPPORTED = 'DOCX、PDF、网页(HTML)或文本(TXT)';

const TOO_LARGE = `文件太大(超过 ${MAX_FILE_BYTES / 1024 / 1024} MB)。政府工作报告的 DOCX 或 PDF 通常只有几 MB,请确认文件后再试。`;

export function tooLarge(bytes: number): IngestError {
  return new IngestError('too-large', TOO_LARGE, `${bytes} bytes`);
}

