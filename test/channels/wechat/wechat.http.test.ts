import { Readable } from 'node:stream';
import WXBizMsgCrypt from 'wechat-crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { citationLocation } from '../../../src/answer/format.ts';
import type { Engine } from '../../../src/answer/index.ts';
import type { AskFn } from '../../../src/answer/types.ts';
import { messages } from '../../../src/channels/wechat/messages.ts';
import { answerPages, MAX_MESSAGE_BYTES, renderAnswer } from '../../../src/channels/wechat/render.ts';
import { createConfig } from '../../../src/config.ts';
import type { Logger } from '../../../src/logger.ts';
import { hashUser } from '../../../src/store/store.ts';
import { testEngine } from '../../helpers/engine.ts';
import { plainText, targetsTable } from '../../../src/targets/command.ts';
import { withConversation } from '../../../src/answer/conversation.ts';
import { MemoryState } from '../../../src/shared/state.ts';
import {
  BILLION_LAUGHS,
  captureLogger,
  clock,
  countingAsk,
  encodingAesKey,
  eventXml,
  FakePlatformApi,
  http,
  longQuestion,
  mediaXml,
  nonce,
  NOW,
  plainSignature,
  readXml,
  silentLogger,
  startApp,
  textXml,
  widenedAsk,
  XXE,
} from './helpers.ts';

/**
 * The Official Account callback end to end: the app on a real socket, the platform played by
 * fetch plus the independent wechat-crypto / @wecom/crypto packages, and the customer-service API
 * played by a loopback server.
 */

const TOKEN = 'wechat-callback-token';
const APP_ID = 'wx0a1b2c3d4e5f6a7b';
const ACCOUNT = 'gh_0123456789ab';
const OPENID = 'oAbCdEf0123456789_user';

let engine: Engine;
const api = new FakePlatformApi();
const running: Array<{ close: () => Promise<void> }> = [];
let msgIds = 10_000_000_000_000_000_000n;
const msgId = () => String(msgIds++);

beforeAll(async () => {
  engine = await testEngine();
  await api.start();
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.close()));
});
afterAll(() => api.close());

interface HarnessOptions {
  ask?: AskFn;
  gated?: boolean;
  aes?: boolean;
  deadlineMs?: number;
  logger?: Logger;
  start?: number;
}

async function harness(o: HarnessOptions = {}) {
  const c = clock(o.start);
  const counted = countingAsk(o.ask ?? engine.ask.bind(engine), { gated: o.gated ?? false });
  const key = encodingAesKey();
  const config = createConfig({
    WECHAT_TOKEN: TOKEN,
    WECHAT_APP_ID: APP_ID,
    WECHAT_APP_SECRET: 'app-secret',
    WECHAT_API_ROOT: api.url,
    ...(o.aes ? { WECHAT_ENCODING_AES_KEY: key } : {}),
  });
  const app = await startApp({
    ask: counted.ask,
    config,
    logger: o.logger ?? silentLogger,
    examples: engine.examples,
    targets: (args: string) => {
      const table = targetsTable(engine, args);
      return table ? plainText(table) : undefined;
    },
    now: c.now,
    ...(o.deadlineMs !== undefined ? { deadlineMs: o.deadlineMs } : {}),
  });
  running.push(app);
  const query = (extra: Record<string, string> = {}) => {
    const timestamp = c.seconds();
    const n = nonce();
    return { signature: plainSignature(TOKEN, timestamp, n), timestamp, nonce: n, openid: OPENID, ...extra };
  };
  const post = (body: string, q: Record<string, string> = query()) =>
    http(`${app.url}/wechat?${new URLSearchParams(q)}`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body });
  const ask = (content: string, id = msgId()) => post(textXml({ from: OPENID, to: ACCOUNT, content, msgId: id, createTime: c.seconds() }));
  return { c, counted, key, app, query, post, ask, peer: new WXBizMsgCrypt(TOKEN, key, APP_ID) };
}

/** The reply XML's text, after checking it is addressed back to the user. */
function replyContent(xml: string, now: string): string {
  const f = readXml(xml);
  expect(f).toMatchObject({ ToUserName: OPENID, FromUserName: ACCOUNT, CreateTime: now, MsgType: 'text' });
  return f['Content']!;
}

async function expectedFirstPage(question: string, ask: AskFn = engine.ask.bind(engine)): Promise<string> {
  return answerPages(await ask(question), engine.examples)[0]!;
}

