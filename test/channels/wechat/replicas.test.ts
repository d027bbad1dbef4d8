import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../../src/answer/index.ts';
import type { AskFn } from '../../../src/answer/types.ts';
import { messages } from '../../../src/channels/wechat/messages.ts';
import { answerPages } from '../../../src/channels/wechat/render.ts';
import { createConfig } from '../../../src/config.ts';
import { createSharedState, type SharedState } from '../../../src/shared/state.ts';
import { testEngine } from '../../helpers/engine.ts';
import { startRedis, type TestRedis } from '../../helpers/redis.ts';
import {
  captureLogger,
  clock,
  countingAsk,
  FakePlatformApi,
  http,
  longQuestion,
  nonce,
  plainSignature,
  readXml,
  startApp,
  textXml,
  widenedAsk,
} from './helpers.ts';

/**
 * Two replicas of the Official Account callback behind one (imaginary) load balancer: two apps on two
 * ports, each with its own Redis client (as two processes would have) on one private redis-server
 * and one key prefix. One counting ask() spans both, so "asked once" means once across the replicas.
 */

const TOKEN = 'wechat-callback-token';
const APP_ID = 'wxREPLICAS0000000';
const ACCOUNT = 'gh_replicas00001';
const OPENID = 'oReplica0123456789_user';

let engine: Engine;
let redis: TestRedis;
const api = new FakePlatformApi();
const cleanup: Array<() => Promise<void>> = [];
let msgIds = 14_000_000_000_000_000_000n;
const msgId = () => String(msgIds++);
let deployments = 0;

beforeAll(async () => {
  engine = await testEngine();
  redis = await startRedis();
  await api.start();
});
afterEach(async () => {
  for (const done of cleanup.splice(0).reverse()) await done();
});
afterAll(async () => {
  await api.close();
  await redis?.stop();
});

async function replicas(o: { ask?: AskFn; gated?: boolean; deadlineMs?: number; redisUrl?: string } = {}) {
  const c = clock();
  const log = captureLogger();
  const counted = countingAsk(o.ask ?? engine.ask.bind(engine), { gated: o.gated ?? false });
  const prefix = `test:wechat-replicas:${process.pid}:${++deployments}:`;
  const config = createConfig({ WECHAT_TOKEN: TOKEN, WECHAT_APP_ID: APP_ID, WECHAT_APP_SECRET: 'app-secret', WECHAT_API_ROOT: api.url });
  const start = async () => {
    const state: SharedState = createSharedState({ redisUrl: o.redisUrl ?? redis.url, prefix, logger: log.logger });
    const app = await startApp({
      ask: counted.ask,
      config,
      logger: log.logger,
      examples: engine.examples,
      now: c.now,
      state,
      ...(o.deadlineMs !== undefined ? { deadlineMs: o.deadlineMs } : {}),
    });
    cleanup.push(() => state.close(), () => app.close());
    return { ...app, state };
  };
  const [a, b] = [await start(), await start()];
  const query = (from = OPENID) => {
    const timestamp = c.seconds();
    const n = nonce();
    return { signature: plainSignature(TOKEN, timestamp, n), timestamp, nonce: n, openid: from };
  };
  const post = (replica: { url: string }, body: string, q: Record<string, string> = query()) =>
    http(`${replica.url}/wechat?${new URLSearchParams(q)}`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body });
  const text = (content: string, id = msgId(), from = OPENID) => textXml({ from, to: ACCOUNT, content, msgId: id, createTime: c.seconds() });
  const ask = (replica: { url: string }, content: string, id = msgId()) => post(replica, text(content, id));
  return { c, log, counted, a, b, query, post, text, ask };
}

/** The reply's text, after checking it goes back to `to`. */
function content(xml: string, to = OPENID): string {
  const f = readXml(xml);
  expect(f).toMatchObject({ ToUserName: to, FromUserName: ACCOUNT, MsgType: 'text' });
  return f['Content']!;
}

const firstPage = async (question: string) => answerPages(await engine.ask(question), engine.examples)[0]!;

