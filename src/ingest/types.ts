import { WorkplanError } from '../errors.ts';

/** The formats an office has its report in. */
export type Format = 'docx' | 'pdf' | 'html' | 'txt' | 'md';

/** What was left out of a document while its text was rebuilt, by kind, with a few examples. */
export interface Dropped {
  /** page-number, running-header, running-footer, navigation, script, footer, footnote-mark, empty… */
  kind: string;
  count: number;
  samples: string[];
}

/** A document's text, rebuilt as paragraphs in reading order. */
export interface Extracted {
  format: Format;
  /**
   * One entry per paragraph, the document's own characters (no width folding or punctuation
   * changes: quotes must stay exact substrings of the stored text). Lines a PDF broke mid-sentence
   * are joined; headings are paragraphs of their own.
   */
  paragraphs: string[];
  dropped: Dropped[];
  /** The document's own title (DOCX core properties, <title>/<h1>, PDF info), when it has one. */
  title?: string;
  /** Pages of a PDF. */
  pages?: number;
}

/**
 * Why a file cannot be added. `code` is stable (tests, logs); `userMessage` is short, polite Chinese
 * for the person who sent the file and never names internals.
 */
export type IngestCode =
  | 'unsupported'
  | 'too-large'
  | 'empty'
  | 'corrupt'
  | 'zip-bomb'
  | 'encrypted'
  | 'scanned'
  | 'no-report'
  | 'not-a-work-report'
  | 'duplicate';

export class IngestError extends WorkplanError {
  readonly reason: IngestCode;
  readonly userMessage: string;
  constructor(reason: IngestCode, userMessage: string, detail?: string, options?: ErrorOptions) {
    super('E_INGEST', `${reason}${detail ? `: ${detail}` : ''}`, options);
    this.reason = reason;
    this.userMessage = userMessage;
  }
}

/** Adds `n` dropped items of a kind, keeping up to three samples. */
export function noteDropped(list: Dropped[], kind: string, sample: string, n = 1): void {
  let d = list.find((x) => x.kind === kind);
  if (!d) list.push((d = { kind, count: 0, samples: [] }));
  d.count += n;
  const s = sample.trim().slice(0, 40);
  if (s && d.samples.length < 3 && !d.samples.includes(s)) d.samples.push(s);
}
