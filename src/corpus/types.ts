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
  /** province (省, 自治区, 直辖市), city (地级市, 州, 盟), county (区, 县, 旗, 县级市). */
  level?: 'province' | 'city' | 'county' | 'area' | 'country';
  city?: string;
  province?: string;
  /** ISO date the report was delivered, and the meeting line and speaker as written. */
  date?: string;
  meeting?: string;
  speaker?: string;
  /** File name under the reports directory. */
  file?: string;
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
  /** The nearest short lead sentence above it in its paragraph (全力释放消费潜能), if any. */
  topic?: string;
}

/** A title, meeting line or speaker line (front), a heading, or body text. */
export type ParagraphKind = 'front' | 'part-heading' | 'section-heading' | 'body';

/**
 * The period a passage speaks of: last year's results, the past five years, the next five years'
 * targets, this year's plan, an annex (名词解释), or the front matter (title, meeting, speaker).
 */
export type Period = 'front' | 'last-year' | 'five-year-review' | 'five-year-plan' | 'current' | 'annex';

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
  period: Period;
  /** Characters at the start that are a section heading written inline ((一)扩大内需。…). */
  inlineHeading?: number;
  /** The one-sentence line above that heads this paragraph (its topic), by paragraph index. */
  leadLine?: number;
}

export interface Section {
  index: number;
  /** 1: part (一、), 2: section ((一)), 3: a heading line inside a section (一是…). */
  level: 1 | 2 | 3;
  /** Heading text as written, e.g. (五)坚持均衡普惠、和谐共进,书写民生幸福新答卷. */
  title: string;
  path: string[];
  /** Paragraph index of the heading line (-1 for a label supplied by metadata). */
  heading: number;
  /** The heading is the first sentence of a body paragraph, not a line of its own. */
  inline?: boolean;
  period: Period;
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
  /** Lines removed as page chrome or web boilerplate (disclaimers), kept for transparency and tests. */
  dropped: string[];
}
