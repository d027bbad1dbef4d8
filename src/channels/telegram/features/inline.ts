import { Composer, type Context } from 'grammy';
import type { ChosenInlineResult, InlineQueryResultArticle } from 'grammy/types';
import type { Answer, AskFn } from '../../../answer/types.ts';
import { MemoryState, type SharedState } from '../../../shared/state.ts';
import { hashUser } from '../../../store/store.ts';
import { messages } from '../messages.ts';
import { renderCitationMessage, renderInlineMessage, shorten } from '../render.ts';
import { HTML } from '../send.ts';
import { CHANNEL, type Services } from '../services.ts';

/** Telegram shows about this many characters of a result title. */
const TITLE_CHARS = 60;
const DESCRIPTION_CHARS = 120;
export const MAX_INLINE_RESULTS = 5;

/**
 * Inline queries per user per window. Telegram sends one per pause in typing, so this is generous for
 * a person and still bounds a client (or a script) firing queries at the engine.
 */
export const INLINE_RATE_LIMIT = { limit: 20, windowMs: 10_000 } as const;
/** How long Telegram may keep the empty "slow down" answer: about the time it takes to read it. */
export const LIMITED_CACHE_SECONDS = 1;
/** `/start` parameter of the button shown with the "slow down" answer. */
export const LIMITED_START_PARAMETER = 'inline_busy';

const LIMIT_PREFIX = 'telegram:inline:';

export interface InlineOptions {
  /**
   * Answers the preview results while the user types: must not write the query log (a question is
   * logged once, when a result is chosen). Default: the engine's own `ask` when the engine has one
   * (the real and the live engine do), else the instrumented `s.ask` with a warning at start.
   */
  preview?: AskFn;
  /** Where the per-user inline counts live (the shared state, for replicas); default this process's memory. */
  state?: SharedState;
  /** Inline queries per user per window; default INLINE_RATE_LIMIT. */
  rateLimit?: { limit: number; windowMs: number };
}

function article(id: string, title: string, description: string, html: string): InlineQueryResultArticle {
  return {
    type: 'article',
    id,
    title: shorten(title, TITLE_CHARS) || messages.inline.noResults,
    ...(description ? { description: shorten(description, DESCRIPTION_CHARS) } : {}),
    input_message_content: { message_text: html, ...HTML },
  };
}

/**
 * Results for a query: the answer itself (title = short answer, description = section, message =
 * answer + quote), then each further citation on its own, at most five.
 */
export function answerResults(a: Answer): InlineQueryResultArticle[] {
  const top = a.citations[0];
  const results = [article('answer', a.answer, top?.section ?? messages.inline.noResultsHint, renderInlineMessage(a))];
  for (const [i, c] of a.citations.slice(1).entries()) {
    results.push(article(`quote-${i + 1}`, c.quote, c.section, renderCitationMessage(c)));
  }
  return results.slice(0, MAX_INLINE_RESULTS);
}

const EXAMPLE_ID = /^example-(\d+)$/;

/** An example question as a result: title = the question, description = its short answer. */
export function exampleResult(index: number, a: Answer): InlineQueryResultArticle {
  return article(`example-${index}`, a.question, a.answer, renderInlineMessage(a));
}

/**
 * The question behind a chosen result: what was typed, or, for an example offered to an empty query,
 * that example (its index is in the result id). Undefined when there is nothing to log.
 */
export function chosenQuestion(chosen: Pick<ChosenInlineResult, 'result_id' | 'query'>, examples: readonly string[]): string | undefined {
  const typed = chosen.query.trim();
  if (typed) return typed;
  const example = EXAMPLE_ID.exec(chosen.result_id);
  return example ? examples.slice(0, MAX_INLINE_RESULTS)[Number(example[1])] : undefined;
}