describe('WeChat behind a load balancer: two replicas sharing Redis', () => {
  it('a retry landing on replica B while A is still answering waits for A’s reply: asked once', async () => {
    const r = await replicas({ gated: true });
    expect([r.a.state.kind, r.b.state.kind]).toEqual(['redis', 'redis']);
    const body = r.text('加装电梯多少部');
    const signed = r.query();
    const first = r.post(r.a, body, signed);
    await r.counted.called(1);
    const retry = r.post(r.b, body, signed);
    await r.log.waitFor('duplicate delivery, waiting for the replica answering it');
    r.counted.open();
    const expected = await firstPage('加装电梯多少部');
    const [fromA, fromB] = await Promise.all([first, retry]);
    expect(content(fromA.text)).toBe(expected);
    expect(content(fromB.text)).toBe(expected);

    // Later retries, on either replica, repeat the stored reply.
    expect(content((await r.post(r.b, body, signed)).text)).toBe(expected);
    expect(content((await r.post(r.b, body, r.query())).text)).toBe(expected);
    expect(r.counted.calls).toHaveLength(1);
  });

  it('two users with the same MsgId on two replicas are each asked and answered', async () => {
    const r = await replicas();
    const id = msgId();
    const other = 'oReplicaOther_user0000';
    const mine = await r.post(r.a, r.text('今年新增多少托位', id));
    const theirs = await r.post(r.b, r.text('加装电梯多少部', id, other), r.query(other));
    expect(content(mine.text)).toBe(await firstPage('今年新增多少托位'));
    expect(content(theirs.text, other)).toBe(await firstPage('加装电梯多少部'));
    expect(r.counted.calls).toHaveLength(2);
  });

  it('past the deadline both replicas acknowledge, one answer goes by API, and the replicas fetch one access token', async () => {
    const r = await replicas({ gated: true, deadlineMs: 20 });
    const tokensBefore = api.of('/cgi-bin/token').length;
    const other = 'oReplicaLate_user00000';
    const body = r.text('今年新增多少托位');
    const signed = r.query();
    expect(await r.post(r.a, body, signed)).toMatchObject({ status: 200, text: 'success' });
    expect(await r.post(r.b, body, signed)).toMatchObject({ status: 200, text: 'success' });
    // Another user's question reaches replica B: both replicas will need a token at once.
    expect(await r.post(r.b, r.text('加装电梯多少部', msgId(), other), r.query(other))).toMatchObject({ status: 200, text: 'success' });

    const touser = (user: string) => (q: { body: unknown }) => (q.body as { touser?: string }).touser === user;
    const delivered = Promise.all([api.waitFor('/cgi-bin/message/custom/send', touser(OPENID)), api.waitFor('/cgi-bin/message/custom/send', touser(other))]);
    r.counted.open();
    const [mine, theirs] = await delivered;
    expect(mine.body).toEqual({ touser: OPENID, msgtype: 'text', text: { content: await firstPage('今年新增多少托位') } });
    expect((theirs.body as { text: { content: string } }).text.content).toBe(await firstPage('加装电梯多少部'));
    expect(r.counted.calls).toHaveLength(2);
    expect(api.of('/cgi-bin/message/custom/send').filter(touser(OPENID))).toHaveLength(1);
    expect(api.of('/cgi-bin/token').length - tokensBefore).toBe(1);
    expect(mine.query['access_token']).toBe(theirs.query['access_token']);
  });

  it('"更多" on replica B continues the pages replica A started, and back', async () => {
    const long = widenedAsk(engine);
    const r = await replicas({ ask: long });
    const { question, answer } = await longQuestion(long);
    const pages = answerPages(answer, engine.examples);
    expect(pages.length).toBeGreaterThan(2);

    const shown = [content((await r.ask(r.a, question)).text)];
    for (let i = 1; i < pages.length; i++) {
      const replica = i % 2 ? r.b : r.a;
      shown.push(content((await r.ask(replica, '更多')).text));
    }
    expect(shown).toEqual(pages);
    expect(content((await r.ask(r.b, '更多')).text)).toBe(messages.noMore);
    expect(r.counted.calls).toHaveLength(1);
  });

  it('Redis stopped mid-test: both replicas still answer (memory), and a replica still answers a retry once', async () => {
    const own = await startRedis(); // stopped below: never the Redis the other tests use
    cleanup.push(() => own.stop());
    const r = await replicas({ redisUrl: own.url });
    expect(content((await r.ask(r.a, '今年新增多少托位')).text)).toBe(await firstPage('今年新增多少托位'));

    await own.stop();
    const body = r.text('加装电梯多少部');
    const signed = r.query();
    const expected = await firstPage('加装电梯多少部');
    expect(content((await r.post(r.a, body, signed)).text)).toBe(expected);
    r.c.t += 125_000;
    expect(content((await r.post(r.a, body, signed)).text)).toBe(expected);
    expect(content((await r.ask(r.b, '今年新增多少托位')).text)).toBe(await firstPage('今年新增多少托位'));
    expect(r.counted.calls.map((c) => c.question)).toEqual(['今年新增多少托位', '加装电梯多少部', '今年新增多少托位']);
    expect(r.a.state.healthy()).toBe(false);
    expect(r.log.lines.some((l) => /Redis is unavailable/.test(String(l['msg'])))).toBe(true);
  }, 30_000);
});
