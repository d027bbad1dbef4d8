import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { getSignature } from '@wecom/crypto';
import contentDisposition from 'content-disposition';
import { XMLParser } from 'fast-xml-parser';
import { Hono } from 'hono';
import { pino, type Logger } from 'pino';
import type { Answer, AskFn, AskOptions } from '../../../src/answer/types.ts';
import type { Engine } from '../../../src/answer/engine.ts';
import { createWechatRoutes, MAX_MESSAGE_BYTES, renderAnswer, type WechatRoutesDeps } from '../../../src/channels/wechat/index.ts';

/**
 * Test fixtures for the WeChat / WeCom channel: the app on a real socket, a loopback fake of the
 * platforms' HTTP API, the platform side of signing (via the independent peer packages), a clock, a
 * counting and gateable ask, and a logger whose lines can be awaited.
 */

/** 2025-03-01T08:00:00Z: every test clock starts here. */
export const NOW = Date.UTC(2025, 2, 1, 8, 0, 0);

export interface Clock {
  t: number;
  now: () => number;
  /** Current time in whole seconds, as the platforms put it in `timestamp`. */
  seconds: () => string;
}

export function clock(start = NOW): Clock {
  const c: Clock = {
    t: start,
    now: () => c.t,
    seconds: () => String(Math.floor(c.t / 1000)),
  };
  return c;
}

/** A fresh EncodingAESKey: 43 base64 characters (32 bytes). */
export function encodingAesKey(): string {
  return randomBytes(32).toString('base64').slice(0, 43);
}

export interface Deferred<T = void> {
  promise: Promise<T>;
  resolve: (value: T) => void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Wraps ask: counts calls, records options, and (when gated) holds every answer until `open()`. */
export function countingAsk(ask: AskFn, options: { gated?: boolean } = {}) {
  const gate = deferred();
  if (!options.gated) gate.resolve();
  const calls: Array<{ question: string; options: AskOptions | undefined }> = [];
  const entered: Array<Deferred> = [deferred()];
  const fn: AskFn = async (question, opts) => {
    calls.push({ question, options: opts });
    entered[calls.length - 1]?.resolve();
    entered.push(deferred());
    await gate.promise;
    return ask(question, opts);
  };
  return {
    ask: fn,
    calls,
    open: () => gate.resolve(),
    /** Resolves when ask() has been called `n` times. */
    called: async (n = 1) => {
      while (calls.length < n) await entered[calls.length]!.promise;
    },
  };
}

/** A pino logger at debug level whose lines the test can read and await. */
export function captureLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const waiters: Array<{ msg: string; done: Deferred<Record<string, unknown>> }> = [];
  const logger: Logger = pino(
    { level: 'debug', base: undefined },
    {
      write(line: string) {
        const entry = JSON.parse(line) as Record<string, unknown>;
        lines.push(entry);
        for (const w of waiters.filter((x) => x.msg === entry['msg'])) {
          waiters.splice(waiters.indexOf(w), 1);
          w.done.resolve(entry);
        }
      },
    },
  );
  return {
    logger,
    lines,
    waitFor(msg: string): Promise<Record<string, unknown>> {
      const seen = lines.find((l) => l['msg'] === msg);
      if (seen) return Promise.resolve(seen);
      const done = deferred<Record<string, unknown>>();
      waiters.push({ msg, done });
      return done.promise;
    },
  };
}

export const silentLogger: Logger = pino({ level: 'silent' });

/** The routes mounted the way the server does (`app.route('/', …)`), served on 127.0.0.1:0. */
export async function startApp(deps: WechatRoutesDeps): Promise<{ url: string; close: () => Promise<void> }> {
  const app = new Hono();
  app.route('/', createWechatRoutes(deps));
  app.get('*', (c) => c.text('web page'));
  const server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s as Server));
  });
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => closeServer(server) };
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.closeAllConnections();
    server.close((err) => (err ? reject(err) : resolve()));
  });
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
}

/** A file the fake serves at /cgi-bin/media/get?media_id=…, as the platform does. */
export interface FakeMedia {
  bytes: Buffer;
  /** Sent in Content-Disposition (RFC 6266, `filename*` for non-Latin names); none when absent. */
  name?: string;
  contentType?: string;
  /** Sent without Content-Length (chunked), so only reading it tells its size. */
  chunked?: boolean;
  /** The connection is dropped after this many bytes of the file (a download cut off half-way). */
  cutAfter?: number;
}

/** The fake's answer: JSON, or a file's bytes. */
type FakeAnswer = { json: unknown } | { file: FakeMedia };

/**
 * The platforms' HTTP API on loopback: /cgi-bin/token (Official Account), /cgi-bin/gettoken (WeCom),
 * the two send endpoints and /cgi-bin/media/get serving `media`. Tokens are numbered
 * (`wechat-token-1`, …, also in `issued`); a token in `rejected` makes a send or a download answer
 * errcode 40001, one in `expired` errcode 42001, and an unknown media id is errcode 40007 — JSON in
 * place of the file, as the platform answers.
 */
