import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { HumanMessage, SystemMessage, type BaseMessage } from '@langchain/core/messages';
import CircuitBreaker from 'opossum';
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
  /**
   * The circuit breaker (opossum): after `failures` timeouts or errors within a minute (and at least
   * half of the calls), the model is not called for `cooldownMs` and answers are served extractive at
   * once; then one call probes whether it is back.
   */
  circuit?: { failures?: number; cooldownMs?: number };
}

export type PhraseOutcome = 'phrased' | 'declined' | 'rejected' | 'timeout' | 'error' | 'circuit-open' | 'skipped';

export interface Phraser {
  phrase(answer: Answer, options?: AskOptions): Promise<{ answer: Answer; outcome: PhraseOutcome; detail?: string }>;
}

export const DEFAULT_TIMEOUT_MS = (channel: string | undefined): number =>
  channel === 'wechat' || channel === 'wecom' ? 3500 : 15000;

export function createPhraser(options: PhraserOptions): Phraser {
  const timeoutOf = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  // A hanging model must not slow every answer to the full timeout.
  const breaker = new CircuitBreaker(
    (messages: BaseMessage[], signal: AbortSignal) => options.model.invoke(messages, { signal }),
    {
      timeout: false, // each call carries its own deadline (per channel)
      volumeThreshold: options.circuit?.failures ?? 3,
      errorThresholdPercentage: 50,
      rollingCountTimeout: 60_000,
      resetTimeout: options.circuit?.cooldownMs ?? 30_000,
    },
  );
  breaker.on('open', () => options.logger?.warn({ cooldownMs: options.circuit?.cooldownMs ?? 30_000 }, 'LLM circuit open: the model keeps failing; serving extractive answers without calling it'));
  breaker.on('halfOpen', () => options.logger?.info('LLM circuit half-open: probing the model with the next answer'));
  breaker.on('close', () => options.logger?.info('LLM circuit closed: the model answers again'));
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
        const reply = await breaker.fire([new SystemMessage(system), new HumanMessage(user)], signal);
        text = typeof reply.content === 'string' ? reply.content : reply.content.map((p) => ('text' in p ? p.text : '')).join('');
      } catch (err) {
        if ((err as NodeJS.ErrnoException)?.code === 'EOPENBREAKER') return fallback(answer, 'circuit-open');
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
