export { createEngine, type Engine, type ChannelEngine, type EngineInfo, type EngineLogger, type EngineOptions } from './engine.ts';
export { analyzeQuestion, MAX_QUESTION_LENGTH, type Query, type Concept } from './analyze.ts';
export { messages, exampleQuestions } from './messages.ts';
export { citationLocation } from './format.ts';
export type {
  Answer,
  AskFn,
  AskOptions,
  Citation,
  DocumentInfo,
  Intent,
  OutlineNode,
  ParagraphView,
  RefusalReason,
} from './types.ts';
