import Database from 'better-sqlite3';
import { Bot } from 'grammy';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../../src/answer/engine.ts';
import type { AskOptions } from '../../../src/answer/types.ts';
import {
  INLINE_RATE_LIMIT,
  LIMITED_CACHE_SECONDS,
  LIMITED_START_PARAMETER,
  MAX_INLINE_RESULTS,
  chosenQuestion,
  inline,
  type InlineOptions,
} from '../../../src/channels/telegram/features/inline.ts';
import { messages } from '../../../src/channels/telegram/messages.ts';
import { shorten } from '../../../src/channels/telegram/render.ts';
import type { Services } from '../../../src/channels/telegram/services.ts';
import { MemoryState } from '../../../src/shared/state.ts';
import { hashUser } from '../../../src/store/store.ts';
import { testEngine } from '../../helpers/engine.ts';
import { Harness } from './helpers/harness.ts';

/**
 * Inline mode end to end (telegram-test-api, inline updates delivered to the webhook): each keystroke
 * is answered from the engine but not logged as a question; the result the user posts
 * (chosen_inline_result) is logged and counted once; a user's inline queries are limited, and over
 * the limit the answer is an empty list with a polite line, without calling the engine.
 */

let h: Harness;
/** Every question that reached the engine, logged or not. */
const engineCalls: string[] = [];