describe('Official Account: URL verification', () => {
  const VECTOR = { timestamp: '1714036504', nonce: '1514711492', signature: 'f464b24fc39322e44b38aa78f5edd27bd1441696' };

  it('answers echostr for the official vector (token AAAAA)', async () => {
    const c = clock(Number(VECTOR.timestamp) * 1000);
    const app = await startApp({
      ask: engine.ask.bind(engine),
      config: createConfig({ WECHAT_TOKEN: 'AAAAA' }),
      logger: silentLogger,
      examples: engine.examples,
      now: c.now,
    });
    running.push(app);
    const echostr = '5837397520665436492';
    const ok = await http(`${app.url}/wechat?${new URLSearchParams({ ...VECTOR, echostr })}`);
    expect(ok).toMatchObject({ status: 200, text: echostr });

    const wrong = await http(`${app.url}/wechat?${new URLSearchParams({ ...VECTOR, signature: VECTOR.signature.replace('f', 'e'), echostr })}`);
    expect(wrong).toMatchObject({ status: 403, text: '' });
    c.t += 301_000;
    const stale = await http(`${app.url}/wechat?${new URLSearchParams({ ...VECTOR, echostr })}`);
    expect(stale).toMatchObject({ status: 403, text: '' });
  });

  it('answers 404 on both methods when WECHAT_TOKEN is not set, even behind a catch-all route', async () => {
    const app = await startApp({ ask: engine.ask.bind(engine), config: createConfig({}), logger: silentLogger, examples: engine.examples });
    running.push(app);
    expect((await http(`${app.url}/wechat?echostr=1`)).status).toBe(404);
    expect((await http(`${app.url}/wechat`, { method: 'POST', body: '<xml/>' })).status).toBe(404);
    expect((await http(`${app.url}/`)).text).toBe('web page');
  });
});

