export type { Paragraph, ParagraphKind, Report, ReportMeta, Section, Sentence, Span } from './types.ts';
export { parseReport, splitClauses, splitSentences, isBoilerplate } from './parse.ts';
export {
  normalizeText,
  normalizeQuestion,
  extractQuantities,
  parseChineseNumber,
  familyOf,
  valueKey,
  type Quantity,
  type UnitFamily,
} from './normalize.ts';
export { loadLexicon, LEXICON_FILES, type Lexicon } from './lexicon.ts';
export { readReportSources, loadReports, type ReportSource } from './load.ts';
