import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { citationLocation } from '../../../src/answer/format.ts';
import { escapeHtml } from '../../../src/channels/telegram/html.ts';
import { messages } from '../../../src/channels/telegram/messages.ts';
import { formatBeijingTime } from '../../../src/channels/telegram/render.ts';
import { hashUser } from '../../../src/store/store.ts';
import { BOT, Harness, WEBHOOK_PATH, type SentMessage } from './helpers/harness.ts';
import { visibleText } from './helpers/telegram-html.ts';

/**
 * End to end against telegram-test-api: the emulator POSTs each user message to the bot's webhook
 * (a real HTTP server on loopback) and stores what the bot sends back through the Bot API.
 */

let h: Harness;
beforeAll(async () => {
  h = await Harness.start();
});
afterAll(async () => {
  await h?.stop();
});

const buttons = (m: SentMessage): string[] => (m.payload.reply_markup?.inline_keyboard ?? []).flat().map((b: { text: string }) => b.text);

describe('start', () => {
  it('runs in webhook mode at the URL’s path, registered with the Bot API, commands attempted', () => {
    expect(h.running.mode).toBe('webhook');
    expect(h.running.username).toBe(BOT.username);
    expect(h.running.webhook?.path).toBe(WEBHOOK_PATH);
    expect(h.fake.callsOf('setWebhook')[0]?.payload).toMatchObject({ url: h.webhookUrl, allowed_updates: ['message', 'callback_query', 'inline_query', 'chosen_inline_result'] });
    // The emulator has no setMyCommands (HTTP 500): the failure was logged and ignored.
    expect(h.fake.callsOf('setMyCommands')[0]?.payload.commands.map((c: { command: string }) => c.command)).toEqual(['start', 'help', 'ask', 'outline', 'reports', 'targets', 'new', 'about']);
    expect(h.logs.some((l) => l.level === 40 && /setMyCommands/.test(l.msg))).toBe(true);
    expect(h.logs.some((l) => l.msg === 'telegram bot started' && l.mode === 'webhook' && l.username === BOT.username)).toBe(true);
  });
});

