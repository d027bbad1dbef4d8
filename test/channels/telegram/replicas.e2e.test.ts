import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { NO_SECRET_WARNING } from '../../../src/channels/telegram/index.ts';
import { messages } from '../../../src/channels/telegram/messages.ts';
import { createSharedState, type SharedState } from '../../../src/shared/state.ts';
import { startRedis, type TestRedis } from '../../helpers/redis.ts';
import { captureLogger } from '../../server/support.ts';
import { Harness } from './helpers/harness.ts';
import { visibleText } from './helpers/telegram-html.ts';

/**
 * Updates delivered again (Telegram retries a webhook whose answer was slow or lost), and several
 * replicas of one bot behind one webhook URL sharing their state in Redis.
 */

const harnesses: Harness[] = [];
const states: SharedState[] = [];
let redis: TestRedis | undefined;
afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((x) => x.stop()));
  await Promise.all(states.splice(0).map((s) => s.close()));
  await redis?.stop();
  redis = undefined;
});

async function start(options: Parameters<typeof Harness.start>[0] = {}): Promise<Harness> {
  const h = await Harness.start(options);
  harnesses.push(h);
  return h;
}

const question = (updateId: number, userId: number, text: string) => ({
  update_id: updateId,
  message: {
    message_id: updateId,
    date: Math.floor(Date.now() / 1000),
    chat: { id: userId, type: 'private' as const, first_name: '钱' },
    from: { id: userId, is_bot: false, first_name: '钱' },
    text,
  },
});

const texts = (h: Harness, chat: number): string[] => h.sent(chat).map((m) => visibleText(m.text));

describe('an update delivered twice', () => {
  it('is acknowledged both times and answered once', async () => {
    const h = await start();
    const first = await h.deliver(question(424242, 3101, '加装电梯多少部'));
    const again = await h.deliver(question(424242, 3101, '加装电梯多少部'));
    expect(first.status).toBe(200);
    expect(again.status).toBe(200);
    expect(h.sent(3101)).toHaveLength(1);
    expect(h.logs.find((l) => l.msg === 'telegram update delivered again; already handled')).toMatchObject({ update_id: 424242 });
    // Another update (same text, new id) is answered as usual.
    await h.deliver(question(424243, 3101, '加装电梯多少部'));
    expect(h.sent(3101)).toHaveLength(2);
  });
});

describe('webhook secret', () => {
  it('warns loudly at start when the webhook has no secret, and not otherwise', async () => {
    const open = await start();
    expect(open.logs.find((l) => l.msg === NO_SECRET_WARNING)).toMatchObject({ level: 40 });
    expect(NO_SECRET_WARNING).toBe('webhook without a secret: anyone who learns the URL can post updates; set TELEGRAM_WEBHOOK_SECRET');
    // Logged at start, before the bot is even on.
    expect(open.logs.findIndex((l) => l.msg === NO_SECRET_WARNING)).toBeLessThan(open.logs.findIndex((l) => l.msg?.startsWith('Telegram: on')));

    const guarded = await start({ webhookSecret: 'S3cret_token-2' });
    expect(guarded.logs.some((l) => l.msg === NO_SECRET_WARNING)).toBe(false);
  });
});

describe('two replicas sharing Redis', () => {
  async function replicas(): Promise<{ a: Harness; b: Harness; redis: TestRedis; prefix: string }> {
    redis = await startRedis();
    const prefix = `tg-replicas:${process.pid}:${Date.now()}:`;
    const shared = (): SharedState => {
      const s = createSharedState({ redisUrl: redis!.url, prefix, logger: captureLogger().logger });
      states.push(s);
      return s;
    };
    // One bot (one token), two processes: each with its own emulator standing in for Telegram.
    const token = `424200:replica-token-${process.pid}-abcdefghij`;
    const rateLimit = { limit: 2, windowMs: 60_000 };
    const a = await start({ token, state: shared(), rateLimit });
    const b = await start({ token, state: shared(), rateLimit });
    return { a, b, redis, prefix };
  }

  it('handle an update delivered to both once, and count a user’s questions across both', async () => {
    const { a, b, redis, prefix } = await replicas();

    const [ra, rb] = await Promise.all([a.deliver(question(510001, 3201, '加装电梯多少部')), b.deliver(question(510001, 3201, '加装电梯多少部'))]);
    expect([ra.status, rb.status]).toEqual([200, 200]);
    expect(a.sent(3201).length + b.sent(3201).length).toBe(1);

    // Limit 2 per window: the second question on b, the third back on a.
    const user = 3202;
    await a.deliver(question(510002, user, '今年新增多少托位'));
    await b.deliver(question(510003, user, '加装电梯多少部'));
    await a.deliver(question(510004, user, '营商环境'));
    await b.deliver(question(510005, user, '营商环境'));
    const answer = (q: string) => a.engine.ask(q).then((x) => x.answer);
    expect(texts(a, user)).toHaveLength(2);
    expect(texts(a, user)[0]).toContain(await answer('今年新增多少托位'));
    expect(texts(a, user)[1]).toBe(messages.rateLimited);
    expect(texts(b, user)).toHaveLength(1);
    expect(texts(b, user)[0]).toContain(await answer('加装电梯多少部'));

    // The keys are in Redis, under the deployment's prefix.
    const client = new Redis(redis.url);
    try {
      const keys = await client.keys(`${prefix}*`);
      expect(keys).toEqual(expect.arrayContaining([`${prefix}telegram:update:424200:510001`, `${prefix}telegram:question:${user}`]));
      expect(await client.pttl(`${prefix}telegram:update:424200:510001`)).toBeGreaterThan(23 * 3600 * 1000);
    } finally {
      client.disconnect();
    }
  });

  it('keep answering when Redis goes away mid-conversation (each from its own memory)', async () => {
    const { a, b, redis } = await replicas();
    await a.deliver(question(520001, 3301, '加装电梯多少部'));
    expect(a.sent(3301)).toHaveLength(1);

    await redis.stop();
    const ra = await a.deliver(question(520002, 3301, '今年新增多少托位'));
    const rb = await b.deliver(question(520003, 3302, '营商环境'));
    expect([ra.status, rb.status]).toEqual([200, 200]);
    expect(texts(a, 3301)).toHaveLength(2);
    expect(texts(a, 3301)[1]).toContain((await a.engine.ask('今年新增多少托位')).answer);
    expect(texts(b, 3302)[0]).toContain((await b.engine.ask('营商环境')).answer);
    // A replay to the same replica is still caught, from memory.
    await a.deliver(question(520002, 3301, '今年新增多少托位'));
    expect(texts(a, 3301)).toHaveLength(2);
  });
});
