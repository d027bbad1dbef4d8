import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../../src/answer/index.ts';
import { messages } from '../../../src/channels/telegram/messages.ts';
import { DICT_DIR, REPORTS_DIR } from '../../helpers/engine.ts';
import { Harness, type SentMessage } from './helpers/harness.ts';
import { visibleText } from './helpers/telegram-html.ts';

/**
 * /reports end to end against telegram-test-api, on a deployment of three reports (two provinces and
 * a district): the list, the per-chat choice by button, kept in SQLite, and what it changes.
 */
const FIXTURES = join(import.meta.dirname, '../../fixtures/provinces-2026');
const work = mkdtempSync(join(tmpdir(), 'workplan-tg-reports-'));
let h: Harness;

beforeAll(async () => {
  const dir = join(work, 'reports');
  mkdirSync(dir, { recursive: true });
  for (const f of ['2026_山东省_政府工作报告.txt', '2026_江苏省_政府工作报告.txt']) copyFileSync(join(FIXTURES, f), join(dir, f));
  for (const f of ['qingdao-shibei-2025-work-report.txt', 'qingdao-shibei-2025-work-report.json']) copyFileSync(join(REPORTS_DIR, f), join(dir, f));
  h = await Harness.start({ engine: () => createEngine({ reportsDir: dir, dictDir: DICT_DIR, indexDir: join(work, 'index'), readOnly: true }) });
}, 120_000);
afterAll(async () => {
  await h?.stop();
  rmSync(work, { recursive: true, force: true });
});

const buttons = (m: SentMessage): string[] => (m.payload.reply_markup?.inline_keyboard ?? []).flat().map((b: { text: string }) => b.text);

describe('/reports', () => {
  it('lists the loaded reports with a button for each and one for all', async () => {
    const [reply] = await h.user({ userId: 301 }).say('/reports', { entities: [{ type: 'bot_command', offset: 0, length: 8 }] });
    const text = visibleText(reply!.text);
    for (const d of h.engine.info.documents) expect(text).toContain(d.title);
    expect(buttons(reply!)).toEqual([...h.engine.info.documents.map((d) => d.title), `✓ ${messages.reports.all}`]);
  });

  it('keeps a chat’s choice in SQLite and answers from that report only', async () => {
    const user = h.user({ userId: 302 });
    const [list] = await user.say('/reports', { entities: [{ type: 'bot_command', offset: 0, length: 8 }] });
    const jiangsu = h.engine.info.documents.find((d) => d.region === '江苏省')!;
    const [confirm] = await user.press(list!, jiangsu.title);
    expect(visibleText(confirm!.text)).toContain(messages.reports.chosen(jiangsu.title));
    // The confirmation offers that report's own examples.
    for (const e of h.engine.examplesFor(jiangsu.id)) expect(visibleText(confirm!.text)).toContain(e);

    const db = new Database(h.dbFile, { readonly: true });
    const rows = db.prepare('SELECT report FROM chat_report').all() as Array<{ report: string }>;
    db.close();
    expect(rows.map((r) => r.report)).toContain(jiangsu.id);

    const [answer] = await user.say('今年GDP增长目标是多少');
    expect(visibleText(answer!.text)).toContain(jiangsu.title);
    expect(visibleText(answer!.text)).not.toContain('山东省政府工作报告');
    // A greeting and an empty /ask speak of the chosen report and offer its questions.
    const [hello] = await user.say('你好');
    expect(visibleText(hello!.text)).toContain(`《${jiangsu.title}》`);
    const [usage] = await user.say('/ask', { entities: [{ type: 'bot_command', offset: 0, length: 4 }] });
    expect(visibleText(usage!.text)).toBe(messages.askUsage(h.engine.examplesFor(jiangsu.id)[0]!.replace(/[??]$/, '')));

    // Another chat is not affected: with three regions and none named, it is asked which.
    const [other] = await h.user({ userId: 303 }).say('今年GDP增长目标是多少');
    expect(visibleText(other!.text)).toMatch(/请在问题里说明是哪个地区/);
  });

  it('goes back to all reports', async () => {
    const user = h.user({ userId: 304 });
    const [list] = await user.say('/reports', { entities: [{ type: 'bot_command', offset: 0, length: 8 }] });
    const shandong = h.engine.info.documents.find((d) => d.region === '山东省')!;
    await user.press(list!, shandong.title);
    const [again] = await user.say('/reports', { entities: [{ type: 'bot_command', offset: 0, length: 8 }] });
    expect(buttons(again!)).toContain(`✓ ${shandong.title}`);
    const [back] = await user.press(again!, messages.reports.all);
    expect(visibleText(back!.text)).toContain(messages.reports.chosenAll);
    const [answer] = await user.say('江苏今年GDP增长目标是多少');
    expect(visibleText(answer!.text)).toContain('江苏省');
  });

  it('shows the list in a group without buttons: one member does not choose for all', async () => {
    const member = h.user({ userId: 305, chatId: -1005, type: 'supergroup' });
    const [reply] = await member.say('/reports', { entities: [{ type: 'bot_command', offset: 0, length: 8 }] });
    expect(buttons(reply!)).toEqual([]);
    expect(visibleText(reply!.text)).toContain(messages.reports.namePlace);
  });
});