describe('private chat', () => {
  it('answers a question with the figure in bold, the verbatim quote and its location', async () => {
    const question = '今年新增多少托位';
    const expected = await h.engine.ask(question);
    const user = h.user({ userId: 101 });
    const sent = await user.say(question);
    expect(sent).toHaveLength(1);
    const reply = sent[0]!;
    expect(reply.payload.parse_mode).toBe('HTML');
    expect(expected.highlights.length).toBeGreaterThan(0);
    for (const fig of expected.highlights) expect(reply.text).toContain(`<b>${escapeHtml(fig)}</b>`);
    const top = expected.citations[0]!;
    expect(reply.text).toContain(`<blockquote>${escapeHtml(top.quote)}</blockquote>`);
    const text = visibleText(reply.text);
    expect(text).toContain(expected.answer);
    expect(text).toContain(messages.location(citationLocation(top)));
    // 相关内容 is offered exactly when the answer has further citations.
    const related = expected.citations.length > 1 ? [messages.buttons.related] : [];
    expect(buttons(reply)).toEqual([messages.buttons.paragraph, ...related, messages.buttons.up, messages.buttons.down]);
    expect(reply.payload.reply_parameters).toBeUndefined();
    // The question reached the query log through the instrumented ask, with a hashed user id.
    expect(h.store.topQuestions(50).some((q) => q.question === question)).toBe(true);
  });

  it('shows the whole paragraph and the related passages from the buttons', async () => {
    const question = '营商环境';
    const expected = await h.engine.ask(question);
    const user = h.user({ userId: 102 });
    const [answer] = await user.say(question);
    const paragraph = await user.press(answer!, messages.buttons.paragraph);
    expect(paragraph).toHaveLength(1);
    const top = expected.citations[0]!;
    expect(visibleText(paragraph[0]!.text)).toContain(top.context.text);
    expect(paragraph[0]!.text).toContain(`<b>${escapeHtml(top.quote)}</b>`);
    expect(paragraph[0]!.payload.reply_parameters?.message_id).toBe(answer!.messageId);
    const related = await user.press(answer!, messages.buttons.related);
    const text = visibleText(related[0]!.text);
    expect(text).toContain(messages.relatedTo(question));
    for (const c of expected.citations.slice(1)) expect(text).toContain(c.quote);
    const acks = h.fake.callsOf('answerCallbackQuery');
    expect(acks.length).toBeGreaterThanOrEqual(2);
  });

  it('says plainly when the report has no answer, shows the closest passage and example questions that work', async () => {
    const question = '北京的托位有多少';
    const expected = await h.engine.ask(question);
    expect(expected.found).toBe(false);
    const user = h.user({ userId: 103 });
    const [reply] = await user.say(question);
    const text = visibleText(reply!.text);
    expect(text.startsWith(expected.answer)).toBe(true);
    expect(text).toContain(messages.related);
    expect(text).toContain(expected.citations[0]!.quote);
    const offered = h.engine.examples.filter((e) => buttons(reply!).includes(e));
    expect(offered.length).toBeGreaterThanOrEqual(2);
    expect(offered.length).toBeLessThanOrEqual(3);
    // Tapping an example asks it.
    const example = offered[0]!;
    const exampleAnswer = await h.engine.ask(example);
    const sent = await user.press(reply!, example);
    expect(visibleText(sent[0]!.text)).toContain(exampleAnswer.answer);
  });

  it('answers stickers, photos, voice and documents with a request for text', async () => {
    const user = h.user({ userId: 104 });
    const kinds: Array<Record<string, unknown>> = [
      { sticker: { file_id: 's', file_unique_id: 's', type: 'regular', width: 512, height: 512, is_animated: false, is_video: false } },
      { photo: [{ file_id: 'p', file_unique_id: 'p', width: 90, height: 90 }] },
      { voice: { file_id: 'v', file_unique_id: 'v', duration: 2 } },
      { document: { file_id: 'd', file_unique_id: 'd', file_name: '报告.pdf' } },
    ];
    for (const kind of kinds) {
      const sent = await user.say(undefined, kind);
      expect(sent.map((m) => visibleText(m.text))).toEqual([messages.textOnly]);
    }
  });

  it('replies to an unknown command with a hint instead of treating it as a question', async () => {
    const user = h.user({ userId: 105 });
    const sent = await user.say('/foo', { entities: [{ type: 'bot_command', offset: 0, length: 4 }] });
    expect(sent.map((m) => visibleText(m.text))).toEqual([messages.unknownCommand]);
  });
});

describe('feedback', () => {
  it('records 👍 with the question, the top citation and a hashed user id, once per user', async () => {
    const question = '加装电梯多少部';
    const expected = await h.engine.ask(question);
    const user = h.user({ userId: 201 });
    const [answer] = await user.say(question);
    await user.press(answer!, messages.buttons.up);
    const ack = h.fake.callsOf('answerCallbackQuery').at(-1)!;
    expect(ack.payload.text).toBe(messages.feedbackThanks);

    const db = new Database(h.dbFile, { readonly: true });
    try {
      const rows = db.prepare('SELECT * FROM feedback WHERE question = ?').all(question) as Array<Record<string, unknown>>;
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        vote: 'up',
        channel: 'telegram',
        section: expected.citations[0]!.section,
        quote: expected.citations[0]!.quote,
        user_hash: hashUser('telegram', 201),
      });

      await user.press(answer!, messages.buttons.down);
      expect(h.fake.callsOf('answerCallbackQuery').at(-1)!.payload.text).toBe(messages.feedbackAgain);
      // Someone else in the chat may still vote.
      const other = h.user({ userId: 202, chatId: 201 });
      await other.press(answer!, messages.buttons.down);
      const after = db.prepare('SELECT vote, user_hash FROM feedback WHERE question = ? ORDER BY id').all(question);
      expect(after).toEqual([
        { vote: 'up', user_hash: hashUser('telegram', 201) },
        { vote: 'down', user_hash: hashUser('telegram', 202) },
      ]);
    } finally {
      db.close();
    }
    expect(h.store.feedbackCounts().byQuestion.find((q) => q.question === question)).toEqual({ question, up: 1, down: 1 });
  });

  it('answers a button whose answer is gone with a polite expiry notice', async () => {
    const user = h.user({ userId: 203 });
    const [answer] = await user.say('加装电梯多少部');
    await user.pressData(answer!, 'u:gone0000');
    expect(h.fake.callsOf('answerCallbackQuery').at(-1)!.payload.text).toBe(messages.expired);
    await user.pressData(answer!, 'not-ours');
    expect(h.fake.callsOf('answerCallbackQuery').at(-1)!.payload.text).toBe(messages.expired);
  });
});

