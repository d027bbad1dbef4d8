import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decrypt, encrypt, getSignature } from '@wecom/crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../../src/answer/index.ts';
import { fileName } from '../../../src/channels/wechat/customer-service.ts';
import { wechatStatus } from '../../../src/channels/wechat/index.ts';
import { messages } from '../../../src/channels/wechat/messages.ts';
import { createConfig } from '../../../src/config.ts';
import { main } from '../../../src/main.ts';
import { ConfigError } from '../../../src/errors.ts';
import { loadLexicon } from '../../../src/corpus/lexicon.ts';
import { ReportLibrary } from '../../../src/ingest/library.ts';
import { LiveEngine, Reloader } from '../../../src/server/live.ts';
import { createSharedState } from '../../../src/shared/state.ts';
import { DICT_DIR } from '../../helpers/engine.ts';
import { docxToPdf, hasLibreOffice, makeDocx, paragraphsOf } from '../../helpers/documents.ts';
import {
  clock,
  encodingAesKey,
  FakePlatformApi,
  fileXml,
  http,
  nonce,
  readXml,
  silentLogger,
  startApp,
  textXml,
  type RecordedRequest,
} from './helpers.ts';

/**
 * Reports added from WeCom by the members in WECOM_ADMIN_IDS: the file message arrives signed and
 * AES-encrypted on the real callback socket (the platform side played by @wecom/crypto), the file is
 * served by a loopback fake of WeCom's API (gettoken, media/get, message/send), added to a real
 * reports folder and made live by the real reloader; questions are answered by the real engine.
 * Replicas share the machine's Redis under a private key prefix, removed afterwards.
 */

const FIXTURES = join(import.meta.dirname, '../../fixtures/provinces-2026');
const TOKEN = 'wecom-callback-token';
const CORP_ID = 'ww0123456789abcdef';
const AGENT_ID = '1000002';
const ADMIN = 'ZhangSan';
const STRANGER = 'LiSi';
const JILIN = '2026年吉林省政府工作报告';
const JILIN_QUESTION = '吉林今年地区生产总值增长目标是多少';

const work = mkdtempSync(join(tmpdir(), 'workplan-wecom-upload-'));
const reports = join(work, 'reports');
const api = new FakePlatformApi();
const c = clock();
const key = encodingAesKey();
let app: { url: string; close: () => Promise<void> };
let live: LiveEngine;
let library: ReportLibrary;
let reloader: Reloader;
let jilinDocx: Buffer;
let hubeiDocx: Buffer;
let msgIds = 13_000_000_000_000_000_000n;
const msgId = () => String(msgIds++);

const open = () => createEngine({ reportsDir: reports, dictDir: DICT_DIR, indexDir: join(work, 'index'), logger: silentLogger });
const fixture = (region: string) => readFileSync(join(FIXTURES, `2026_${region}_政府工作报告.txt`), 'utf8');

beforeAll(async () => {
  await api.start();
  mkdirSync(reports, { recursive: true });
  copyFileSync(join(FIXTURES, '2026_广东省_政府工作报告.txt'), join(reports, 'guangdong.txt'));
  library = new ReportLibrary(reports, loadLexicon(DICT_DIR));
  live = new LiveEngine(await open());
  reloader = new Reloader({ live, library, open, watched: { reports, dict: DICT_DIR }, logger: silentLogger });
  [jilinDocx, hubeiDocx] = await Promise.all([makeDocx(paragraphsOf(fixture('吉林省'))), makeDocx(paragraphsOf(fixture('湖北省')))]);
  app = await startApp({
    ask: (q, o) => live.ask(q, o),
    config: createConfig({
      WECOM_TOKEN: TOKEN,
      WECOM_ENCODING_AES_KEY: key,
      WECOM_CORP_ID: CORP_ID,
      WECOM_AGENT_ID: AGENT_ID,
      WECOM_SECRET: 'corp-secret',
      WECOM_API_ROOT: api.url,
      // WeCom compares UserIDs case-insensitively.
      WECOM_ADMIN_IDS: 'zhangsan, wangwu',
    }),
    logger: silentLogger,
    examples: () => live.examples,
    now: c.now,
    // Long enough that a question is always answered in the passive reply, however busy the machine.
    deadlineMs: 30_000,
    uploads: { library, reload: (reason) => reloader.reload(reason) },
  });
}, 120_000);
afterAll(async () => {
  await app?.close();
  await api.close();
  await reloader?.close();
  rmSync(work, { recursive: true, force: true });
});

/** Posts `inner` as WeCom does: encrypted for the corp, signed, in the callback envelope; the reply's text. */
const post = (inner: string): Promise<string> => postTo(app.url, inner, c.seconds());

