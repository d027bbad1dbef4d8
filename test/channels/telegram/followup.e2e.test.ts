import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withConversation } from '../../../src/answer/conversation.ts';
import type { Engine } from '../../../src/answer/index.ts';
import { messages as answerMessages } from '../../../src/answer/messages.ts';
import { MemoryState } from '../../../src/shared/state.ts';
import { testEngine } from '../../helpers/engine.ts';
import { Harness } from './helpers/harness.ts';
import { visibleText } from './helpers/telegram-html.ts';

/** Follow-ups in Telegram against telegram-test-api: per private chat, and per member in a group. */
let h: Harness;
let engine: Engine;

beforeAll(async () => {
  engine = await testEngine();
  const state = new MemoryState();
  h = await Harness.start({ ask: (real) => withConversation(real, { engine, state }) });
}, 60_000);
afterAll(async () => {
  await h?.stop();
});

describe('follow-ups in Telegram', () => {
  it('a private chat’s follow-up is read against its last answer, and the reply says how it was read', async () => {
    const user = h.user({ userId: 801 });
    await user.say('今年新增多少托位');
    const [reply] = await user.say('加装电梯呢');
    const text = visibleText(reply!.text);
    const reading = engine.followUp('加装电梯呢', engine.followUp('今年新增多少托位', undefined).context).interpretedAs!;
    expect(text.startsWith(answerMessages.interpretedAs(reading))).toBe(true);
    expect(text).toContain((await engine.ask(engine.followUp('加装电梯呢', engine.followUp('今年新增多少托位', undefined).context).question)).answer.slice(0, 10));
    expect(h.fake.violations).toEqual([]);
  });

  it('in a group, each member’s follow-ups read against their own questions only', async () => {
    const a = h.user({ userId: 802, chatId: -100802, type: 'group' });
    const b = h.user({ userId: 803, chatId: -100802, type: 'group' });
    await a.say('/ask 今年新增多少托位', { entities: [{ type: 'bot_command', offset: 0, length: 4 }] });
    const [theirs] = await b.say('/ask 去年呢', { entities: [{ type: 'bot_command', offset: 0, length: 4 }] });
    expect(visibleText(theirs!.text)).toContain(answerMessages.followUpWithoutContext);
    const [mine] = await a.say('/ask 加装电梯呢', { entities: [{ type: 'bot_command', offset: 0, length: 4 }] });
    expect(visibleText(mine!.text)).toContain('理解');
  });

  it('/new forgets', async () => {
    const user = h.user({ userId: 804 });
    await user.say('今年新增多少托位');
    const [reset] = await user.say('/new', { entities: [{ type: 'bot_command', offset: 0, length: 4 }] });
    expect(visibleText(reset!.text)).toContain(answerMessages.conversationReset);
    const [after] = await user.say('加装电梯呢');
    expect(visibleText(after!.text)).not.toContain('理解)');
  });
});
