export { loadPrompt, PromptError, PROMPT_PLACEHOLDERS, type PromptTemplate, type PromptValues } from './prompt.ts';
export { checkGrounding, readSpokenNumbers, DECLINE, type GuardVerdict } from './guard.ts';
export { createChatModel, createEmbeddings, ProviderEmbeddings } from './providers.ts';
export { createPhraser, withPhrasing, DEFAULT_TIMEOUT_MS, type Phraser, type PhraseOutcome, type PhraserOptions } from './phrase.ts';