export class FakePlatformApi {
  readonly requests: RecordedRequest[] = [];
  readonly rejected = new Set<string>();
  readonly expired = new Set<string>();
  readonly issued: string[] = [];
  readonly media = new Map<string, FakeMedia>();
  url = '';
  #server: Server | undefined;
  #issued = 0;
  #waiters: Array<{ match: (r: RecordedRequest) => boolean; done: Deferred<RecordedRequest> }> = [];

  async start(): Promise<this> {
    this.#server = createServer((req, res) => {
      void this.#handle(req).then(
        (answer) => {
          if ('json' in answer) {
            res.writeHead(200, { 'content-type': 'application/json' });
            res.end(JSON.stringify(answer.json));
            return;
          }
          const f = answer.file;
          res.writeHead(200, {
            'content-type': f.contentType ?? 'application/octet-stream',
            ...(f.name ? { 'content-disposition': contentDisposition(f.name) } : {}),
            ...(f.chunked ? {} : { 'content-length': String(f.bytes.length) }),
          });
          if (f.cutAfter !== undefined) {
            res.write(f.bytes.subarray(0, f.cutAfter), () => res.destroy());
            return;
          }
          if (!f.chunked) return void res.end(f.bytes);
          // In pieces, so the client sees a stream of unknown length.
          for (let at = 0; at < f.bytes.length; at += 1 << 20) res.write(f.bytes.subarray(at, at + (1 << 20)));
          res.end();
        },
        () => {
          res.writeHead(500);
          res.end();
        },
      );
    });
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this;
  }

  close(): Promise<void> {
    return this.#server ? closeServer(this.#server) : Promise.resolve();
  }

  of(path: string): RecordedRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  /** The first request (already received or still to come) on `path` matching `match`. */
  waitFor(path: string, match: (r: RecordedRequest) => boolean = () => true): Promise<RecordedRequest> {
    const full = (r: RecordedRequest) => r.path === path && match(r);
    const seen = this.requests.find(full);
    if (seen) return Promise.resolve(seen);
    const done = deferred<RecordedRequest>();
    this.#waiters.push({ match: full, done });
    return done.promise;
  }

  async #handle(req: IncomingMessage): Promise<FakeAnswer> {
    const url = new URL(req.url ?? '/', 'http://x');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const recorded: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      body: text ? (JSON.parse(text) as unknown) : undefined,
    };
    this.requests.push(recorded);
    for (const w of this.#waiters.filter((x) => x.match(recorded))) {
      this.#waiters.splice(this.#waiters.indexOf(w), 1);
      w.done.resolve(recorded);
    }
    const token = recorded.query['access_token'] ?? '';
    const tokenError = this.rejected.has(token)
      ? { errcode: 40001, errmsg: 'invalid credential' }
      : this.expired.has(token)
        ? { errcode: 42001, errmsg: 'access_token expired' }
        : undefined;
    const issue = (platform: string) => {
      const issued = `${platform}-token-${++this.#issued}`;
      this.issued.push(issued);
      return issued;
    };
    switch (url.pathname) {
      case '/cgi-bin/token':
        return { json: { access_token: issue('wechat'), expires_in: 7200 } };
      case '/cgi-bin/gettoken':
        return { json: { errcode: 0, errmsg: 'ok', access_token: issue('wecom'), expires_in: 7200 } };
      case '/cgi-bin/message/custom/send':
      case '/cgi-bin/message/send':
        return { json: tokenError ?? { errcode: 0, errmsg: 'ok' } };
      case '/cgi-bin/media/get': {
        const file = this.media.get(recorded.query['media_id'] ?? '');
        if (tokenError) return { json: tokenError };
        return file ? { file } : { json: { errcode: 40007, errmsg: 'invalid media_id' } };
      }
      default:
        return { json: { errcode: 404, errmsg: 'no such api' } };
    }
  }
}

/** Reads the platform's or our XML in tests: flat fields, CDATA unwrapped, values kept as strings. */
export function readXml(xml: string): Record<string, string> {
  const doc = new XMLParser({ processEntities: false, parseTagValue: false }).parse(xml) as { xml?: Record<string, unknown> };
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(doc.xml ?? {})) out[k] = String(v);
  return out;
}

/** A text message as the platform sends it (CDATA fields, numeric CreateTime, 64-bit MsgId). */
export function textXml(m: { from: string; to: string; content: string; msgId: string; createTime?: string; agentId?: string }): string {
  return (
    `<xml><ToUserName><![CDATA[${m.to}]]></ToUserName><FromUserName><![CDATA[${m.from}]]></FromUserName>` +
    `<CreateTime>${m.createTime ?? Math.floor(NOW / 1000)}</CreateTime><MsgType><![CDATA[text]]></MsgType>` +
    `<Content><![CDATA[${m.content}]]></Content><MsgId>${m.msgId}</MsgId>` +
    (m.agentId ? `<AgentID>${m.agentId}</AgentID>` : '') +
    `</xml>`
  );
}

