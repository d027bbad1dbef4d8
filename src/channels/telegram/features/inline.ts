import { Composer, type Context } from 'grammy';
import type { InlineQueryResultArticle } from 'grammy/types';
import type { Answer } from '../../../answer/types.ts';
import { hashUser } from '../../../store/store.ts';
import { messages } from '../messages.ts';
import { renderCitationMessage, renderInlineMessage, shorten } from '../render.ts';
import { HTML } from '../send.ts';
import { CHANNEL, type Services } from '../services.ts';

/** Telegram shows about this many characters of a result title. */
const TITLE_CHARS = 60;
const DESCRIPTION_CHARS = 120;
export const MAX_INLINE_RESULTS = 5;

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

/** An example question as a result: title = the question, description = its short answer. */
export function exampleResult(index: number, a: Answer): InlineQueryResultArticle {
  return article(`example-${index}`, a.question, a.answer, renderInlineMessage(a));
}

/**
 * Inline mode (`@bot 托位` in any chat): up to five articles answering the query; an empty query
 * lists the example questions, each with its answer ready to post.
 */
export function inline(s: Services): Composer<Context> {
  const composer = new Composer<Context>();
  let examples: Promise<InlineQueryResultArticle[]> | undefined;
  const exampleResults = (): Promise<InlineQueryResultArticle[]> => {
    examples ??= Promise.all(
      s.engine.examples.slice(0, MAX_INLINE_RESULTS).map(async (q, i) => exampleResult(i, await s.ask(q, { channel: CHANNEL }))),
    ).catch((err: unknown) => {
      examples = undefined;
      throw err;
    });
    return examples;
  };

  composer.on('inline_query', async (ctx) => {
    const query = ctx.inlineQuery.query.trim();
    if (!query) {
      await ctx.answerInlineQuery(await exampleResults(), { cache_time: 300 });
      return;
    }
    const answer = await s.ask(query, { channel: CHANNEL, userId: hashUser(CHANNEL, ctx.from.id) });
    await ctx.answerInlineQuery(answerResults(answer), { cache_time: 60 });
  });
  return composer;
}
