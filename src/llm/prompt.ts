import { readFileSync } from 'node:fs';
import { WorkplanError } from '../errors.ts';

/** A prompt template under prompts/ that failed validation. */
export class PromptError extends WorkplanError {
  readonly file: string;
  constructor(file: string, message: string) {
    super('E_PROMPT', `${file}: ${message}`);
    this.file = file;
  }
}

export const PROMPT_PLACEHOLDERS = ['title', 'region', 'year', 'today', 'question', 'passages'] as const;
export type PromptValues = Record<(typeof PROMPT_PLACEHOLDERS)[number], string>;

export interface PromptTemplate {
  file: string;
  system: string;
  user: string;
  render(values: PromptValues): { system: string; user: string };
}

const PLACEHOLDER = /\{\{\s*([a-z]+)\s*\}\}/g;

/**
 * Loads a Markdown prompt: an optional leading HTML comment (documentation), then `<!-- system -->` and
 * `<!-- user -->` parts. Every placeholder must be known and every required one must be used, so a typo
 * in a template stops the start rather than producing a prompt without the question.
 */
export function loadPrompt(file: string): PromptTemplate {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new PromptError(file, 'cannot be read');
  }
  const body = text.replace(/^\s*<!--(?!\s*(?:system|user)\s*-->)[\s\S]*?-->\s*/, '');
  const m = /<!--\s*system\s*-->([\s\S]*?)<!--\s*user\s*-->([\s\S]*)$/.exec(body);
  if (!m) throw new PromptError(file, 'needs a <!-- system --> part followed by a <!-- user --> part');
  const system = m[1]!.trim();
  const user = m[2]!.trim();
  const used = new Set([...`${system}\n${user}`.matchAll(PLACEHOLDER)].map((x) => x[1]!));
  for (const name of used) {
    if (!(PROMPT_PLACEHOLDERS as readonly string[]).includes(name)) throw new PromptError(file, `unknown placeholder {{${name}}}`);
  }
  for (const name of ['question', 'passages'] as const) {
    if (!used.has(name)) throw new PromptError(file, `missing placeholder {{${name}}}`);
  }
  const fill = (s: string, values: PromptValues): string =>
    s.replace(PLACEHOLDER, (_, name: string) => values[name as keyof PromptValues] ?? '');
  return { file, system, user, render: (values) => ({ system: fill(system, values), user: fill(user, values) }) };
}