async function postTo(url: string, inner: string, timestamp: string): Promise<string> {
  const encrypted = encrypt(key, inner, CORP_ID);
  const n = nonce();
  const query = { msg_signature: getSignature(TOKEN, timestamp, n, encrypted), timestamp, nonce: n };
  const body = `<xml><ToUserName><![CDATA[${CORP_ID}]]></ToUserName><AgentID><![CDATA[${AGENT_ID}]]></AgentID><Encrypt><![CDATA[${encrypted}]]></Encrypt></xml>`;
  const res = await http(`${url}/wecom?${new URLSearchParams(query)}`, { method: 'POST', body });
  expect(res.status).toBe(200);
  const envelope = readXml(res.text);
  expect(envelope['MsgSignature']).toBe(getSignature(TOKEN, envelope['TimeStamp']!, envelope['Nonce']!, envelope['Encrypt']!));
  const { message, id } = decrypt(key, envelope['Encrypt']!);
  expect(id).toBe(CORP_ID);
  return readXml(message)['Content']!;
}

const sendFile = (from: string, mediaId: string, o: { fileName?: string; id?: string } = {}) =>
  post(fileXml({ from, to: CORP_ID, mediaId, msgId: o.id ?? msgId(), createTime: c.seconds(), agentId: AGENT_ID, ...(o.fileName !== undefined ? { fileName: o.fileName } : {}) }));
const ask = (from: string, question: string) => post(textXml({ from, to: CORP_ID, content: question, msgId: msgId(), createTime: c.seconds(), agentId: AGENT_ID }));

/** The app messages sent to `user` from now on; `next()` waits for the next one. */
function inbox(user: string) {
  let seen = api.of('/cgi-bin/message/send').length;
  return async (): Promise<string> => {
    const sent = await api.waitFor('/cgi-bin/message/send', (r) => api.of('/cgi-bin/message/send').indexOf(r) >= seen && (r.body as { touser?: string }).touser === user);
    seen = api.of('/cgi-bin/message/send').indexOf(sent) + 1;
    const body = sent.body as { msgtype: string; agentid: number; text: { content: string } };
    expect(body).toMatchObject({ msgtype: 'text', agentid: Number(AGENT_ID) });
    return body.text.content;
  };
}

const downloads = (mediaId: string): RecordedRequest[] => api.of('/cgi-bin/media/get').filter((r) => r.query['media_id'] === mediaId);
const folder = () => readdirSync(reports).filter((f) => !f.startsWith('.')).sort();

