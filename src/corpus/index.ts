export type { Paragraph, ParagraphKind, Period, Report, ReportMeta, Section, Sentence, Span } from './types.ts';
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
export { readReportSources, loadReports, sourceOf, parseSource, reportOf, type ReportSource } from './load.ts';
export { createGazetteer, type Gazetteer, type Region, type RegionLevel, type PlaceMention } from './regions.ts';
export { foldWidth } from './text.ts';
export { PERIOD_LABEL } from './periods.ts';
