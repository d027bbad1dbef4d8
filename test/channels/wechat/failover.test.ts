import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import WXBizMsgCrypt from 'wechat-crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../../src/answer/index.ts';
import type { AskFn } from '../../../src/answer/types.ts';
import { answerPages } from '../../../src/channels/wechat/render.ts';
import { createConfig } from '../../../src/config.ts';
import { createSharedState } from '../../../src/shared/state.ts';
import { ROOT, testEngine } from '../../helpers/engine.ts';
import { startRedis, type TestRedis } from '../../helpers/redis.ts';
import { captureLogger, countingAsk, encodingAesKey, FakePlatformApi, http, nonce, plainSignature, readXml, startApp, textXml } from './helpers.ts';

/**
 * A replica that dies holding a delivery. Replicas share Redis; the first to claim a delivery answers
 * it. WeChat retries a callback it did not hear back from 5 s later (three tries in all), and a retry
 * may land on any replica. The claim is a lease shorter than that interval, renewed while its replica
 * works: so a retry after the claimer died is answered by the replica it reaches, and a retry while the
 * claimer is alive (even slow) waits for the claimer's answer instead of answering a second time.
 *
 * Real time throughout (the replica in a child process has its own clock): each test takes about 5 s,
 * the platform's retry interval. Safe mode: every delivery is AES-encrypted and signed by the platform's
 * side (wechat-crypto), as the real platform sends it.
 */

const TOKEN = 'wechat-failover-token';
const APP_ID = 'wxFAILOVER0000000';
const ACCOUNT = 'gh_failover00001';
const OPENID = 'oFailover0123456789_user';
const KEY = encodingAesKey();
/** WeChat retries a callback it got no reply to within 5 s, 5 s after the previous try. */
const RETRY_INTERVAL_MS = 5000;

let engine: Engine;
let redis: TestRedis;
const api = new FakePlatformApi();
const peer = new WXBizMsgCrypt(TOKEN, KEY, APP_ID);
const cleanup: Array<() => Promise<void>> = [];
let msgIds = 15_000_000_000_000_000_000n;
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

const env = () => ({
  WECHAT_TOKEN: TOKEN,
  WECHAT_APP_ID: APP_ID,
  WECHAT_APP_SECRET: 'app-secret',
  WECHAT_ENCODING_AES_KEY: KEY,
  WECHAT_API_ROOT: api.url,
});
const newPrefix = () => `test:wechat-failover:${process.pid}:${++deployments}:`;

/** A replica in this process, on its own Redis client. */
async function replica(prefix: string, ask: AskFn, o: { deadlineMs?: number; log?: ReturnType<typeof captureLogger> } = {}) {
  const log = o.log ?? captureLogger();
  const state = createSharedState({ redisUrl: redis.url, prefix, logger: log.logger });
  const app = await startApp({ ask, config: createConfig(env()), logger: log.logger, examples: engine.examples, state, ...(o.deadlineMs ? { deadlineMs: o.deadlineMs } : {}) });
  cleanup.push(() => state.close(), () => app.close());
  return app;
}

/** A replica in a child process (replica.child.ts) whose ask() never answers, to be killed. */
async function childReplica(prefix: string) {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'replica.child.ts')], {
    cwd: ROOT,
    env: { ...process.env, ...env(), REDIS_URL: redis.url, STATE_PREFIX: prefix },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const kill = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  cleanup.push(kill);
  const lines = createInterface({ input: child.stdout! });
  const waiters = new Map<string, (value: string) => void>();
  const seen = new Map<string, string>();
  lines.on('line', (line) => {
    const [name, value] = Object.entries(JSON.parse(line) as Record<string, string>)[0]!;
    seen.set(name, value);
    waiters.get(name)?.(value);
  });
  const next = (name: string) => new Promise<string>((resolve) => (seen.has(name) ? resolve(seen.get(name)!) : waiters.set(name, resolve)));
  return { url: await next('ready'), asked: () => next('asked'), kill, child };
}