/** The engine's own `ask`, when the engine passed as a ChannelEngine has one: it writes no query log. */
function engineAsk(engine: object): AskFn | undefined {
  const ask = (engine as { ask?: unknown }).ask;
  return typeof ask === 'function' ? (q, o) => (ask as AskFn).call(engine, q, o) : undefined;
}

/**
 * Inline mode (`@bot 托位` in any chat): up to five articles answering the query; an empty query
 * lists the example questions, each with its answer ready to post.
 *
 * Telegram sends an inline query at every pause in typing ("托", "托位", "托位多少"…), so the results
 * are previews: answered without the query log or the question count (`preview`), and at most
 * INLINE_RATE_LIMIT per user; beyond it the answer is an empty list with a polite line above it, and
 * the engine is not called. What is logged and counted is the result the user chose to post
 * (`chosen_inline_result`, sent by Telegram when inline feedback is on for the bot in @BotFather
 * and `chosen_inline_result` is among the allowed updates): its question goes through the
 * instrumented `s.ask`, once.
 */
export function inline(s: Services, options: InlineOptions = {}): Composer<Context> {
  const composer = new Composer<Context>();
  const preview = options.preview ?? engineAsk(s.engine);
  if (!preview) s.logger.warn('telegram inline: no un-logged ask for previews; every inline query is logged as a question');
  const answerPreview: AskFn = preview ?? s.ask;
  const state = options.state ?? new MemoryState();
  const rate = options.rateLimit ?? INLINE_RATE_LIMIT;

  let examples: Promise<InlineQueryResultArticle[]> | undefined;
  const exampleResults = (): Promise<InlineQueryResultArticle[]> => {
    examples ??= Promise.all(
      s.engine.examples.slice(0, MAX_INLINE_RESULTS).map(async (q, i) => exampleResult(i, await answerPreview(q, { channel: CHANNEL }))),
    ).catch((err: unknown) => {
      examples = undefined;
      throw err;
    });
    return examples;
  };

  /** Counts this query; true while the user is within the limit (and when the count cannot be kept). */
  const withinLimit = async (user: number): Promise<{ ok: boolean; first: boolean }> => {
    try {
      const count = await state.incr(`${LIMIT_PREFIX}${user}`, rate.windowMs);
      return { ok: count <= rate.limit, first: count === rate.limit + 1 };
    } catch {
      // The limit is a courtesy to the engine; a state that fails must not cost the user the results.
      return { ok: true, first: false };
    }
  };

  composer.on('inline_query', async (ctx) => {
    const limit = await withinLimit(ctx.from.id);
    if (!limit.ok) {
      s.metrics?.rateLimited.inc({ channel: CHANNEL });
      // Once per window in the log; every refused query is counted.
      if (limit.first) s.logger.info({ update_id: ctx.update.update_id }, 'telegram inline query rate-limited');
      await ctx.answerInlineQuery([], {
        cache_time: LIMITED_CACHE_SECONDS,
        // This user's empty answer must not be served to others typing the same words.
        is_personal: true,
        button: { text: messages.inline.rateLimited, start_parameter: LIMITED_START_PARAMETER },
      });
      return;
    }
    const query = ctx.inlineQuery.query.trim();
    if (!query) {
      await ctx.answerInlineQuery(await exampleResults(), { cache_time: 300 });
      return;
    }
    const answer = await answerPreview(query, { channel: CHANNEL });
    await ctx.answerInlineQuery(answerResults(answer), { cache_time: 60 });
  });

  composer.on('chosen_inline_result', async (ctx) => {
    const chosen = ctx.chosenInlineResult;
    const question = chosenQuestion(chosen, s.engine.examples);
    s.logger.info({ update_id: ctx.update.update_id, result_id: chosen.result_id }, 'telegram inline result chosen');
    if (!question) return;
    // The one place an inline question is logged and counted: it was posted.
    await s.ask(question, { channel: CHANNEL, userId: hashUser(CHANNEL, chosen.from.id) });
  });
  return composer;
}
