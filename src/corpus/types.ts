/**
 * The report as the engine sees it: the stored source text plus its structure. Every offset points
 * into `Report.text`, the file exactly as stored under data/reports/, so a quote is always
 * `text.slice(start, end)` and can never drift from the source.
 */

export interface ReportMeta {
  /** Stable identifier used in the index manifest and citations. */
  id: string;
  /** Display title, e.g. 市北区2025年政府工作报告. */
  title: string;
  /** The administrative area the report governs, e.g. 市北区. */
  region: string;
  city?: string;
  province?: string;
  /** The year the plan is for. */
  year: number;
  /** e.g. annual-work-plan. */
  kind: string;
  /** Label for text that precedes the first heading (an excerpt of an earlier part). */
  leadingPart?: string;
  covers?: string;
  source?: string;
}

export interface Span {
  start: number;
  end: number;
}

export interface Sentence extends Span {
  /** Index in `Report.sentences`. */
  index: number;
  /** Index of the owning paragraph in `Report.paragraphs`. */
  paragraph: number;
  text: string;
}

export type ParagraphKind = 'part-heading' | 'section-heading' | 'body';

export interface Paragraph extends Span {
  index: number;
  kind: ParagraphKind;
  text: string;
  /** Headings above this paragraph, outermost first (a heading's own path ends with itself). */
  sectionPath: string[];
  /** The paragraph's lead sentence without its full stop, e.g. 强化社会兜底保障. */
  topic?: string;
  /** Index of the section (in `Report.sections`) the paragraph belongs to, if any. */
  section?: number;
  sentences: Sentence[];
}

export interface Section {
  index: number;
  level: 1 | 2;
  /** Heading text as written, e.g. (五)坚持均衡普惠、和谐共进,书写民生幸福新答卷. */
  title: string;
  path: string[];
  /** Paragraph index of the heading line (-1 for a label supplied by metadata). */
  heading: number;
  /** Body paragraphs directly under this section. */
  paragraphs: number[];
  /** Child sections (level 2 under a part). */
  children: number[];
}

export interface Report {
  meta: ReportMeta;
  /** The stored source text, byte for byte (as decoded UTF-8). */
  text: string;
  /** sha256 of the source text, for the index manifest. */
  hash: string;
  paragraphs: Paragraph[];
  sentences: Sentence[];
  sections: Section[];
  /** Lines removed as web boilerplate (disclaimers), kept for transparency and tests. */
  dropped: string[];
}