export function eventXml(m: { from: string; to: string; event: string; createTime?: string }): string {
  return (
    `<xml><ToUserName><![CDATA[${m.to}]]></ToUserName><FromUserName><![CDATA[${m.from}]]></FromUserName>` +
    `<CreateTime>${m.createTime ?? Math.floor(NOW / 1000)}</CreateTime><MsgType><![CDATA[event]]></MsgType>` +
    `<Event><![CDATA[${m.event}]]></Event></xml>`
  );
}

/** A file message as the WeCom app receives it: MediaId, and the file's name when given. */
export function fileXml(m: { from: string; to: string; mediaId: string; msgId: string; fileName?: string; createTime?: string; agentId?: string }): string {
  return (
    `<xml><ToUserName><![CDATA[${m.to}]]></ToUserName><FromUserName><![CDATA[${m.from}]]></FromUserName>` +
    `<CreateTime>${m.createTime ?? Math.floor(NOW / 1000)}</CreateTime><MsgType><![CDATA[file]]></MsgType>` +
    `<MediaId><![CDATA[${m.mediaId}]]></MediaId>` +
    (m.fileName !== undefined ? `<FileName><![CDATA[${m.fileName}]]></FileName>` : '') +
    `<MsgId>${m.msgId}</MsgId>` +
    (m.agentId ? `<AgentID>${m.agentId}</AgentID>` : '') +
    `</xml>`
  );
}

export function mediaXml(m: { from: string; to: string; msgType: string; msgId: string }): string {
  return (
    `<xml><ToUserName><![CDATA[${m.to}]]></ToUserName><FromUserName><![CDATA[${m.from}]]></FromUserName>` +
    `<CreateTime>${Math.floor(NOW / 1000)}</CreateTime><MsgType><![CDATA[${m.msgType}]]></MsgType>` +
    `<PicUrl><![CDATA[http://example.invalid/a.jpg]]></PicUrl><MediaId><![CDATA[media_id]]></MediaId>` +
    `<MsgId>${m.msgId}</MsgId></xml>`
  );
}

/** The Official Account's plain `signature` (token, timestamp, nonce), computed by the peer package. */
export function plainSignature(token: string, timestamp: string, nonce: string): string {
  // sha1(sort([token, timestamp, nonce, ''])) = sha1(sort([token, timestamp, nonce])): '' sorts first, adds nothing.
  return getSignature(token, timestamp, nonce, '');
}

/** An external entity reading /etc/passwd. */
export const XXE =
  '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>' +
  '<xml><ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA[o_user]]></FromUserName>' +
  '<CreateTime>1740816000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content>&xxe;</Content><MsgId>1</MsgId></xml>';

/** Nine levels of tenfold expansion: 10^9 "lol"s if anything expanded it. */
export const BILLION_LAUGHS =
  '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">' +
  Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`).join('') +
  ']><xml><ToUserName>gh_1</ToUserName><FromUserName>o_user</FromUserName><CreateTime>1740816000</CreateTime>' +
  '<MsgType>text</MsgType><Content>&lol9;</Content><MsgId>2</MsgId></xml>';

/**
 * The real engine's answers with each quote widened to its paragraph and the paragraphs on either
 * side — consecutive lines of the stored report, so still verbatim text — long enough to need several
 * messages whatever the engine's answers look like.
 */
export function widenedAsk(engine: Pick<Engine, 'ask' | 'paragraph'>): AskFn {
  return async (question, options) => {
    const answer = await engine.ask(question, options);
    const widen = (c: Answer['citations'][number]): string =>
      [c.paragraph - 1, c.paragraph, c.paragraph + 1]
        .map((n) => engine.paragraph(c.docId, n)?.text)
        .filter((t): t is string => Boolean(t))
        .join('\n');
    return { ...answer, citations: answer.citations.map((c) => ({ ...c, quote: widen(c) })) };
  };
}

/** The first of a few broad questions whose widened answer runs past one message. */
export async function longQuestion(ask: AskFn): Promise<{ question: string; answer: Answer }> {
  for (const question of ['教育方面有哪些安排', '产业发展有哪些重点', '养老', '交通', '招商引资']) {
    const answer = await ask(question);
    if (Buffer.byteLength(renderAnswer(answer), 'utf8') > 2 * MAX_MESSAGE_BYTES) return { question, answer };
  }
  throw new Error('no long answer among the probe questions: update longQuestion()');
}

export interface HttpResult {
  status: number;
  text: string;
  contentType: string | null;
}

/** fetch against the running app, body read as text. */
export async function http(url: string, init?: RequestInit): Promise<HttpResult> {
  const res = await fetch(url, init);
  return { status: res.status, text: await res.text(), contentType: res.headers.get('content-type') };
}

/** A random numeric nonce, as the platforms send. */
export function nonce(): string {
  return String(1_000_000_000 + Math.floor(Math.random() * 1_000_000_000));
}