describe('WeCom: reports sent as files by admins', () => {
  it("an admin's DOCX is downloaded with the app's token, added and live; the reply says what was read", async () => {
    expect(await ask(ADMIN, JILIN_QUESTION)).not.toContain(`《${JILIN}》`);
    api.media.set('m-jilin', { bytes: jilinDocx, name: '吉林省政府工作报告.docx' });
    const next = inbox(ADMIN);
    expect(await sendFile(ADMIN, 'm-jilin', { fileName: '吉林省政府工作报告.docx' })).toBe(messages.upload.reading('吉林省政府工作报告.docx'));
    const result = await next();
    expect(result).toContain(`已添加:${JILIN}(编号 jilin-2026)`);
    expect(result).toMatch(/地区:吉林省.*年份:2026/);
    expect(result).toMatch(/各部分:.*2025年工作回顾 \d+ 段/);
    expect(result).toContain(messages.upload.live(JILIN));
    expect(Buffer.byteLength(result)).toBeLessThanOrEqual(2048);

    const [download] = downloads('m-jilin');
    expect(download!.method).toBe('GET');
    expect(download!.query['access_token']).toBe(api.issued.at(-1));
    expect(api.of('/cgi-bin/gettoken').at(-1)?.query).toEqual({ corpid: CORP_ID, corpsecret: 'corp-secret' });
    expect(readdirSync(join(reports, 'originals'))).toEqual(['jilin-2026.docx']);
    expect(readFileSync(join(reports, 'originals', 'jilin-2026.docx')).equals(jilinDocx)).toBe(true);

    // Asked through the engine, the question is now answered from the new report.
    const answer = await ask(STRANGER, JILIN_QUESTION);
    expect(answer).toContain(JILIN);
    expect(answer).toMatch(/「[^」]+」/);
  });

  // LibreOffice prints the PDF; without it (a bare development machine) this case is skipped, as in test/ingest.
  it.skipIf(!hasLibreOffice)("an admin's PDF, as LibreOffice prints it, goes live too", async () => {
    const pdf = await docxToPdf(await makeDocx(paragraphsOf(fixture('江西省')), { header: '2026年江西省政府工作报告', pageNumbers: true }), 'jiangxi');
    api.media.set('m-jiangxi', { bytes: pdf, name: '江西省政府工作报告.pdf', contentType: 'application/pdf' });
    const next = inbox(ADMIN);
    await sendFile(ADMIN, 'm-jiangxi');
    const result = await next();
    expect(result).toContain('已添加:2026年江西省政府工作报告(编号 jiangxi-2026)');
    expect(result).toMatch(/格式:PDF,\d+ 页/);
    expect(result).toContain(messages.upload.live('2026年江西省政府工作报告'));
    expect(readdirSync(join(reports, 'originals'))).toContain('jiangxi-2026.pdf');
  }, 180_000);

  it("anyone else's file is refused politely and nothing is downloaded", async () => {
    const before = folder();
    const fetched = api.of('/cgi-bin/media/get').length;
    api.media.set('m-stranger', { bytes: hubeiDocx, name: '湖北.docx' });
    expect(await sendFile(STRANGER, 'm-stranger', { fileName: '湖北.docx' })).toBe(messages.upload.onlyAdmins);
    // An admin's file after it: once its result is sent, the stranger's would have been too.
    const next = inbox(ADMIN);
    await sendFile(ADMIN, 'm-missing', { fileName: '报告.docx' });
    expect(await next()).toBe(messages.upload.downloadFailed);
    expect(downloads('m-stranger')).toEqual([]);
    expect(api.of('/cgi-bin/media/get').length).toBe(fetched + 1);
    expect(api.of('/cgi-bin/message/send').filter((r) => (r.body as { touser?: string }).touser === STRANGER)).toEqual([]);
    expect(folder()).toEqual(before);
  });

  it('a retried MsgId is added once; the same file in a new message is a duplicate', async () => {
    api.media.set('m-hubei', { bytes: hubeiDocx, name: '湖北省政府工作报告.docx' });
    const next = inbox(ADMIN);
    const id = msgId();
    const first = await sendFile(ADMIN, 'm-hubei', { id });
    const retry = await sendFile(ADMIN, 'm-hubei', { id });
    expect(first).toBe(messages.upload.reading(undefined));
    expect(retry).toBe(first);
    const result = await next();
    expect(result).toContain('已添加:2026年湖北省政府工作报告(编号 hubei-2026)');
    expect(downloads('m-hubei')).toHaveLength(1);
    expect(library.list().filter((e) => e.region === '湖北省').map((e) => e.id)).toEqual(['hubei-2026']);

    await sendFile(ADMIN, 'm-hubei');
    expect(await next()).toContain('已经载入');
    expect(downloads('m-hubei')).toHaveLength(2);
    // One result for the retried delivery, one for the new message.
    expect(api.of('/cgi-bin/message/send').filter((r) => /湖北/.test((r.body as { text: { content: string } }).text.content))).toHaveLength(2);
  });

  it('two replicas on one Redis: a retry reaching the other replica adds the report once', async () => {
    const prefix = `test:wecom-upload:${process.pid}:${Date.now()}:`;
    const config = createConfig({
      WECOM_TOKEN: TOKEN,
      WECOM_ENCODING_AES_KEY: key,
      WECOM_CORP_ID: CORP_ID,
      WECOM_AGENT_ID: AGENT_ID,
      WECOM_SECRET: 'corp-secret',
      WECOM_API_ROOT: api.url,
      WECOM_ADMIN_IDS: ADMIN,
    });
    const states = [0, 1].map(() => createSharedState({ redisUrl: 'redis://127.0.0.1:6379', prefix, logger: silentLogger }));
    const replicas = await Promise.all(
      states.map((state) =>
        startApp({ ask: (q, o) => live.ask(q, o), config, logger: silentLogger, examples: () => live.examples, now: c.now, state, uploads: { library, reload: (reason) => reloader.reload(reason) } }),
      ),
    );
    try {
      api.media.set('m-anhui', { bytes: await makeDocx(paragraphsOf(fixture('安徽省'))), name: '安徽省政府工作报告.docx' });
      const next = inbox(ADMIN);
      const inner = fileXml({ from: ADMIN, to: CORP_ID, mediaId: 'm-anhui', msgId: msgId(), createTime: c.seconds(), agentId: AGENT_ID });
      const first = await postTo(replicas[0]!.url, inner, c.seconds());
      const retry = await postTo(replicas[1]!.url, inner, c.seconds());
      expect(retry).toBe(first);
      expect(await next()).toContain(messages.upload.live('2026年安徽省政府工作报告'));
      expect(downloads('m-anhui')).toHaveLength(1);
      expect(api.of('/cgi-bin/message/send').filter((r) => /安徽/.test((r.body as { text: { content: string } }).text.content))).toHaveLength(1);
    } finally {
      await Promise.all(replicas.map((r) => r.close()));
      await Promise.all(states.map((s) => s.close()));
      const redis = new Redis('redis://127.0.0.1:6379');
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
    }
  });

  it('an oversized file and a broken file each get their own reply and the folder is unchanged', async () => {
    const before = folder();
    const next = inbox(ADMIN);
    const big = Buffer.alloc(20 * 1024 * 1024 + 1, 0x20);
    api.media.set('m-big', { bytes: big, name: '报告.pdf' });
    await sendFile(ADMIN, 'm-big', { fileName: '报告.pdf' });
    const tooLarge = await next();
    expect(tooLarge).toBe(messages.upload.tooLarge(20));
    // Without Content-Length the size shows only while reading: the download stops there.
    api.media.set('m-big-chunked', { bytes: big, name: '报告.pdf', chunked: true });
    await sendFile(ADMIN, 'm-big-chunked');
    expect(await next()).toBe(messages.upload.tooLarge(20));

    api.media.set('m-broken', { bytes: Buffer.from('%PDF-1.7\nthis is not really a pdf'), name: '报告.pdf' });
    // Control characters and direction overrides in the name do not reach the reply.
    expect(await sendFile(ADMIN, 'm-broken', { fileName: '\u202e报告\u0007.pdf' })).toBe(messages.upload.reading('报告.pdf'));
    const broken = await next();
    expect(broken).toMatch(/无法读取这份 PDF/);
    expect(broken).not.toBe(tooLarge);

    // Cut off half-way: a failed download, not a broken report.
    api.media.set('m-cut', { bytes: jilinDocx, name: '报告.docx', cutAfter: 1000 });
    await sendFile(ADMIN, 'm-cut');
    expect(await next()).toBe(messages.upload.downloadFailed);

    api.media.set('m-sheet', { bytes: Buffer.from('PK\x03\x04not a report', 'latin1'), name: '统计.xlsx' });
    await sendFile(ADMIN, 'm-sheet');
    expect(await next()).toContain('暂不支持这种文件格式');
    expect(folder()).toEqual(before);
    expect(readdirSync(join(reports, 'originals')).filter((f) => f.endsWith('.docx')).sort()).toEqual(['anhui-2026.docx', 'hubei-2026.docx', 'jilin-2026.docx']);
  });

  it('an expired token (42001) is refreshed once and the download goes through', async () => {
    for (const t of api.issued) api.expired.add(t);
    const tokens = api.of('/cgi-bin/gettoken').length;
    const henan = fixture('河南省');
    // A TXT as text/plain without Content-Disposition is still the file, not an error answer; its
    // name comes from the message.
    api.media.set('m-henan', { bytes: Buffer.from(henan), contentType: 'text/plain; charset=utf-8' });
    const next = inbox(ADMIN);
    await sendFile(ADMIN, 'm-henan', { fileName: '2026_河南省_政府工作报告.txt' });
    const result = await next();
    expect(result).toContain('2026年河南省政府工作报告');
    expect(result).toContain(messages.upload.live('2026年河南省政府工作报告'));
    const tries = downloads('m-henan');
    expect(tries).toHaveLength(2);
    expect(api.expired.has(tries[0]!.query['access_token']!)).toBe(true);
    expect(api.expired.has(tries[1]!.query['access_token']!)).toBe(false);
    expect(api.of('/cgi-bin/gettoken')).toHaveLength(tokens + 1);
    expect(library.list().map((e) => e.id)).toContain('henan-2026');
  });
});