/** The real engine, counting the questions that reach its ask (private fields need the target as `this`). */
function counting(engine: Engine): Engine {
  return new Proxy(engine, {
    get(target, prop) {
      if (prop === 'ask') {
        return (q: string, o?: AskOptions) => {
          engineCalls.push(q);
          return target.ask(q, o);
        };
      }
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

beforeAll(async () => {
  h = await Harness.start({ engine: async () => counting(await testEngine()) });
});
afterAll(async () => {
  await h?.stop();
  expect(h.fake.violations).toEqual([]);
});

let nextId = 0;
const from = (userId: number) => ({ id: userId, is_bot: false, first_name: '李' });

/** Delivers an inline query and returns the bot's answerInlineQuery payload. */
async function inlineQuery(userId: number, query: string): Promise<Record<string, any>> {
  const id = `polish-${nextId++}`;
  const res = await h.deliver({ inline_query: { id, from: from(userId), query, offset: '', chat_type: 'private' } });
  expect(res.status).toBe(200);
  const call = h.fake.callsOf('answerInlineQuery').find((c) => c.payload.inline_query_id === id);
  expect(call, `answerInlineQuery for ${id}`).toBeDefined();
  return call!.payload;
}

async function choose(userId: number, resultId: string, query: string): Promise<void> {
  const res = await h.deliver({ chosen_inline_result: { result_id: resultId, from: from(userId), query } });
  expect(res.status).toBe(200);
}

async function counted(metric: 'questions' | 'rateLimited'): Promise<number> {
  const { values } = await h.metrics[metric].get();
  return values.filter((v) => v.labels.channel === 'telegram').reduce((sum, v) => sum + v.value, 0);
}

function loggedRows(): Array<{ question: string; channel: string; user_hash: string | null }> {
  const db = new Database(h.dbFile, { readonly: true });
  try {
    return db.prepare('SELECT question, channel, user_hash FROM queries ORDER BY id').all() as Array<{ question: string; channel: string; user_hash: string | null }>;
  } finally {
    db.close();
  }
}

describe('inline mode: previews, chosen results, limits', () => {
  it('answers each keystroke from the engine, without logging or counting it as a question', async () => {
    const rows = h.store.countQueries();
    const questions = await counted('questions');
    const typed = '今年新增多少托位';
    const prefixes = [...typed].map((_, i) => typed.slice(0, i + 1));
    for (const prefix of prefixes) {
      const payload = await inlineQuery(901, prefix);
      expect(payload.results.length).toBeGreaterThan(0);
      expect(payload.results.length).toBeLessThanOrEqual(MAX_INLINE_RESULTS);
    }
    // The last keystroke's results are the answer to the whole question.
    const expected = await h.engine.ask(typed);
    const last = h.fake.callsOf('answerInlineQuery').at(-1)!.payload;
    expect(last.results[0].title).toBe(shorten(expected.answer, 60));
    expect(engineCalls).toEqual(expect.arrayContaining(prefixes));
    expect(h.store.countQueries()).toBe(rows);
    expect(await counted('questions')).toBe(questions);
  });

  it('logs and counts the result the user posted, once, under the hashed user id', async () => {
    const rows = h.store.countQueries();
    const questions = await counted('questions');
    await choose(902, 'answer', ' 今年新增多少托位 ');
    expect(h.store.countQueries()).toBe(rows + 1);
    expect(await counted('questions')).toBe(questions + 1);
    expect(loggedRows().at(-1)).toEqual({ question: '今年新增多少托位', channel: 'telegram', user_hash: hashUser('telegram', 902) });
    expect(h.logs.some((l) => l.msg === 'telegram inline result chosen' && l.result_id === 'answer')).toBe(true);

    // An example offered to an empty query: the example is the question.
    expect(h.engine.examples.length).toBeGreaterThan(1);
    await choose(902, 'example-1', '');
    expect(loggedRows().at(-1)).toEqual({ question: h.engine.examples[1], channel: 'telegram', user_hash: hashUser('telegram', 902) });

    // Nothing to log: an empty query with a result id this bot did not make.
    const before = h.store.countQueries();
    await choose(902, 'something-else', '');
    expect(h.store.countQueries()).toBe(before);
  });

  it('limits a user’s inline queries: over the limit, an empty answer with a polite line and no engine call', async () => {
    const user = 903;
    const examples = Math.min(MAX_INLINE_RESULTS, h.engine.examples.length);
    // Up to the limit, answered as usual (empty queries: the examples, prepared once).
    for (let i = 0; i < INLINE_RATE_LIMIT.limit; i++) {
      const payload = await inlineQuery(user, '');
      expect(payload.results).toHaveLength(examples);
    }
    const calls = engineCalls.length;
    const limitedBefore = await counted('rateLimited');

    const over = await inlineQuery(user, '今年新增多少托位');
    expect(over.results).toEqual([]);
    expect(over.cache_time).toBe(LIMITED_CACHE_SECONDS);
    expect(over.cache_time).toBeLessThanOrEqual(1);
    // Another user typing the same words must not be served this user's empty answer from Telegram's cache.
    expect(over.is_personal).toBe(true);
    expect(over.button).toEqual({ text: messages.inline.rateLimited, start_parameter: LIMITED_START_PARAMETER });
    await inlineQuery(user, '今年新增多少托位？');
    expect(engineCalls.length).toBe(calls);
    expect(await counted('rateLimited')).toBe(limitedBefore + 2);
    // Logged once per window, counted every time.
    expect(h.logs.filter((l) => l.msg === 'telegram inline query rate-limited')).toHaveLength(1);

    // Other users are not affected.
    const other = await inlineQuery(904, '今年新增多少托位');
    expect(other.results.length).toBeGreaterThan(0);
    expect(engineCalls.length).toBe(calls + 1);
  });
});

describe('chosenQuestion', () => {
  it('is the typed query, else the example behind an example-N result', () => {
    const examples = ['甲?', '乙?'];
    expect(chosenQuestion({ result_id: 'quote-2', query: ' 托位 ' }, examples)).toBe('托位');
    expect(chosenQuestion({ result_id: 'example-1', query: '' }, examples)).toBe('乙?');
    expect(chosenQuestion({ result_id: 'example-7', query: '' }, examples)).toBeUndefined();
    expect(chosenQuestion({ result_id: 'answer', query: '  ' }, examples)).toBeUndefined();
  });
});

describe('inline options (offline, a grammY bot with a recording transport)', () => {
  type Call = { method: string; payload: Record<string, any> };

  async function offlineBot(services: Partial<Services>, options: InlineOptions) {
    const calls: Call[] = [];
    const bot = new Bot('1:offline', { botInfo: { id: 1, is_bot: true, first_name: 'Bot', username: 'OfflineBot' } as never });
    bot.api.config.use(async (_prev, method, payload) => {
      calls.push({ method, payload: JSON.parse(JSON.stringify(payload ?? {})) });
      return { ok: true, result: true } as never;
    });
    bot.use(inline(services as Services, options));
    await bot.init();
    let update = 1;
    const query = async (userId: number, q: string): Promise<Record<string, any>> => {
      const id = `offline-${update}`;
      await bot.handleUpdate({ update_id: update++, inline_query: { id, from: from(userId), query: q, offset: '' } });
      return calls.find((c) => c.method === 'answerInlineQuery' && c.payload.inline_query_id === id)!.payload;
    };
    const chosen = (userId: number, q: string) =>
      bot.handleUpdate({ update_id: update++, chosen_inline_result: { result_id: 'answer', from: from(userId), query: q } });
    return { query, chosen, calls };
  }

  it('answers previews with `preview`, logs the chosen result with `ask`, and limits per window by its clock', async () => {
    const engine = await testEngine();
    const previewed: string[] = [];
    const asked: string[] = [];
    let now = 0;
    const { query, chosen } = await offlineBot(
      {
        engine,
        logger: pino({ level: 'silent' }),
        ask: (q, o) => (asked.push(q), engine.ask(q, o)),
      },
      {
        preview: (q, o) => (previewed.push(q), engine.ask(q, o)),
        rateLimit: { limit: 2, windowMs: 10_000 },
        state: new MemoryState({ now: () => now }),
      },
    );
    expect((await query(1, '托位')).results.length).toBeGreaterThan(0);
    expect((await query(1, '托位多少')).results.length).toBeGreaterThan(0);
    expect((await query(1, '托位多少个')).results).toEqual([]);
    expect(previewed).toEqual(['托位', '托位多少']);
    expect(asked).toEqual([]);
    // The window ends: the user may ask again.
    now += 10_001;
    expect((await query(1, '托位多少个')).results.length).toBeGreaterThan(0);
    expect(previewed).toHaveLength(3);
    await chosen(1, '托位多少个');
    expect(asked).toEqual(['托位多少个']);
  });

  it('keeps answering when the count cannot be kept; without an un-logged ask it says so and uses `ask`', async () => {
    const engine = await testEngine();
    // A ChannelEngine without ask: only what channels are typed to see.
    const channelEngine = { examples: engine.examples, outline: () => engine.outline() };
    const asked: string[] = [];
    const warnings: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(JSON.parse(line).msg) });
    const broken = new MemoryState();
    broken.incr = () => Promise.reject(new Error('state away'));
    const { query } = await offlineBot(
      { engine: channelEngine as never, logger, ask: (q, o) => (asked.push(q), engine.ask(q, o)) },
      { state: broken, rateLimit: { limit: 0, windowMs: 10_000 } },
    );
    expect(warnings.some((m) => /no un-logged ask/.test(m))).toBe(true);
    expect((await query(2, '托位')).results.length).toBeGreaterThan(0);
    expect(asked).toEqual(['托位']);
  });
});
