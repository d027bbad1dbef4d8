import { decrypt, encrypt, getSignature } from '@wecom/crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../../src/answer/index.ts';
import type { AskFn } from '../../../src/answer/types.ts';
import { wechatStatus } from '../../../src/channels/wechat/index.ts';
import { messages } from '../../../src/channels/wechat/messages.ts';
import { answerPages } from '../../../src/channels/wechat/render.ts';
import { createConfig } from '../../../src/config.ts';
import { hashUser } from '../../../src/store/store.ts';
import { testEngine } from '../../helpers/engine.ts';
import {
  clock,
  countingAsk,
  encodingAesKey,
  eventXml,
  FakePlatformApi,
  http,
  mediaXml,
  nonce,
  readXml,
  silentLogger,
  startApp,
  textXml,
  XXE,
} from './helpers.ts';

/**
 * The WeCom self-built app callback end to end, the platform side played by @wecom/crypto.
 */

const VECTOR = {
  token: 'QDG6eK',
  key: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
  corpId: 'wx5823bf96d3bd56c7',
  signature: '5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3',
  timestamp: '1409659589',
  nonce: '263014780',
  echostr: 'P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==',
  plain: '1616140317555161061',
};

const TOKEN = 'wecom-callback-token';
const CORP_ID = 'ww0123456789abcdef';
const AGENT_ID = '1000002';
const USER = 'ZhangSan';

let engine: Engine;
const api = new FakePlatformApi();
const running: Array<{ close: () => Promise<void> }> = [];
let msgIds = 12_000_000_000_000_000_000n;
const msgId = () => String(msgIds++);

beforeAll(async () => {
  engine = await testEngine();
  await api.start();
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.close()));
});
afterAll(() => api.close());

async function harness(o: { ask?: AskFn; gated?: boolean; deadlineMs?: number; env?: Record<string, string> } = {}) {
  const c = clock();
  const counted = countingAsk(o.ask ?? engine.ask.bind(engine), { gated: o.gated ?? false });
  const key = encodingAesKey();
  const config = createConfig({
    WECOM_TOKEN: TOKEN,
    WECOM_ENCODING_AES_KEY: key,
    WECOM_CORP_ID: CORP_ID,
    WECOM_AGENT_ID: AGENT_ID,
    WECOM_SECRET: 'corp-secret',
    WECOM_API_ROOT: api.url,
    ...o.env,
  });
  const app = await startApp({
    ask: counted.ask,
    config,
    logger: silentLogger,
    examples: engine.examples,
    now: c.now,
    ...(o.deadlineMs !== undefined ? { deadlineMs: o.deadlineMs } : {}),
  });
  running.push(app);

  /** Posts `inner` as the platform does: encrypted for `receiver`, signed, in the callback envelope. */
  const post = (inner: string, options: { receiver?: string; signWith?: string } = {}) => {
    const encrypted = encrypt(key, inner, options.receiver ?? CORP_ID);
    const timestamp = c.seconds();
    const n = nonce();
    const query = {
      msg_signature: getSignature(options.signWith ?? TOKEN, timestamp, n, encrypted),
      timestamp,
      nonce: n,
    };
    const body = `<xml><ToUserName><![CDATA[${CORP_ID}]]></ToUserName><AgentID><![CDATA[${AGENT_ID}]]></AgentID><Encrypt><![CDATA[${encrypted}]]></Encrypt></xml>`;
    return http(`${app.url}/wecom?${new URLSearchParams(query)}`, { method: 'POST', body });
  };
  const ask = (content: string, id = msgId()) =>
    post(textXml({ from: USER, to: CORP_ID, content, msgId: id, createTime: c.seconds(), agentId: AGENT_ID }));

  /** Checks the encrypted reply's signature and receiver with the peer package; returns its text. */
  const open = (xml: string): string => {
    const envelope = readXml(xml);
    const encrypted = envelope['Encrypt']!;
    expect(envelope['MsgSignature']).toBe(getSignature(TOKEN, envelope['TimeStamp']!, envelope['Nonce']!, encrypted));
    const { message, id } = decrypt(key, encrypted);
    expect(id).toBe(CORP_ID);
    const f = readXml(message);
    expect(f).toMatchObject({ ToUserName: USER, FromUserName: CORP_ID, CreateTime: c.seconds(), MsgType: 'text' });
    return f['Content']!;
  };
  return { c, counted, key, app, post, ask, open };
}

