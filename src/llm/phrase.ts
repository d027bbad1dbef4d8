import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { HumanMessage, SystemMessage } from '@langchain/core/messages';
import type { Answer, AskFn, AskOptions } from '../answer/types.ts';
import { citationLocation } from '../answer/format.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import { checkGrounding } from './guard.ts';
import type { PromptTemplate } from './prompt.ts';

/**
 * Optional phrasing by a language model, behind the grounding guard. The extractive answer is always
 * computed first; the model only rewrites an answer the engine found, from the passages the engine
 * cites. Anything the guard rejects, a timeout or an error serves the extractive answer unchanged.
 * The quotes shown to users stay the engine's verbatim quotes.
 */
export interface ReportInfo {
  title: string;
  region: string;
  year: number;
}

export interface PhraserOptions {
  model: BaseChatModel;
  modelName: string;
  prompt: PromptTemplate;
  logger?: Logger;
  metrics?: Metrics;
  /** Per channel: the WeChat path must answer within its 5-second window. */
  timeoutMs?: (channel: string | undefined) => number;
  now?: () => Date;
  /**
   * The report's title, region and year for the prompt: one report, or — with many loaded — the one
   * an answer cites first (by its document id).
   */
  report: ReportInfo | ((docId: string | undefined) => ReportInfo);
}

export type PhraseOutcome = 'phrased' | 'declined' | 'rejected' | 'timeout' | 'error' | 'skipped';

export interface Phraser {
  phrase(answer: Answer, options?: AskOptions): Promise<{ answer: Answer; outcome: PhraseOutcome; detail?: string }>;
}

export const DEFAULT_TIMEOUT_MS = (channel: string | undefined): number =>
  channel === 'wechat' || channel === 'wecom' ? 3500 : 15000;

export function createPhraser(options: PhraserOptions): Phraser {
  const timeoutOf = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const fallback = (answer: Answer, outcome: PhraseOutcome, detail?: string) => {
    options.metrics?.llmFallbacks.inc({ reason: outcome });
    options.logger?.warn({ outcome, detail, question: answer.question.slice(0, 100) }, 'LLM answer not used; serving the extractive answer');
    return { answer, outcome, ...(detail ? { detail } : {}) };
  };

  return {
    async phrase(answer, askOptions = {}) {
      // Refused questions are never sent to the model: it has nothing grounded to say.
      if (!answer.found || answer.citations.length === 0) return { answer, outcome: 'skipped' };
      const passages = answer.citations.map((c) => c.context.text);
      const report = typeof options.report === 'function' ? options.report(answer.citations[0]?.docId) : options.report;
      const { system, user } = options.prompt.render({
        title: report.title,
        region: report.region,
        year: String(report.year),
        today: (options.now?.() ?? new Date()).toISOString().slice(0, 10),
        question: answer.question.replace(/<\/?(?:question|passages)>/gi, ''),
        passages: answer.citations
          .map((c, i) => `[${i + 1}] ${citationLocation(c)}\n${c.context.text}`)
          .join('\n\n'),
      });
      let text: string;
      try {
        const signal = AbortSignal.timeout(timeoutOf(askOptions.channel));
        const reply = await options.model.invoke([new SystemMessage(system), new HumanMessage(user)], { signal });
        text = typeof reply.content === 'string' ? reply.content : reply.content.map((p) => ('text' in p ? p.text : '')).join('');
      } catch (err) {
        const aborted = (err as Error)?.name === 'AbortError' || (err as Error)?.name === 'TimeoutError' || /abort|timeout/i.test(String((err as Error)?.message));
        return fallback(answer, aborted ? 'timeout' : 'error', aborted ? undefined : (err as Error)?.message?.slice(0, 200));
      }
      const verdict = checkGrounding(text, passages, [report.year]);
      if (!verdict.ok) return fallback(answer, 'rejected', `${verdict.reason}: ${verdict.detail}`);
      if (verdict.declined) return fallback(answer, 'declined');
      return { answer: { ...answer, answer: text.trim(), generatedBy: options.modelName }, outcome: 'phrased' };
    },
  };
}

/** An `ask` whose found answers are phrased by the model (within the channel's deadline). */
export function withPhrasing(ask: AskFn, phraser: Phraser): AskFn {
  return async (question, options) => {
    const extractive = await ask(question, options);
    const t0 = performance.now();
    const { answer } = await phraser.phrase(extractive, options);
    return answer === extractive ? extractive : { ...answer, latencyMs: Math.round((extractive.latencyMs + performance.now() - t0) * 100) / 100 };
  };
}
