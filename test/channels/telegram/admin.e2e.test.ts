import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../../src/answer/index.ts';
import { messages } from '../../../src/channels/telegram/messages.ts';
import { loadLexicon } from '../../../src/corpus/lexicon.ts';
import { ReportLibrary } from '../../../src/ingest/library.ts';
import { LiveEngine, Reloader } from '../../../src/server/live.ts';
import { silentLogger } from '../../server/support.ts';
import { DICT_DIR } from '../../helpers/engine.ts';
import { makeDocx, paragraphsOf } from '../../helpers/documents.ts';
import { Harness } from './helpers/harness.ts';
import { visibleText } from './helpers/telegram-html.ts';

/**
 * Admins add and remove reports from Telegram: a document sent in private chat is downloaded through
 * getFile, added, and answered from without a restart; anyone else is refused and nothing is stored.
 */
const FIXTURES = join(import.meta.dirname, '../../fixtures/provinces-2026');
const work = mkdtempSync(join(tmpdir(), 'workplan-tg-admin-'));
const reports = join(work, 'reports');
const ADMIN = 4242;
let h: Harness;
let library: ReportLibrary;
let jilinDocx: Buffer;

const open = () => createEngine({ reportsDir: reports, dictDir: DICT_DIR, indexDir: join(work, 'index'), logger: silentLogger });
const command = (text: string) => ({ entities: [{ type: 'bot_command', offset: 0, length: text.split(' ')[0]!.length }] });
const text = (m: { text: string }[]) => m.map((x) => visibleText(x.text)).join('\n');
const doc = (fileId: string, name: string, size: number) => ({ document: { file_id: fileId, file_unique_id: `u${fileId}`, file_name: name, file_size: size } });

beforeAll(async () => {
  mkdirSync(reports, { recursive: true });
  copyFileSync(join(FIXTURES, '2026_广东省_政府工作报告.txt'), join(reports, 'guangdong.txt'));
  library = new ReportLibrary(reports, loadLexicon(DICT_DIR));
  const live = new LiveEngine(await open());
  const reloader = new Reloader({ live, library, open, watched: { reports, dict: DICT_DIR }, logger: silentLogger });
  jilinDocx = await makeDocx(paragraphsOf(readFileSync(join(FIXTURES, '2026_吉林省_政府工作报告.txt'), 'utf8')));
  h = await Harness.start({
    engine: async () => live,
    admin: { ids: [String(ADMIN)], library, reload: (reason) => reloader.reload(reason) },
  });
}, 120_000);
afterAll(async () => {
  await h?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('reports management in Telegram', () => {
  it('an admin sends a DOCX: the reply says what was read, and the report answers at once', async () => {
    const admin = h.user({ userId: ADMIN });
    expect((await admin.say('吉林今年地区生产总值增长目标是多少'))[0]!.text).not.toContain('吉林省政府工作报告》');
    h.upload('jl', jilinDocx);
    const replies = text(await admin.say(undefined, doc('jl', '吉林省政府工作报告.docx', jilinDocx.length)));
    expect(replies).toContain(messages.admin.reading('吉林省政府工作报告.docx'));
    expect(replies).toContain('已添加:2026年吉林省政府工作报告(编号 jilin-2026)');
    expect(replies).toMatch(/地区:吉林省.*年份:2026/);
    expect(replies).toContain('一、工作回顾');
    expect(replies).toContain(messages.admin.live('2026年吉林省政府工作报告'));
    expect(h.downloads).toEqual([`/file/bot${h.token}/documents/jl`]);

    const answer = text(await admin.say('吉林今年地区生产总值增长目标是多少'));
    expect(answer).toContain('2026年吉林省政府工作报告');
    expect(readdirSync(join(reports, 'originals'))).toEqual(['jilin-2026.docx']);
    expect(h.fake.violations).toEqual([]);
  });

  it('/reports shows admins the ids, and /remove takes a report out at once', async () => {
    const admin = h.user({ userId: ADMIN });
    const list = text(await admin.say('/reports', command('/reports')));
    expect(list).toContain('(编号 jilin-2026)');
    expect(text(await admin.say('/remove', command('/remove')))).toContain(messages.admin.removeUsage);
    expect(text(await admin.say('/remove jilin-2026', command('/remove jilin-2026')))).toContain(messages.admin.removed('2026年吉林省政府工作报告'));
    expect(text(await admin.say('吉林今年地区生产总值增长目标是多少'))).not.toContain('2026年吉林省政府工作报告》');
    expect(library.list().map((e) => e.id)).toEqual(['guangdong-2026']);
    // The last report stays.
    expect(text(await admin.say('/remove guangdong-2026', command('/remove guangdong-2026')))).toContain('唯一的一份报告');
  });

  it('anyone else is refused politely; nothing is downloaded or stored', async () => {
    const before = readdirSync(reports).sort();
    const downloads = h.downloads.length;
    const stranger = h.user({ userId: 777 });
    h.upload('x1', jilinDocx);
    expect(text(await stranger.say(undefined, doc('x1', '报告.docx', jilinDocx.length)))).toBe(messages.admin.onlyAdmins);
    expect(text(await stranger.say('/remove guangdong-2026', command('/remove guangdong-2026')))).toBe(messages.admin.onlyAdmins);
    expect(text(await stranger.say('/reports', command('/reports')))).not.toContain('编号');
    // In a group a document is not an upload, even from an admin.
    const group = h.user({ userId: ADMIN, chatId: -100777, type: 'group' });
    expect(await group.say(undefined, doc('x1', '报告.docx', jilinDocx.length))).toEqual([]);
    expect(h.downloads.length).toBe(downloads);
    expect(readdirSync(reports).sort()).toEqual(before);
  });

  it('bad files get a clear reply and change nothing', async () => {
    const before = readdirSync(reports).sort();
    const admin = h.user({ userId: ADMIN });
    const downloads = h.downloads.length;
    expect(text(await admin.say(undefined, doc('big', '报告.pdf', 25 * 1024 * 1024)))).toBe(messages.admin.tooLarge(20));
    expect(h.downloads.length).toBe(downloads);

    h.upload('bad', Buffer.from('%PDF-1.7\nthis is not really a pdf'));
    expect(text(await admin.say(undefined, doc('bad', '报告.pdf', 40)))).toMatch(/无法读取这份 PDF/);
    h.upload('notes', Buffer.from('会议通知\n请各单位于周五前报送材料。\n'.repeat(50)));
    expect(text(await admin.say(undefined, doc('notes', '通知.txt', 1000)))).toContain('不是政府工作报告');
    expect(text(await admin.say(undefined, doc('missing', '报告.docx', 1000)))).toContain(messages.admin.downloadFailed);
    // The same report twice is a duplicate.
    const guangdong = readFileSync(join(reports, 'guangdong.txt'));
    h.upload('gd', guangdong);
    expect(text(await admin.say(undefined, doc('gd', '广东.txt', guangdong.length)))).toContain('已经载入');
    expect(readdirSync(reports).sort()).toEqual(before);
  });
});