describe('groups', () => {
  const group = (userId: number, chatId: number) => h.user({ userId, chatId, type: 'supergroup' });

  it('stays silent on messages not addressed to the bot', async () => {
    const user = group(301, -1001);
    expect(await user.say('今年新增多少托位')).toEqual([]);
    // The name in the text without a mention entity is not a mention.
    expect(await user.say(`@${BOT.username} 今年新增多少托位`)).toEqual([]);
    expect(await user.say(`@OtherBot 今年新增多少托位`, { entities: [{ type: 'mention', offset: 0, length: 9 }] })).toEqual([]);
    expect(await user.say('/ask@OtherBot 今年新增多少托位', { entities: [{ type: 'bot_command', offset: 0, length: 13 }] })).toEqual([]);
    expect(await user.say(undefined, { sticker: { file_id: 's', file_unique_id: 's', type: 'regular', width: 1, height: 1, is_animated: false, is_video: false } })).toEqual([]);
  });

  it('answers an @mention, without the mention, replying to the asking message', async () => {
    const user = group(302, -1002);
    const [text, extra] = user.mention('今年新增多少托位');
    const expected = await h.engine.ask('今年新增多少托位');
    const sent = await user.say(text, extra);
    expect(sent).toHaveLength(1);
    expect(visibleText(sent[0]!.text)).toContain(expected.answer);
    expect(sent[0]!.payload.reply_parameters).toMatchObject({ message_id: user.lastUpdateMessageId() });
    // The question was logged without the mention.
    expect(h.store.topQuestions(100).some((q) => q.question === '今年新增多少托位')).toBe(true);
    expect(h.store.topQuestions(100).some((q) => q.question.includes(BOT.username))).toBe(false);
  });

  it('answers /ask and /ask@bot, and explains an empty /ask', async () => {
    const user = group(303, -1003);
    const expected = await h.engine.ask('加装电梯多少部');
    for (const cmd of ['/ask', `/ask@${BOT.username}`]) {
      const sent = await user.say(`${cmd} 加装电梯多少部`, { entities: [{ type: 'bot_command', offset: 0, length: cmd.length }] });
      expect(sent).toHaveLength(1);
      expect(visibleText(sent[0]!.text)).toContain(expected.answer);
      expect(sent[0]!.payload.reply_parameters?.message_id).toBe(user.lastUpdateMessageId());
    }
    const usage = await user.say('/ask', { entities: [{ type: 'bot_command', offset: 0, length: 4 }] });
    const example = h.engine.examples[0]!.replace(/[??]$/, '');
    expect(usage.map((m) => visibleText(m.text))).toEqual([messages.askUsage(example)]);
    // The usage's example is one the report answers.
    expect((await h.engine.ask(example)).found).toBe(true);
  });

  it('answers a reply to its own message, and nothing else from replies', async () => {
    const user = group(304, -1004);
    const [text, extra] = user.mention('今年新增多少托位');
    const [answer] = await user.say(text, extra);
    const followUp = await user.say('加装电梯多少部', {
      reply_to_message: { message_id: answer!.messageId, date: 0, chat: { id: -1004, type: 'supergroup', title: '问答群' }, from: { id: BOT.id, is_bot: true, first_name: 'Bot', username: BOT.username }, text: 'x' },
    });
    expect(followUp).toHaveLength(1);
    expect(visibleText(followUp[0]!.text)).toContain((await h.engine.ask('加装电梯多少部')).answer);
    const toHuman = await user.say('加装电梯多少部', {
      reply_to_message: { message_id: 1, date: 0, chat: { id: -1004, type: 'supergroup', title: '问答群' }, from: { id: 9, is_bot: false, first_name: '李' }, text: 'x' },
    });
    expect(toHuman).toEqual([]);
  });

  it('ignores other bots and channel posts', async () => {
    const user = group(305, -1005);
    const [text, extra] = user.mention('今年新增多少托位');
    expect(await user.say(text, { ...extra, from: { id: 4242, is_bot: true, first_name: 'Spam', username: 'SpamBot' } })).toEqual([]);
    const res = await h.deliver({
      channel_post: { message_id: 5, date: 0, chat: { id: -1009, type: 'channel', title: '频道' }, text, entities: extra.entities } as never,
    });
    expect(res.status).toBe(200);
    expect(h.sent(-1009)).toEqual([]);
  });
});