describe('WeCom: URL verification', () => {
  async function vectorApp(now: number) {
    const app = await startApp({
      ask: engine.ask.bind(engine),
      config: createConfig({ WECOM_TOKEN: VECTOR.token, WECOM_ENCODING_AES_KEY: VECTOR.key, WECOM_CORP_ID: VECTOR.corpId }),
      logger: silentLogger,
      examples: engine.examples,
      now: () => now,
    });
    running.push(app);
    return app;
  }

  it('answers the decrypted echostr of the official vector', async () => {
    const app = await vectorApp(Number(VECTOR.timestamp) * 1000);
    const query = { msg_signature: VECTOR.signature, timestamp: VECTOR.timestamp, nonce: VECTOR.nonce, echostr: VECTOR.echostr };
    expect(await http(`${app.url}/wecom?${new URLSearchParams(query)}`)).toMatchObject({ status: 200, text: VECTOR.plain });
    // Some senders leave '+' unescaped; URL decoding turns it into a space.
    const raw = `msg_signature=${VECTOR.signature}&timestamp=${VECTOR.timestamp}&nonce=${VECTOR.nonce}&echostr=${VECTOR.echostr.replace(/=/g, '%3D')}`;
    expect(await http(`${app.url}/wecom?${raw}`)).toMatchObject({ status: 200, text: VECTOR.plain });

    const wrong = { ...query, msg_signature: VECTOR.signature.replace('5c45', '5c46') };
    expect(await http(`${app.url}/wecom?${new URLSearchParams(wrong)}`)).toMatchObject({ status: 403, text: '' });
  });

  it('refuses the official vector five minutes later (replay)', async () => {
    const app = await vectorApp((Number(VECTOR.timestamp) + 301) * 1000);
    const query = { msg_signature: VECTOR.signature, timestamp: VECTOR.timestamp, nonce: VECTOR.nonce, echostr: VECTOR.echostr };
    expect(await http(`${app.url}/wecom?${new URLSearchParams(query)}`)).toMatchObject({ status: 403, text: '' });
  });

  it('refuses an echostr encrypted for another corp id', async () => {
    const h = await harness();
    const echostr = encrypt(h.key, '42', 'wwSOMEONEELSE0000');
    const timestamp = h.c.seconds();
    const query = { msg_signature: getSignature(TOKEN, timestamp, '1', echostr), timestamp, nonce: '1', echostr };
    expect(await http(`${h.app.url}/wecom?${new URLSearchParams(query)}`)).toMatchObject({ status: 403, text: '' });
  });

  it('answers 404 when WECOM_TOKEN is not set', async () => {
    const app = await startApp({ ask: engine.ask.bind(engine), config: createConfig({}), logger: silentLogger, examples: engine.examples });
    running.push(app);
    expect((await http(`${app.url}/wecom`)).status).toBe(404);
    expect((await http(`${app.url}/wecom`, { method: 'POST', body: '<xml/>' })).status).toBe(404);
  });
});

