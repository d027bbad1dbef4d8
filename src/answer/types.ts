/**
 * The contract between the engine and every channel. `Answer` serialises to the Answer JSON of
 * ARCHITECTURE.md (question, found, answer, citations[{doc, section, quote, score}], latencyMs); the
 * other fields are additions that channels use for rendering and never change those meanings.
 */

import type { Evidence } from './evidence.ts';

export type Intent = 'number' | 'list' | 'fact' | 'who' | 'when' | 'where' | 'cost' | 'summary' | 'chitchat';

/** Why an answer was refused (`found: false`). */
export type RefusalReason =
  | 'empty'
  | 'not-found'
  | 'other-place'
  | 'which-place'
  | 'other-year'
  | 'no-figure'
  | 'no-date'
  | 'no-place'
  | 'no-price'
  | 'no-ranking'
  | 'no-items'
  | 'no-entity'
  | 'opinion'
  | 'how-to'
  | 'chitchat'
  | 'personal-data'
  | 'injection';

export interface Citation {
  /** Document title, e.g. 市北区2025年政府工作报告. */
  doc: string;
  /** Section path joined with ' › '. */
  section: string;
  /** Verbatim text of the source, an exact substring of the stored document. */
  quote: string;
  /** Relevance in [0, 1]. */
  score: number;
  /** Where the quote stands: document id, paragraph number, offsets into the stored document. */
  docId: string;
  paragraph: number;
  start: number;
  end: number;
  /** The whole paragraph, and where the quote sits in it, for "show the original paragraph". */
  context: { text: string; start: number; end: number };
}

export interface Answer {
  /** The question as asked (trimmed; cut to the maximum length). */
  question: string;
  found: boolean;
  /** The shortest clause(s) that answer, or a plain statement that the report does not say. */
  answer: string;
  /**
   * 1–3 verbatim quotes (a comparison across reports cites every row it lists, up to 40); for a
   * refusal, the closest related passages (may be empty).
   */
  citations: Citation[];
  latencyMs: number;
  intent: Intent;
  /** Set when `found` is false. */
  reason?: RefusalReason;
  /**
   * Set when `found` is false: the refusal rule that declined (its name in the one refusal table,
   * src/answer/refusals.ts) and its reason code.
   */
  refusal?: { rule: string; reason: RefusalReason };
  /**
   * How a follow-up was read, when it took something from the conversation: 四川去年城镇新增就业
   * (shown as 按“四川去年城镇新增就业”理解). Absent for a question that stands alone.
   */
  interpretedAs?: string;
  /** Substrings of `answer` worth emphasising (figures with their units). */
  highlights: string[];
  /**
   * `found` is true and the report has no passage that certainly answers: `answer` is cut from the
   * closest one (a figure of the kind asked, about most of the question, of the period asked) and
   * starts by saying so. Absent for a certain answer.
   */
  closest?: boolean;
  /** With `explain`: what the best passage offered a refused question (coverage, focus, figure, period). */
  evidence?: Evidence;
  /** A note for the user, e.g. that the question was cut. */
  notice?: string;
  /** Set when a language model phrased `answer` (it passed the grounding guard); the quotes stay verbatim. */
  generatedBy?: string;
}

export interface AskOptions {
  /** Which channel asks (cli, web, api, telegram, wechat, wecom): for logs and metrics. */
  channel?: string;
  /** A stable, already hashed or opaque user id: for the query log. */
  userId?: string;
  /** Add `evidence` to a refusal (for the eval and for reviewing refusals). */
  explain?: boolean;
  /** How many citations at most (1–3). */
  maxCitations?: number;
  /** Only this report (its id, as in `GET /api/reports`). */
  report?: string;
  /** Only this region's reports (市北区, 山东省), for a question that names no place. */
  region?: string;
  /**
   * The conversation this message belongs to (a chat, a user, a page session): a follow-up (去年呢)
   * is read against its last answered question. Used by `withConversation`; the engine ignores it.
   */
  conversationId?: string;
}

/** The one entry point every channel calls. */
export type AskFn = (question: string, options?: AskOptions) => Promise<Answer>;

/** A node of the report's outline, for /outline and the web side panel. */
export interface OutlineNode {
  docId: string;
  title: string;
  level: 0 | 1 | 2 | 3;
  /** Paragraph number of the heading line, or of the paragraph for level 3. */
  paragraph?: number;
  children: OutlineNode[];
}

export interface ParagraphView {
  docId: string;
  doc: string;
  paragraph: number;
  section: string;
  topic?: string;
  text: string;
}

export interface DocumentInfo {
  id: string;
  title: string;
  region: string;
  year: number;
  kind: string;
  level?: string;
  /** ISO date the report was delivered, when the text says. */
  date?: string;
  file?: string;
  /** The periods the report covers (current, last-year, five-year-review, five-year-plan, annex). */
  periods: string[];
  paragraphs: number;
}