describe('commands', () => {
  it('/start names the documents and puts example questions on a reply keyboard', async () => {
    const user = h.user({ userId: 401 });
    const [reply] = await user.say('/start', { entities: [{ type: 'bot_command', offset: 0, length: 6 }] });
    const text = visibleText(reply!.text);
    for (const d of h.engine.info.documents) expect(text).toContain(d.title);
    expect(reply!.payload.reply_markup.keyboard.flat().map((b: { text: string }) => b.text)).toEqual([...h.engine.examples]);
    // A reply-keyboard example is an ordinary question.
    const sent = await user.say(h.engine.examples[0]!);
    expect(visibleText(sent[0]!.text)).toContain((await h.engine.ask(h.engine.examples[0]!)).answer);
  });

  it('/help explains private, group and inline use with the bot’s name', async () => {
    const user = h.user({ userId: 402 });
    const [reply] = await user.say('/help', { entities: [{ type: 'bot_command', offset: 0, length: 5 }] });
    expect(visibleText(reply!.text)).toContain(`@${BOT.username}`);
    expect(visibleText(reply!.text)).toContain('/ask');
  });

  it('/about gives sources, version and index date', async () => {
    const user = h.user({ userId: 403 });
    const [reply] = await user.say('/about', { entities: [{ type: 'bot_command', offset: 0, length: 6 }] });
    const text = visibleText(reply!.text);
    expect(text).toContain(h.engine.info.documents[0]!.title);
    expect(text).toContain(messages.about.version('9.9.9-test'));
    expect(text).toContain(formatBeijingTime(h.engine.info.indexBuiltAt));
  });

  it('/outline walks the section tree by editing its message, then shows a paragraph', async () => {
    const user = h.user({ userId: 404 });
    const [menu] = await user.say('/outline', { entities: [{ type: 'bot_command', offset: 0, length: 8 }] });
    const root = h.engine.outline()[0]!;
    expect(buttons(menu!)).toHaveLength(root.children.length);
    const part = root.children.find((c) => c.children.length > 0)!;
    const partButton = buttons(menu!).find((b) => part.title.startsWith(b.replace(/…$/, '')))!;
    expect(await user.press(menu!, partButton)).toEqual([]); // edited in place, nothing new
    const edited = h.sent(404).find((m) => m.messageId === menu!.messageId)!;
    expect(visibleText(edited.text)).toContain(part.title);
    const section = part.children.find((c) => c.children.length > 0)!;
    const sectionButton = buttons(edited).find((b) => section.title.startsWith(b.replace(/…$/, '')))!;
    await user.press(edited, sectionButton);
    const topics = h.sent(404).find((m) => m.messageId === menu!.messageId)!;
    const topicsText = visibleText(topics.text);
    expect(section.children.length).toBeGreaterThan(0);
    for (const t of section.children) expect(topicsText).toContain(t.title);
    expect(buttons(topics)).toContain(messages.buttons.back);
    const topic = section.children[0]!;
    const shown = await user.press(topics, buttons(topics)[0]!);
    expect(visibleText(shown[0]!.text)).toContain(h.engine.paragraph(topic.docId, topic.paragraph!)!.text);
  });
});