describe('WeCom: messages (always encrypted)', () => {
  it('answers a text message with an encrypted, signed passive reply', async () => {
    const h = await harness();
    const res = await h.ask('今年新增多少托位');
    expect(res.status).toBe(200);
    expect(res.contentType).toMatch(/xml/);
    expect(res.text).not.toContain('托位');
    const answer = await engine.ask('今年新增多少托位');
    const content = h.open(res.text);
    expect(content).toBe(answerPages(answer, engine.examples)[0]);
    expect(content).toContain(`「${answer.citations[0]!.quote}」`);
    expect(h.counted.calls).toEqual([{ question: '今年新增多少托位', options: { channel: 'wecom', userId: hashUser('wecom', USER), conversationId: hashUser('wecom', USER) } }]);
  });

  it('refuses a message for another corp id, a wrong signature, a missing Encrypt and XXE', async () => {
    const h = await harness();
    const inner = () => textXml({ from: USER, to: CORP_ID, content: '今年新增多少托位', msgId: msgId(), createTime: h.c.seconds() });
    expect(await h.post(inner(), { receiver: 'wwSOMEONEELSE0000' })).toMatchObject({ status: 403, text: '' });
    expect(await h.post(inner(), { signWith: 'other-token' })).toMatchObject({ status: 403, text: '' });
    const timestamp = h.c.seconds();
    const plain = await http(`${h.app.url}/wecom?${new URLSearchParams({ msg_signature: getSignature(TOKEN, timestamp, '1', ''), timestamp, nonce: '1' })}`, {
      method: 'POST',
      body: inner(),
    });
    expect(plain.status).toBe(400);
    const xxe = await h.post(XXE);
    expect(xxe.status).toBe(400);
    expect(xxe.text).toBe('');
    expect(h.counted.calls).toHaveLength(0);
  });

  it('answers a retried MsgId once with the same reply', async () => {
    const h = await harness();
    const id = '9223372036854775807';
    const first = h.open((await h.ask('加装电梯多少部', id)).text);
    const retry = h.open((await h.ask('加装电梯多少部', id)).text);
    expect(retry).toBe(first);
    expect(h.counted.calls).toHaveLength(1);
    await h.ask('加装电梯多少部', '9223372036854775806');
    expect(h.counted.calls).toHaveLength(2);
  });

  it('keys de-duplication by sender and app: the same MsgId from another user or another AgentID is asked again', async () => {
    const h = await harness();
    const id = msgId();
    const expected = async (q: string) => answerPages(await engine.ask(q), engine.examples)[0];
    expect(h.open((await h.ask('今年新增多少托位', id)).text)).toBe(await expected('今年新增多少托位'));
    const other = await h.post(textXml({ from: 'LiSi', to: CORP_ID, content: '加装电梯多少部', msgId: id, createTime: h.c.seconds(), agentId: AGENT_ID }));
    const f = readXml(decrypt(h.key, readXml(other.text)['Encrypt']!).message);
    expect(f).toMatchObject({ ToUserName: 'LiSi', Content: await expected('加装电梯多少部') });
    await h.post(textXml({ from: USER, to: CORP_ID, content: '今年新增多少托位', msgId: id, createTime: h.c.seconds(), agentId: '1000003' }));
    expect(h.counted.calls.map((c) => [c.question, c.options?.userId])).toEqual([
      ['今年新增多少托位', hashUser('wecom', USER)],
      ['加装电梯多少部', hashUser('wecom', 'LiSi')],
      ['今年新增多少托位', hashUser('wecom', USER)],
    ]);
  });

  it('answers a user who writes <!DOCTYPE html> in the text, refuses a DOCTYPE in the decrypted XML', async () => {
    const h = await harness();
    const question = '<!DOCTYPE html> 今年新增多少托位';
    const res = await h.ask(question);
    expect(res.status).toBe(200);
    expect(h.open(res.text)).toBe(answerPages(await engine.ask(question), engine.examples)[0]);
    expect(await h.post(XXE.replace('<MsgId>1</MsgId>', `<MsgId>${msgId()}</MsgId>`))).toMatchObject({ status: 400, text: '' });
    expect(h.counted.calls.map((c) => c.question)).toEqual([question]);
  });

  it('past the deadline answers an empty 200 and delivers through /cgi-bin/message/send', async () => {
    const h = await harness({ gated: true, deadlineMs: 20 });
    const id = msgId();
    const tokensBefore = api.of('/cgi-bin/gettoken').length;
    expect(await h.ask('今年新增多少托位', id)).toMatchObject({ status: 200, text: '' });
    expect(await h.ask('今年新增多少托位', id)).toMatchObject({ status: 200, text: '' });
    const delivered = api.waitFor('/cgi-bin/message/send', (r) => (r.body as { touser?: string }).touser === USER);
    h.counted.open();
    const sent = await delivered;
    const expected = answerPages(await engine.ask('今年新增多少托位'), engine.examples)[0];
    expect(sent.body).toEqual({ touser: USER, msgtype: 'text', agentid: Number(AGENT_ID), text: { content: expected }, safe: 0 });
    expect(api.of('/cgi-bin/gettoken').slice(tokensBefore).at(-1)?.query).toEqual({ corpid: CORP_ID, corpsecret: 'corp-secret' });
    expect(sent.query['access_token']).toMatch(/^wecom-token-\d+$/);
    expect(h.counted.calls).toHaveLength(1);
  });

  it('welcomes a new member, asks for text instead of media, and acknowledges other events', async () => {
    const h = await harness();
    const welcome = await h.post(eventXml({ from: USER, to: CORP_ID, event: 'subscribe', createTime: h.c.seconds() }));
    expect(h.open(welcome.text)).toBe(messages.welcome(engine.examples));
    const image = await h.post(mediaXml({ from: USER, to: CORP_ID, msgType: 'image', msgId: msgId() }));
    expect(h.open(image.text)).toBe(messages.textOnly(engine.examples[0]));
    expect(await h.post(eventXml({ from: USER, to: CORP_ID, event: 'enter_agent' }))).toMatchObject({ status: 200, text: '' });
    expect(h.counted.calls).toHaveLength(0);
  });
});

describe('wechatStatus', () => {
  it('says which callbacks are on and why, in developer English', () => {
    const off = wechatStatus(createConfig({}));
    expect(off).toEqual({
      wechat: { enabled: false, why: 'off, WECHAT_TOKEN not set' },
      wecom: { enabled: false, why: 'off, WECOM_TOKEN not set' },
    });
    const on = wechatStatus(
      createConfig({
        WECHAT_TOKEN: 't',
        WECHAT_ENCODING_AES_KEY: encodingAesKey(),
        WECHAT_APP_ID: 'wx1',
        WECOM_TOKEN: 't',
        WECOM_ENCODING_AES_KEY: encodingAesKey(),
        WECOM_CORP_ID: 'ww1',
        WECOM_SECRET: 's',
        WECOM_AGENT_ID: '1000002',
      }),
    );
    expect(on.wechat.enabled).toBe(true);
    expect(on.wechat.why).toMatch(/safe mode.*customer-service API off \(WECHAT_APP_ID and WECHAT_APP_SECRET not set\)/);
    expect(on.wecom).toEqual({ enabled: true, why: 'on at /wecom, customer-service API on' });
    for (const s of [off.wechat, off.wecom, on.wechat, on.wecom]) expect(s.why).toMatch(/^[\x20-\x7e]+$/);
  });
});