describe('WeCom uploads: configuration', () => {
  it('without WECOM_ADMIN_IDS a file gets the text-only reply and is not downloaded', async () => {
    const plain = await startApp({
      ask: async () => {
        throw new Error('not asked');
      },
      config: createConfig({ WECOM_TOKEN: TOKEN, WECOM_ENCODING_AES_KEY: key, WECOM_CORP_ID: CORP_ID, WECOM_SECRET: 's', WECOM_API_ROOT: api.url }),
      logger: silentLogger,
      examples: ['今年新增多少托位'],
      now: c.now,
      uploads: { library, reload: (reason) => reloader.reload(reason) },
    });
    try {
      const fetched = api.of('/cgi-bin/media/get').length;
      const encrypted = encrypt(key, fileXml({ from: ADMIN, to: CORP_ID, mediaId: 'm-jilin', msgId: msgId(), createTime: c.seconds() }), CORP_ID);
      const timestamp = c.seconds();
      const query = { msg_signature: getSignature(TOKEN, timestamp, '7', encrypted), timestamp, nonce: '7' };
      const res = await http(`${plain.url}/wecom?${new URLSearchParams(query)}`, { method: 'POST', body: `<xml><Encrypt><![CDATA[${encrypted}]]></Encrypt></xml>` });
      expect(readXml(decrypt(key, readXml(res.text)['Encrypt']!).message)['Content']).toBe(messages.textOnly('今年新增多少托位'));
      expect(api.of('/cgi-bin/media/get').length).toBe(fetched);
    } finally {
      await plain.close();
    }
  });

  it('WECOM_ADMIN_IDS is a list of WeCom UserIDs, kept in lower case; the startup log says whether uploads are on', () => {
    expect(createConfig({ WECOM_ADMIN_IDS: 'ZhangSan, li.si@corp\nWang_Wu' }).WECOM_ADMIN_IDS).toEqual(['zhangsan', 'li.si@corp', 'wang_wu']);
    expect(createConfig({}).WECOM_ADMIN_IDS).toEqual([]);
    expect(() => createConfig({ WECOM_ADMIN_IDS: '张三' })).toThrow(ConfigError);
    const wecom = { WECOM_TOKEN: 't', WECOM_ENCODING_AES_KEY: encodingAesKey(), WECOM_CORP_ID: 'ww1', WECOM_ADMIN_IDS: 'a,b' };
    expect(wechatStatus(createConfig({ ...wecom, WECOM_SECRET: 's', WECOM_AGENT_ID: '1' })).wecom.why).toBe(
      'on at /wecom, customer-service API on, report uploads by 2 admins (WECOM_ADMIN_IDS)',
    );
    expect(wechatStatus(createConfig(wecom)).wecom.why).toMatch(/report uploads off \(WECOM_SECRET not set/);
  });

  it("reads the download's file name however the platform encodes it", () => {
    expect(fileName('attachment; filename="report.docx"')).toBe('report.docx');
    expect(fileName(`attachment; filename*=UTF-8''${encodeURIComponent('吉林省政府工作报告.docx')}`)).toBe('吉林省政府工作报告.docx');
    expect(fileName(`attachment; filename="${encodeURIComponent('吉林省.pdf')}"`)).toBe('吉林省.pdf');
    // Raw UTF-8 in the header, as fetch hands it over (each byte a Latin-1 character).
    expect(fileName(`attachment; filename="${Buffer.from('河南省.txt').toString('latin1')}"`)).toBe('河南省.txt');
    expect(fileName('attachment')).toBeUndefined();
    expect(fileName(null)).toBeUndefined();
  });
});

describe('WeCom uploads: npm start', () => {
  it("main() hands the server's reports library and reloader to the WeCom channel", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'workplan-wecom-main-'));
    mkdirSync(join(dir, 'reports'));
    copyFileSync(join(FIXTURES, '2026_广东省_政府工作报告.txt'), join(dir, 'reports', 'guangdong.txt'));
    const config = createConfig({
      DATA_DIR: dir,
      DICT_DIR,
      PORT: '0',
      HOST: '127.0.0.1',
      WATCH_REPORTS: 'false',
      WECOM_TOKEN: TOKEN,
      WECOM_ENCODING_AES_KEY: key,
      WECOM_CORP_ID: CORP_ID,
      WECOM_AGENT_ID: AGENT_ID,
      WECOM_SECRET: 'corp-secret',
      WECOM_API_ROOT: api.url,
      WECOM_ADMIN_IDS: ADMIN,
    });
    const web = await main(config, silentLogger);
    try {
      const now = () => String(Math.floor(Date.now() / 1000));
      api.media.set('m-main-jilin', { bytes: jilinDocx, name: '吉林省政府工作报告.docx' });
      const next = inbox(ADMIN);
      const reading = await postTo(web.url, fileXml({ from: ADMIN, to: CORP_ID, mediaId: 'm-main-jilin', msgId: msgId(), createTime: now(), agentId: AGENT_ID }), now());
      expect(reading).toBe(messages.upload.reading(undefined));
      expect(await next()).toContain(messages.upload.live(JILIN));
      expect(readdirSync(join(dir, 'reports', 'originals'))).toEqual(['jilin-2026.docx']);
      const answer = await postTo(web.url, textXml({ from: STRANGER, to: CORP_ID, content: JILIN_QUESTION, msgId: msgId(), createTime: now(), agentId: AGENT_ID }), now());
      expect(answer).toContain(JILIN);
    } finally {
      await web.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
