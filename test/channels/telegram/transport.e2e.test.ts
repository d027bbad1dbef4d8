import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Answer, AskFn } from '../../../src/answer/types.ts';
import { escapeHtml } from '../../../src/channels/telegram/html.ts';
import { messages } from '../../../src/channels/telegram/messages.ts';
import { shorten } from '../../../src/channels/telegram/render.ts';
import { Harness } from './helpers/harness.ts';
import { parseTelegramHtml, visibleText } from './helpers/telegram-html.ts';

/**
 * End to end with a fake Bot API transformer beneath auto-retry for what telegram-test-api lacks:
 * answerInlineQuery, sendChatAction, a 429, and Telegram's length and HTML checks (the fake refuses
 * what Telegram would refuse, so a violation shows up as a failed send).
 */

const LONG = '请给我一个很长的回答';
const POISON = '这个问题会让引擎出错';
const SLOW = '慢一点:今年新增多少托位';

let h: Harness;
/** Set by a test: the slow question waits for it (the typing indicator) before answering. */
let gate: Promise<unknown> | undefined;

function longQuote(): string {
  const parts: string[] = [];
  for (let n = 0; h.engine.paragraph('shibei-2025', n); n++) parts.push(h.engine.paragraph('shibei-2025', n)!.text);
  return `${parts.join('\n')}\n${parts.join('')}`;
}

const wrap = (real: AskFn): AskFn => async (question, options) => {
  if (question === POISON) throw new Error('index file /secret/path/lexical.json is corrupt');
  if (question === SLOW) {
    await gate;
    return real('今年新增多少托位', options);
  }
  if (question === LONG) {
    const a = await real('今年新增多少托位', options);
    return { ...a, question, citations: [{ ...a.citations[0]!, quote: longQuote() }, ...a.citations.slice(1)] };
  }
  return real(question, options);
};

beforeAll(async () => {
  h = await Harness.start({ ask: wrap });
});
afterAll(async () => {
  await h?.stop();
  expect(h.fake.violations).toEqual([]);
});

const inlineQuery = (id: string, query: string, userId = 501) => ({
  inline_query: { id, from: { id: userId, is_bot: false, first_name: '王' }, query, offset: '', chat_type: 'supergroup' as const },
});

describe('inline mode', () => {
  it('answers @bot <query> with at most five articles: short answer, section, answer + quote', async () => {
    const expected = await h.engine.ask('营商环境');
    const res = await h.deliver(inlineQuery('iq-1', '  营商环境 '));
    expect(res.status).toBe(200);
    const call = h.fake.callsOf('answerInlineQuery').find((c) => c.payload.inline_query_id === 'iq-1')!;
    const results = call.payload.results as Array<Record<string, any>>;
    expect(results.length).toBeGreaterThan(0);
    expect(results.length).toBeLessThanOrEqual(5);
    expect(results.every((r) => r.type === 'article')).toBe(true);
    expect(results[0]!.title).toBe(shorten(expected.answer, 60));
    expect(results[0]!.description).toBe(shorten(expected.citations[0]!.section, 120));
    const text = visibleText(results[0]!.input_message_content.message_text);
    expect(text).toContain(expected.answer);
    expect(text).toContain(expected.citations[0]!.quote);
    expect(results[0]!.input_message_content.parse_mode).toBe('HTML');
  });

  it('lists the example questions for an empty query, each ready with its answer', async () => {
    await h.deliver(inlineQuery('iq-2', ''));
    const results = h.fake.callsOf('answerInlineQuery').find((c) => c.payload.inline_query_id === 'iq-2')!.payload.results as Array<Record<string, any>>;
    expect(results.map((r) => r.title)).toEqual(h.engine.examples.slice(0, 5));
    const first = await h.engine.ask(h.engine.examples[0]!);
    expect(visibleText(results[0]!.input_message_content.message_text)).toContain(first.answer);
  });

  it('escapes a hostile query in the posted message', async () => {
    await h.deliver(inlineQuery('iq-3', '<b>&</b><script> 托位有多少'));
    const results = h.fake.callsOf('answerInlineQuery').find((c) => c.payload.inline_query_id === 'iq-3')!.payload.results as Array<Record<string, any>>;
    const html = results[0]!.input_message_content.message_text as string;
    expect(html).not.toContain('<script>');
    expect(visibleText(html)).toContain(messages.inline.question('<b>&</b><script> 托位有多少'));
  });
});

