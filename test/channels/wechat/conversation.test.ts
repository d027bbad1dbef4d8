import { beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../../src/answer/index.ts';
import { CLAIM_LEASE_MS, Conversation, type InboundMessage } from '../../../src/channels/wechat/conversation.ts';
import type { CustomerService } from '../../../src/channels/wechat/customer-service.ts';
import { messages } from '../../../src/channels/wechat/messages.ts';
import { answerPages } from '../../../src/channels/wechat/render.ts';
import { DEDUP_TTL_MS, MAX_SKEW_S } from '../../../src/channels/wechat/replay.ts';
import { MemoryState } from '../../../src/shared/state.ts';
import { hashUser } from '../../../src/store/store.ts';
import { testEngine } from '../../helpers/engine.ts';
import { clock, countingAsk, deferred, longQuestion, NOW, silentLogger, widenedAsk } from './helpers.ts';

let engine: Engine;
beforeAll(async () => {
  engine = await testEngine();
});

let nextId = 7_000_000_000_000_000_000n;
function text(content: string, from = 'o_user', msgId = String(nextId++)): InboundMessage {
  return { msgType: 'text', from, to: 'gh_account', createTime: '1740816000', content, msgId };
}

function recordingService() {
  const sent: Array<{ user: string; content: string; agentId: string | undefined }> = [];
  const arrived = deferred();
  const service: CustomerService = {
    async sendText(user, content, agentId) {
      sent.push({ user, content, agentId });
      arrived.resolve();
    },
  };
  return { service, sent, arrived: arrived.promise };
}

function conversation(ask = engine.ask.bind(engine), extra: Partial<ConstructorParameters<typeof Conversation>[0]> = {}) {
  return new Conversation({
    channel: 'wechat',
    ask,
    examples: engine.examples,
    logger: silentLogger,
    now: clock().now,
    deadlineMs: 4000,
    ...extra,
  });
}

describe('Conversation', () => {
  it('answers a text message with the rendered answer and asks with the hashed user id', async () => {
    const counted = countingAsk(engine.ask.bind(engine));
    const outcome = await conversation(counted.ask).handle(text('今年新增多少托位'));
    const expected = answerPages(await engine.ask('今年新增多少托位'), engine.examples)[0];
    expect(outcome).toEqual({ kind: 'reply', text: expected });
    expect(counted.calls[0]!.options).toEqual({ channel: 'wechat', userId: hashUser('wechat', 'o_user'), conversationId: hashUser('wechat', 'o_user') });
  });

  it('shares the in-flight outcome with retries: one ask, one answer', async () => {
    const counted = countingAsk(engine.ask.bind(engine), { gated: true });
    const conv = conversation(counted.ask);
    const message = text('加装电梯多少部');
    const first = conv.handle(message);
    const second = conv.handle({ ...message });
    await counted.called(1);
    const third = conv.handle({ ...message });
    counted.open();
    const outcomes = await Promise.all([first, second, third, conv.handle({ ...message })]);
    expect(counted.calls).toHaveLength(1);
    expect(new Set(outcomes.map((o) => JSON.stringify(o))).size).toBe(1);
    expect(outcomes[0]!.kind).toBe('reply');
  });

  it('keeps 64-bit MsgIds apart even where JavaScript numbers would collide', async () => {
    const counted = countingAsk(engine.ask.bind(engine));
    const conv = conversation(counted.ask);
    expect(Number('9223372036854775807')).toBe(Number('9223372036854775806'));
    await conv.handle(text('今年新增多少托位', 'o_user', '9223372036854775807'));
    await conv.handle(text('今年新增多少托位', 'o_user', '9223372036854775806'));
    expect(counted.calls).toHaveLength(2);
  });

  it('remembers a MsgId for the whole accepted timestamp window plus a margin, then forgets it', async () => {
    const c = clock();
    const counted = countingAsk(engine.ask.bind(engine));
    const conv = conversation(counted.ask, { now: c.now });
    const message = text('今年新增多少托位');
    await conv.handle(message);
    // A signed timestamp is accepted 300 s either way: a replay can come up to 600 s after the first.
    expect(DEDUP_TTL_MS).toBeGreaterThan(2 * MAX_SKEW_S * 1000);
    for (const at of [120_000, 125_000, 290_000, 2 * MAX_SKEW_S * 1000, DEDUP_TTL_MS - 1]) {
      c.t = NOW + at;
      await conv.handle({ ...message });
    }
    expect(counted.calls).toHaveLength(1);
    c.t = NOW + DEDUP_TTL_MS;
    await conv.handle(message);
    expect(counted.calls).toHaveLength(2);
  });

  it('two replicas on one memory state: a claim not renewed for a lease lapses, and the retry on the other replica answers', async () => {
    // The lease is what lets a retry reach an answer before the platform's next try, 5 s later.
    expect(CLAIM_LEASE_MS).toBeLessThan(5000);
    const c = clock();
    const state = new MemoryState({ now: c.now });
    const stuck = countingAsk(engine.ask.bind(engine), { gated: true });
    const counted = countingAsk(engine.ask.bind(engine));
    // A stops renewing here because its heartbeat runs on real time and the state's clock jumps past it.
    const a = conversation(stuck.ask, { state, now: c.now, deadlineMs: 60_000 });
    const b = conversation(counted.ask, { state, now: c.now, deadlineMs: 50 });
    const message = text('加装电梯多少部');
    const first = a.handle(message);
    await stuck.called(1);

    c.t += CLAIM_LEASE_MS - 1;
    expect(await b.handle({ ...message })).toEqual({ kind: 'ack' }); // A's claim holds: B waits, then acknowledges
    expect(counted.calls).toHaveLength(0);
    c.t += 1;
    const expected = { kind: 'reply', text: answerPages(await engine.ask('加装电梯多少部'), engine.examples)[0] };
    expect(await b.handle({ ...message })).toEqual(expected);
    expect(counted.calls).toHaveLength(1);

    // A finishing late does not overwrite B's outcome; a third replica repeats B's.
    stuck.open();
    await first;
    const third = countingAsk(engine.ask.bind(engine));
    expect(await conversation(third.ask, { state, now: c.now }).handle({ ...message })).toEqual(expected);
    expect(third.calls).toHaveLength(0);
  });

  it('keys deliveries by sender: two users with the same MsgId are each asked and answered', async () => {
    const counted = countingAsk(engine.ask.bind(engine));
    const conv = conversation(counted.ask);
    const a = await conv.handle(text('今年新增多少托位', 'o_alice', '5000'));
    const b = await conv.handle(text('加装电梯多少部', 'o_bob', '5000'));
    expect(counted.calls.map((x) => x.question)).toEqual(['今年新增多少托位', '加装电梯多少部']);
    expect(b).toEqual({ kind: 'reply', text: answerPages(await engine.ask('加装电梯多少部'), engine.examples)[0] });
    expect(a).not.toEqual(b);
  });

  it('WeCom: the same sender and MsgId through another app (AgentID) is another message', async () => {
    const counted = countingAsk(engine.ask.bind(engine));
    const conv = conversation(counted.ask, { channel: 'wecom' });
    const base = { ...text('今年新增多少托位', 'ZhangSan', '6000'), to: 'ww_corp' };
    await conv.handle({ ...base, agentId: '1000002' });
    await conv.handle({ ...base, agentId: '1000002' });
    await conv.handle({ ...base, agentId: '1000003' });
    await conv.handle({ ...base, to: 'ww_other', agentId: '1000002' });
    expect(counted.calls).toHaveLength(3);
  });

  it('past the deadline acknowledges at once and sends the answer by the customer-service API', async () => {
    const counted = countingAsk(engine.ask.bind(engine), { gated: true });
    const cs = recordingService();
    const conv = conversation(counted.ask, { deadlineMs: 1, customerService: cs.service });
    const message = { ...text('今年新增多少托位'), agentId: '1000002' };
    expect(await conv.handle(message)).toEqual({ kind: 'ack' });
    expect(await conv.handle({ ...message })).toEqual({ kind: 'ack' });
    expect(cs.sent).toHaveLength(0);
    counted.open();
    await cs.arrived;
    await conv.idle();
    const expected = answerPages(await engine.ask('今年新增多少托位'), engine.examples)[0];
    expect(cs.sent).toEqual([{ user: 'o_user', content: expected, agentId: '1000002' }]);
    expect(counted.calls).toHaveLength(1);
  });

  it('past the deadline without a customer-service API apologises instead', async () => {
    const counted = countingAsk(engine.ask.bind(engine), { gated: true });
    const outcome = await conversation(counted.ask, { deadlineMs: 1 }).handle(text('今年新增多少托位'));
    expect(outcome).toEqual({ kind: 'reply', text: messages.slow });
    counted.open();
  });

  it('answers a failing ask with the generic failure text, and a failed send is only logged', async () => {
    const failing = async () => {
      throw new Error('index at /secret/path is unusable');
    };
    expect(await conversation(failing).handle(text('今年新增多少托位'))).toEqual({ kind: 'reply', text: messages.failure });

    const counted = countingAsk(engine.ask.bind(engine), { gated: true });
    const conv = conversation(counted.ask, {
      deadlineMs: 1,
      customerService: { sendText: () => Promise.reject(new Error('down')) },
    });
    expect(await conv.handle(text('今年新增多少托位'))).toEqual({ kind: 'ack' });
    counted.open();
    await conv.idle();
  });

  it('pages a long answer: "更多" shows the next page for 10 minutes, per user', async () => {
    const c = clock();
    const long = widenedAsk(engine);
    const conv = conversation(long, { now: c.now });
    const { question, answer } = await longQuestion(long);
    const pages = answerPages(answer, engine.examples);
    expect(pages.length).toBeGreaterThan(2);

    expect(await conv.handle(text(question))).toEqual({ kind: 'reply', text: pages[0] });
    expect(await conv.handle(text('更多', 'o_other'))).toEqual({ kind: 'reply', text: messages.noMore });
    for (const page of pages.slice(1)) {
      c.t += 9 * 60_000;
      expect(await conv.handle(text(' 更多。'))).toEqual({ kind: 'reply', text: page });
    }
    expect(await conv.handle(text('更多'))).toEqual({ kind: 'reply', text: messages.noMore });

    await conv.handle(text(question));
    c.t += 10 * 60_000;
    expect(await conv.handle(text('更多'))).toEqual({ kind: 'reply', text: messages.noMore });
  });

  it('welcomes a subscriber, asks for text instead of media, and acknowledges the rest', async () => {
    const counted = countingAsk(engine.ask.bind(engine));
    const conv = conversation(counted.ask);
    const base = { from: 'o_user', to: 'gh_account', createTime: '1740816000' };
    const welcome = await conv.handle({ ...base, msgType: 'event', event: 'subscribe' });
    expect(welcome).toEqual({ kind: 'reply', text: messages.welcome(engine.examples) });
    for (const q of engine.examples) expect(messages.welcome(engine.examples)).toContain(q);
    for (const msgType of ['image', 'video', 'shortvideo', 'location', 'link']) {
      expect(await conv.handle({ ...base, msgType, msgId: String(nextId++) })).toEqual({ kind: 'reply', text: messages.textOnly(engine.examples[0]) });
    }
    expect(await conv.handle({ ...base, msgType: 'event', event: 'unsubscribe', createTime: '1740816001' })).toEqual({ kind: 'ack' });
    expect(await conv.handle({ ...base, msgType: 'miniprogrampage', msgId: String(nextId++) })).toEqual({ kind: 'ack' });
    expect(counted.calls).toHaveLength(0);
  });
});