describe('Official Account: plaintext mode', () => {
  it('answers a text message passively with the rendered real answer', async () => {
    const h = await harness();
    const res = await h.ask('今年新增多少托位');
    expect(res.status).toBe(200);
    expect(res.contentType).toMatch(/xml/);
    const content = replyContent(res.text, h.c.seconds());

    const answer = await engine.ask('今年新增多少托位');
    expect(content).toBe(renderAnswer(answer, engine.examples));
    expect(content.startsWith(answer.answer)).toBe(true);
    for (const c of answer.citations) {
      expect(content).toContain(`「${c.quote}」`);
      expect(content).toContain(citationLocation(c));
    }
    expect(h.counted.calls).toEqual([{ question: '今年新增多少托位', options: { channel: 'wechat', userId: hashUser('wechat', OPENID), conversationId: hashUser('wechat', OPENID) } }]);
  });

  it('a voice message with recognised text is answered like text, starting with what was heard; without it, a request for text', async () => {
    const h = await harness();
    const voice = (recognition: string | undefined, id = msgId()) =>
      h.post(
        `<xml><ToUserName><![CDATA[${ACCOUNT}]]></ToUserName><FromUserName><![CDATA[${OPENID}]]></FromUserName><CreateTime>${h.c.seconds()}</CreateTime>` +
          `<MsgType><![CDATA[voice]]></MsgType><MediaId><![CDATA[media-1]]></MediaId><Format><![CDATA[amr]]></Format>` +
          `${recognition === undefined ? '' : `<Recognition><![CDATA[${recognition}]]></Recognition>`}<MsgId>${id}</MsgId></xml>`,
      );
    const heard = replyContent((await voice('今年新增多少托位')).text, h.c.seconds());
    expect(heard.startsWith(messages.heard('今年新增多少托位'))).toBe(true);
    expect(heard).toContain((await engine.ask('今年新增多少托位')).answer);
    expect(replyContent((await voice(undefined)).text, h.c.seconds())).toBe(messages.voiceWithoutText);
    expect(replyContent((await voice('')).text, h.c.seconds())).toBe(messages.voiceWithoutText);
    expect(h.counted.calls.map((c) => c.question)).toEqual(['今年新增多少托位']);
  });

  it('a follow-up from the same user is read against the last answer and says how', async () => {
    const state = new MemoryState();
    const converse = withConversation(engine.ask.bind(engine), { engine, state });
    const h = await harness({ ask: converse });
    replyContent((await h.ask('今年新增多少托位')).text, h.c.seconds());
    const next = replyContent((await h.ask('加装电梯呢')).text, h.c.seconds());
    expect(next.startsWith('(按“')).toBe(true);
    expect(next).toContain('理解)');
  });

  it('目标一览 answers the targets table as text, paged with 更多, without asking the engine', async () => {
    const h = await harness();
    const table = targetsTable(engine, '')!;
    expect(table.rows.length).toBeGreaterThan(0);
    const content = replyContent((await h.ask('目标一览')).text, h.c.seconds());
    expect(content).toContain(table.title);
    for (const [indicator, value] of table.rows) expect(content).toContain(`${indicator}:${value}`);
    expect(Buffer.byteLength(content)).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    expect(replyContent((await h.ask('目标一览 火星')).text, h.c.seconds())).toBe(messages.targetsUnknown);
    expect(h.counted.calls).toEqual([]);
  });

  it('refuses a wrong or missing signature with a bare 403 and never asks', async () => {
    const h = await harness();
    const body = textXml({ from: OPENID, to: ACCOUNT, content: '今年新增多少托位', msgId: msgId() });
    const q = h.query();
    const wrong = await h.post(body, { ...q, signature: plainSignature('other-token', q.timestamp, q.nonce) });
    expect(wrong).toMatchObject({ status: 403, text: '' });
    const { signature: _, ...unsigned } = h.query();
    expect(await h.post(body, unsigned)).toMatchObject({ status: 403, text: '' });
    expect(h.counted.calls).toHaveLength(0);
  });

  it('refuses a timestamp more than 5 minutes away (replay), accepts one within', async () => {
    const h = await harness();
    const at = (offsetS: number) => {
      const timestamp = String(Math.floor(h.c.t / 1000) + offsetS);
      const n = nonce();
      return { signature: plainSignature(TOKEN, timestamp, n), timestamp, nonce: n, openid: OPENID };
    };
    const body = () => textXml({ from: OPENID, to: ACCOUNT, content: '今年新增多少托位', msgId: msgId() });
    expect(await h.post(body(), at(-301))).toMatchObject({ status: 403, text: '' });
    expect(await h.post(body(), at(301))).toMatchObject({ status: 403, text: '' });
    expect(await h.post(body(), { ...at(0), timestamp: 'abc' })).toMatchObject({ status: 403, text: '' });
    expect(h.counted.calls).toHaveLength(0);
    expect((await h.post(body(), at(-299))).status).toBe(200);
    expect(h.counted.calls).toHaveLength(1);
  });

  it('answers a retried MsgId once: the retry in flight shares the first answer, a later one repeats it', async () => {
    const log = captureLogger();
    const h = await harness({ gated: true, logger: log.logger });
    const id = '18446744073709551615';
    const first = h.ask('加装电梯多少部', id);
    await h.counted.called(1);
    const retry = h.ask('加装电梯多少部', id);
    await log.waitFor('duplicate delivery, sharing the first outcome');
    h.counted.open();
    const [a, b] = await Promise.all([first, retry]);
    const later = await h.ask('加装电梯多少部', id);
    expect(h.counted.calls).toHaveLength(1);
    const expected = await expectedFirstPage('加装电梯多少部');
    for (const res of [a, b, later]) expect(replyContent(res.text, h.c.seconds())).toBe(expected);
  });

  it('answers the same signed request once however late it is replayed within the accepted window (125 s, 290 s)', async () => {
    const h = await harness();
    const body = textXml({ from: OPENID, to: ACCOUNT, content: '加装电梯多少部', msgId: msgId(), createTime: h.c.seconds() });
    const signed = h.query();
    const first = replyContent((await h.post(body, signed)).text, h.c.seconds());
    expect(first).toBe(await expectedFirstPage('加装电梯多少部'));
    for (const after of [125, 290]) {
      h.c.t = NOW + after * 1000;
      const replay = await h.post(body, signed);
      expect(replay.status).toBe(200);
      expect(replyContent(replay.text, h.c.seconds())).toBe(first);
    }
    expect(h.counted.calls).toHaveLength(1);
  });

  it("keys de-duplication by sender: another user's message with the same MsgId is asked and gets its own answer", async () => {
    const h = await harness();
    const other = 'oZyXwV9876543210_other';
    const id = msgId();
    const mine = await h.ask('今年新增多少托位', id);
    const theirs = await h.post(textXml({ from: other, to: ACCOUNT, content: '加装电梯多少部', msgId: id, createTime: h.c.seconds() }));
    expect(h.counted.calls).toEqual([
      { question: '今年新增多少托位', options: { channel: 'wechat', userId: hashUser('wechat', OPENID), conversationId: hashUser('wechat', OPENID) } },
      { question: '加装电梯多少部', options: { channel: 'wechat', userId: hashUser('wechat', other), conversationId: hashUser('wechat', other) } },
    ]);
    expect(replyContent(mine.text, h.c.seconds())).toBe(await expectedFirstPage('今年新增多少托位'));
    const f = readXml(theirs.text);
    expect(f).toMatchObject({ ToUserName: other, FromUserName: ACCOUNT, MsgType: 'text' });
    expect(f['Content']).toBe(await expectedFirstPage('加装电梯多少部'));
  });

  it('answers a user who writes <!DOCTYPE html> (in CDATA or escaped), refuses a DOCTYPE in the envelope', async () => {
    const h = await harness();
    const question = '<!DOCTYPE html> 今年新增多少托位';
    const cdata = await h.ask(question);
    expect(cdata.status).toBe(200);
    expect(replyContent(cdata.text, h.c.seconds())).toBe(await expectedFirstPage(question));
    const escaped = textXml({ from: OPENID, to: ACCOUNT, content: '', msgId: msgId(), createTime: h.c.seconds() }).replace(
      '<Content><![CDATA[]]></Content>',
      '<Content>&lt;!DOCTYPE html&gt; 今年新增多少托位</Content>',
    );
    expect((await h.post(escaped)).status).toBe(200);
    expect(h.counted.calls.map((c) => c.question)).toEqual([question, question]);

    const declared = '<!DOCTYPE xml [<!ENTITY x "y">]>' + textXml({ from: OPENID, to: ACCOUNT, content: question, msgId: msgId(), createTime: h.c.seconds() });
    expect(await h.post(declared)).toMatchObject({ status: 400, text: '' });
    expect(h.counted.calls).toHaveLength(2);
  });

  it('rejects an XXE payload and a billion-laughs payload with 400, never echoing a file', async () => {
    const h = await harness();
    const xxe = await h.post(XXE);
    expect(xxe.status).toBe(400);
    expect(xxe.text).not.toMatch(/root:|nologin/);
    expect((await h.post(BILLION_LAUGHS)).status).toBe(400);
    expect((await h.post('<xml><a>unclosed</xml>')).status).toBe(400);
    expect(h.counted.calls).toHaveLength(0);
  });

  it('refuses a body over 64 KB, declared or streamed, and accepts one of exactly 64 KB', async () => {
    const h = await harness();
    const sized = (bytes: number) => {
      const base = textXml({ from: OPENID, to: ACCOUNT, content: '今年新增多少托位', msgId: msgId(), createTime: h.c.seconds() });
      return base.replace('</xml>', `${' '.repeat(bytes - Buffer.byteLength(base))}</xml>`);
    };
    const over = sized(64 * 1024 + 1);
    expect(Buffer.byteLength(over)).toBe(64 * 1024 + 1);
    expect(await h.post(over)).toMatchObject({ status: 413, text: '' });

    const streamed = await fetch(`${h.app.url}/wechat?${new URLSearchParams(h.query())}`, {
      method: 'POST',
      body: Readable.toWeb(Readable.from([Buffer.from(over.slice(0, 40_000)), Buffer.from(over.slice(40_000))])) as ReadableStream,
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(h.counted.calls).toHaveLength(0);

    const exact = sized(64 * 1024);
    expect(Buffer.byteLength(exact)).toBe(64 * 1024);
    expect((await h.post(exact)).status).toBe(200);
    expect(h.counted.calls).toHaveLength(1);
  });

  it('splits a long answer into messages of at most 2048 bytes; "更多" pages through it for 10 minutes', async () => {
    const long = widenedAsk(engine);
    const h = await harness({ ask: long });
    const { question, answer } = await longQuestion(long);
    const full = renderAnswer(answer, engine.examples);
    const hint = `\n\n${messages.moreHint}`;

    const pages = [replyContent((await h.ask(question)).text, h.c.seconds())];
    while (pages.at(-1)!.endsWith(hint)) {
      h.c.t += 60_000;
      const res = await h.ask('更多');
      pages.push(replyContent(res.text, h.c.seconds()));
      expect(pages.length).toBeLessThan(20);
    }
    expect(pages.length).toBeGreaterThan(2);
    for (const page of pages) expect(Buffer.byteLength(page, 'utf8')).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    const bodies = pages.map((p) => (p.endsWith(hint) ? p.slice(0, -hint.length) : p));
    const squash = (s: string) => s.replace(/\s+/g, '');
    expect(squash(bodies.join(''))).toBe(squash(full));
    // Every cut falls after a sentence or at a line break of the full text.
    let at = 0;
    for (const body of bodies.slice(0, -1)) {
      const start = full.indexOf(body, at);
      expect(start).toBeGreaterThanOrEqual(at);
      at = start + body.length;
      expect(/[。!?;」”]$/.test(body) || full[at] === '\n', body.slice(-30)).toBe(true);
    }

    expect(replyContent((await h.ask('更多')).text, h.c.seconds())).toBe(messages.noMore);
    await h.ask(question);
    h.c.t += 10 * 60_000;
    expect(replyContent((await h.ask('更多')).text, h.c.seconds())).toBe(messages.noMore);
    expect(h.counted.calls.map((c) => c.question)).toEqual([question, question]);
  });

  it('past the deadline answers "success" at once and delivers through the customer-service API', async () => {
    const h = await harness({ gated: true, deadlineMs: 20 });
    const id = msgId();
    const tokensBefore = api.of('/cgi-bin/token').length;
    const first = await h.ask('今年新增多少托位', id);
    expect(first).toMatchObject({ status: 200, text: 'success' });
    const retry = await h.ask('今年新增多少托位', id);
    expect(retry).toMatchObject({ status: 200, text: 'success' });

    const delivered = api.waitFor('/cgi-bin/message/custom/send', (r) => (r.body as { touser?: string }).touser === OPENID);
    h.counted.open();
    const sent = await delivered;
    expect(sent.method).toBe('POST');
    expect(sent.body).toEqual({ touser: OPENID, msgtype: 'text', text: { content: await expectedFirstPage('今年新增多少托位') } });
    const token = api.of('/cgi-bin/token').slice(tokensBefore).at(-1);
    expect(token?.query).toEqual({ grant_type: 'client_credential', appid: APP_ID, secret: 'app-secret' });
    expect(sent.query['access_token']).toMatch(/^wechat-token-\d+$/);
    expect(h.counted.calls).toHaveLength(1);
  });

  it('welcomes a subscriber, asks for text instead of media, and answers "success" to anything else', async () => {
    const h = await harness();
    const welcome = await h.post(eventXml({ from: OPENID, to: ACCOUNT, event: 'subscribe', createTime: h.c.seconds() }));
    const text = replyContent(welcome.text, h.c.seconds());
    expect(text).toBe(messages.welcome(engine.examples));
    for (const q of engine.examples) expect(text).toContain(q);

    for (const msgType of ['image', 'video', 'location', 'link']) {
      const res = await h.post(mediaXml({ from: OPENID, to: ACCOUNT, msgType, msgId: msgId() }));
      expect(replyContent(res.text, h.c.seconds())).toBe(messages.textOnly(engine.examples[0]));
    }
    expect(await h.post(eventXml({ from: OPENID, to: ACCOUNT, event: 'VIEW' }))).toMatchObject({ status: 200, text: 'success' });
    expect(await h.post(mediaXml({ from: OPENID, to: ACCOUNT, msgType: 'miniprogrampage', msgId: msgId() }))).toMatchObject({
      status: 200,
      text: 'success',
    });
    expect(h.counted.calls).toHaveLength(0);
  });
});

describe('Official Account: safe and compatible modes (platform side: wechat-crypto)', () => {
  function encryptedQuery(h: Awaited<ReturnType<typeof harness>>, encrypt: string) {
    const q = h.query({ encrypt_type: 'aes' });
    return { ...q, msg_signature: h.peer.getSignature(q.timestamp, q.nonce, encrypt) };
  }

  function openReply(h: Awaited<ReturnType<typeof harness>>, xml: string): string {
    const envelope = readXml(xml);
    const encrypt = envelope['Encrypt']!;
    expect(envelope['MsgSignature']).toBe(h.peer.getSignature(envelope['TimeStamp']!, envelope['Nonce']!, encrypt));
    expect(envelope['TimeStamp']).toBe(h.c.seconds());
    const { message, id } = h.peer.decrypt(encrypt);
    expect(id).toBe(APP_ID);
    return replyContent(message, h.c.seconds());
  }

  it('safe mode: decrypts the message and answers encrypted and signed', async () => {
    const h = await harness({ aes: true });
    const inner = textXml({ from: OPENID, to: ACCOUNT, content: '今年新增多少托位', msgId: msgId(), createTime: h.c.seconds() });
    const encrypt = h.peer.encrypt(inner);
    const res = await h.post(`<xml><ToUserName><![CDATA[${ACCOUNT}]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`, encryptedQuery(h, encrypt));
    expect(res.status).toBe(200);
    expect(res.text).not.toContain('托位');
    expect(openReply(h, res.text)).toBe(await expectedFirstPage('今年新增多少托位'));
  });

  it('compatible mode: answers the encrypted message, not the unauthenticated plaintext beside it, and encrypts the reply', async () => {
    const h = await harness({ aes: true });
    const id = msgId();
    const inner = textXml({ from: OPENID, to: ACCOUNT, content: '今年新增多少托位', msgId: id, createTime: h.c.seconds() });
    const encrypt = h.peer.encrypt(inner);
    const plain = textXml({ from: OPENID, to: ACCOUNT, content: '加装电梯多少部', msgId: id, createTime: h.c.seconds() });
    const body = plain.replace('</xml>', `<Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`);
    const res = await h.post(body, encryptedQuery(h, encrypt));
    expect(openReply(h, res.text)).toBe(await expectedFirstPage('今年新增多少托位'));
    expect(h.counted.calls.map((c) => c.question)).toEqual(['今年新增多少托位']);
  });

  it('refuses a message encrypted for another app id, a bad msg_signature and a plaintext downgrade', async () => {
    const h = await harness({ aes: true });
    const inner = textXml({ from: OPENID, to: ACCOUNT, content: '今年新增多少托位', msgId: msgId(), createTime: h.c.seconds() });
    const envelope = (encrypt: string) => `<xml><ToUserName><![CDATA[${ACCOUNT}]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`;

    const foreign = new WXBizMsgCrypt(TOKEN, h.key, 'wxSOMEOTHERAPPID00').encrypt(inner);
    expect(await h.post(envelope(foreign), encryptedQuery(h, foreign))).toMatchObject({ status: 403, text: '' });

    const encrypt = h.peer.encrypt(inner);
    const q = encryptedQuery(h, encrypt);
    expect(await h.post(envelope(encrypt), { ...q, msg_signature: h.peer.getSignature(q.timestamp, q.nonce, foreign) })).toMatchObject({
      status: 403,
      text: '',
    });
    const otherKey = new WXBizMsgCrypt(TOKEN, encodingAesKey(), APP_ID).encrypt(inner);
    expect(await h.post(envelope(otherKey), encryptedQuery(h, otherKey))).toMatchObject({ status: 403, text: '' });

    expect((await h.post(inner)).status).toBe(400);
    expect(h.counted.calls).toHaveLength(0);
  });

  it('safe mode: answers <!DOCTYPE html> in the decrypted text (CDATA or escaped), refuses a DOCTYPE in the inner XML', async () => {
    const h = await harness({ aes: true });
    const envelope = (encrypt: string) => `<xml><ToUserName><![CDATA[${ACCOUNT}]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`;
    const send = (inner: string) => {
      const encrypt = h.peer.encrypt(inner);
      return h.post(envelope(encrypt), encryptedQuery(h, encrypt));
    };
    const question = '<!DOCTYPE html> 加装电梯多少部';
    const expected = await expectedFirstPage(question);
    const cdata = await send(textXml({ from: OPENID, to: ACCOUNT, content: question, msgId: msgId(), createTime: h.c.seconds() }));
    expect(cdata.status).toBe(200);
    expect(openReply(h, cdata.text)).toBe(expected);
    const escaped = textXml({ from: OPENID, to: ACCOUNT, content: '', msgId: msgId(), createTime: h.c.seconds() }).replace(
      '<Content><![CDATA[]]></Content>',
      '<Content>&lt;!DOCTYPE html&gt; 加装电梯多少部</Content>',
    );
    expect(openReply(h, (await send(escaped)).text)).toBe(expected);
    expect(h.counted.calls.map((c) => c.question)).toEqual([question, question]);

    const declared = XXE.replace('<MsgId>1</MsgId>', `<MsgId>${msgId()}</MsgId>`);
    expect(await send(declared)).toMatchObject({ status: 400, text: '' });
    expect(h.counted.calls).toHaveLength(2);
  });

  it('keeps URL verification plain in safe mode', async () => {
    const h = await harness({ aes: true });
    const res = await http(`${h.app.url}/wechat?${new URLSearchParams({ ...h.query(), echostr: 'hello123' })}`);
    expect(res).toMatchObject({ status: 200, text: 'hello123' });
  });
});