describe('typing indicator', () => {
  it('sends "typing" while a slow answer is prepared, and still answers', async () => {
    const user = h.user({ userId: 601 });
    const typing = h.fake.nextCall('sendChatAction');
    gate = typing;
    const sent = await user.say(SLOW);
    const call = await typing;
    expect(call.payload).toMatchObject({ chat_id: 601, action: 'typing' });
    expect(visibleText(sent[0]!.text)).toContain((await h.engine.ask('今年新增多少托位')).answer);
  });

  it('ignores a failing chat action', async () => {
    const user = h.user({ userId: 602 });
    const logsBefore = h.logs.length;
    h.fake.respondOnce('sendChatAction', { ok: false, error_code: 400, description: 'Bad Request: not enough rights' });
    gate = h.fake.nextCall('sendChatAction');
    const sent = await user.say(SLOW);
    expect(sent).toHaveLength(1);
    expect(visibleText(sent[0]!.text)).toContain((await h.engine.ask('今年新增多少托位')).answer);
    expect(h.logs.slice(logsBefore).some((l) => l.msg === 'telegram update failed')).toBe(false);
  });
});

describe('auto-retry', () => {
  it('retries a 429 after retry_after and delivers the answer once', async () => {
    const user = h.user({ userId: 701 });
    const before = h.fake.callsOf('sendMessage').length;
    h.fake.respondOnce('sendMessage', {
      ok: false,
      error_code: 429,
      description: 'Too Many Requests: retry after 1',
      parameters: { retry_after: 1 },
    });
    const sent = await user.say('加装电梯多少部');
    expect(sent).toHaveLength(1);
    const attempts = h.fake.callsOf('sendMessage').slice(before);
    expect(attempts).toHaveLength(2);
    expect(attempts[1]!.payload.text).toBe(attempts[0]!.payload.text);
    expect(sent[0]!.text).toBe(attempts[0]!.payload.text);
  });
});

describe('long answers', () => {
  it('splits on block boundaries into messages of at most 4096 characters, keyboard on the last', async () => {
    const user = h.user({ userId: 801, chatId: -2001, type: 'supergroup' });
    const sent = await user.say(`/ask ${LONG}`, { entities: [{ type: 'bot_command', offset: 0, length: 4 }] });
    expect(sent.length).toBeGreaterThanOrEqual(3);
    for (const m of sent) {
      expect(m.text.length).toBeLessThanOrEqual(4096);
      expect(parseTelegramHtml(m.text).ok).toBe(true);
    }
    const text = sent.map((m) => visibleText(m.text)).join('');
    expect(text.replace(/\n/g, '')).toContain(longQuote().replace(/\n/g, ''));
    expect(sent[0]!.payload.reply_parameters?.message_id).toBe(user.lastUpdateMessageId());
    expect(sent.slice(1).every((m) => m.payload.reply_parameters === undefined)).toBe(true);
    expect(sent.slice(0, -1).every((m) => m.payload.reply_markup === undefined)).toBe(true);
    expect(sent.at(-1)!.payload.reply_markup.inline_keyboard.length).toBeGreaterThan(0);
  });
});

describe('hostile input', () => {
  it('escapes <b>&</b><script> wherever the question is shown', async () => {
    const question = '<b>&</b><script> 营商环境';
    const expected: Answer = await h.engine.ask(question);
    expect(expected.citations.length).toBeGreaterThan(1);
    const user = h.user({ userId: 901 });
    const [answer] = await user.say(question);
    expect(visibleText(answer!.text)).toContain(expected.answer);
    const [related] = await user.press(answer!, messages.buttons.related);
    expect(related!.text).toContain(escapeHtml(messages.relatedTo(question)));
    expect(related!.text).not.toContain('<script>');
    expect(visibleText(related!.text)).toContain(messages.relatedTo(question));

    const group = h.user({ userId: 902, chatId: -2002, type: 'group' });
    const sent = await group.say(`/ask ${question}`, { entities: [{ type: 'bot_command', offset: 0, length: 4 }] });
    expect(sent).toHaveLength(1);
    expect(h.fake.violations).toEqual([]);
  });
});

describe('error boundary', () => {
  it('logs the update id, apologises without details, and keeps answering', async () => {
    const user = h.user({ userId: 1001 });
    const handlerErrors = async () => (await h.metrics.errors.get()).values.find((v) => v.labels.kind === 'handler')?.value ?? 0;
    const errorsBefore = await handlerErrors();
    const sent = await user.say(POISON);
    expect(sent.map((m) => visibleText(m.text))).toEqual([messages.apology]);
    const updateId = h.updates.at(-1)!.update_id;
    const log = h.logs.find((l) => l.msg === 'telegram update failed' && l.update_id === updateId);
    expect(log).toMatchObject({ level: 50 });
    expect(log!.err.message).toContain('corrupt');
    expect(await handlerErrors()).toBe(errorsBefore + 1);

    const next = await user.say('加装电梯多少部');
    expect(visibleText(next[0]!.text)).toContain((await h.engine.ask('加装电梯多少部')).answer);
  });
});