/** One message as the platform delivers it in safe mode: encrypted envelope, signature and msg_signature. */
function delivery(content: string) {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const n = nonce();
  const encrypt = peer.encrypt(textXml({ from: OPENID, to: ACCOUNT, content, msgId: String(msgIds++), createTime: timestamp }));
  const query = {
    signature: plainSignature(TOKEN, timestamp, n),
    timestamp,
    nonce: n,
    openid: OPENID,
    encrypt_type: 'aes',
    msg_signature: peer.getSignature(timestamp, n, encrypt),
  };
  const body = `<xml><ToUserName><![CDATA[${ACCOUNT}]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`;
  /** The same delivery (a retry carries the same query and body) to a replica. */
  return (to: { url: string }) => http(`${to.url}/wechat?${new URLSearchParams(query)}`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body });
}

/** The text of an encrypted, signed passive reply. */
function opened(res: { status: number; text: string }): string {
  expect(res.status).toBe(200);
  const envelope = readXml(res.text);
  expect(envelope['Encrypt'], `not a passive reply: ${JSON.stringify(res.text)}`).toBeDefined();
  expect(envelope['MsgSignature']).toBe(peer.getSignature(envelope['TimeStamp']!, envelope['Nonce']!, envelope['Encrypt']!));
  const { message, id } = peer.decrypt(envelope['Encrypt']!);
  expect(id).toBe(APP_ID);
  const f = readXml(message);
  expect(f).toMatchObject({ ToUserName: OPENID, FromUserName: ACCOUNT, MsgType: 'text' });
  return f['Content']!;
}

const firstPage = async (question: string) => answerPages(await engine.ask(question), engine.examples)[0]!;

describe('WeChat replicas: a claimed delivery outlives the replica that claimed it', () => {
  it('replica A is killed (-9) right after claiming a message: WeChat’s retry 5 s later reaches replica B, which answers it', async () => {
    const prefix = newPrefix();
    const a = await childReplica(prefix);
    const counted = countingAsk(engine.ask.bind(engine));
    const b = await replica(prefix, counted.ask);
    const question = '今年新增多少托位';
    const send = delivery(question);

    const firstTry = performance.now();
    const lost = send(a).catch((err: unknown) => err); // its connection dies with A
    expect(await a.asked()).toBe(question); // A claimed the delivery and is answering it
    await a.kill();
    expect(await lost).toBeInstanceOf(Error);

    await sleep(firstTry + RETRY_INTERVAL_MS - performance.now());
    expect(opened(await send(b))).toBe(await firstPage(question));
    expect(counted.calls).toHaveLength(1);

    // The third try (or any replay) repeats B's stored reply: still asked once.
    expect(opened(await send(b))).toBe(await firstPage(question));
    expect(counted.calls).toHaveLength(1);
  }, 30_000);

  it('replica A alive but slower than a lease: the retry on B waits for A’s answer, and the message is asked and answered once', async () => {
    const prefix = newPrefix();
    const log = captureLogger();
    // One counting ask across both replicas; held until opened, so A is still working when the retry comes.
    const counted = countingAsk(engine.ask.bind(engine), { gated: true });
    // A waits up to 8 s for its answer (two leases) before acknowledging: its claim must be renewed.
    const a = await replica(prefix, counted.ask, { deadlineMs: 8000, log });
    const b = await replica(prefix, counted.ask, { log });
    const question = '加装电梯多少部';
    const send = delivery(question);

    const firstTry = performance.now();
    const first = send(a);
    await counted.called(1);
    await sleep(firstTry + RETRY_INTERVAL_MS - performance.now());
    const retry = send(b);
    await sleep(1000); // A's claim is now one and a half leases old
    expect(counted.calls, 'B asked the question a second time').toHaveLength(1);
    expect(log.lines.some((l) => l['msg'] === 'duplicate delivery, waiting for the replica answering it')).toBe(true);
    counted.open();

    const expected = await firstPage(question);
    const [fromA, fromB] = await Promise.all([first, retry]);
    expect(opened(fromA)).toBe(expected);
    expect(opened(fromB)).toBe(expected);
    expect(opened(await send(b))).toBe(expected);
    expect(counted.calls).toHaveLength(1);
  }, 30_000);
});
