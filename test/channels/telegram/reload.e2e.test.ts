import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InlineKeyboardButton } from 'grammy/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../../src/answer/index.ts';
import { messages } from '../../../src/channels/telegram/messages.ts';
import { LiveEngine } from '../../../src/server/live.ts';
import { DICT_DIR, REPORTS_DIR, testEngine } from '../../helpers/engine.ts';
import { Harness, type SentMessage, type User } from './helpers/harness.ts';
import { visibleText } from './helpers/telegram-html.ts';

/**
 * Buttons sent before a reload, pressed after it, end to end against telegram-test-api. The bot
 * serves a LiveEngine, swapped as a running server swaps it when reports are added or removed:
 * 市北 alone, then 市北 with 河北 in front of it (河北 under a long Chinese id, which no button can
 * carry whole), or a new version of 市北 under the same id. An old button must open the passage it
 * was made for, or say that report is gone; it must never open whichever report now stands at its
 * old position, nor another passage of a report replaced by a new version.
 */
const FIXTURES = join(import.meta.dirname, '../../fixtures/provinces-2026');
/** 75 bytes in UTF-8: over the 64 bytes a button's data may hold. */
const HEBEI_ID = '河北省2026年政府工作报告（河北省第十四届人民代表大会第四次会议）';
const SHIBEI_ID = 'shibei-2025';
const work = mkdtempSync(join(tmpdir(), 'workplan-tg-reload-'));
/** A sentence of 市北's first paragraph, reworded in its new version. */
const OLD_WORDING = '财政收支依然承压较大';
let shibei: Engine;
let both: Engine;
let revised: Engine;
let live: LiveEngine;
let h: Harness;

beforeAll(async () => {
  const dir = join(work, 'reports');
  mkdirSync(dir, { recursive: true });
  copyFileSync(join(FIXTURES, '2026_河北省_政府工作报告.txt'), join(dir, '2026_河北省_政府工作报告.txt'));
  writeFileSync(join(dir, '2026_河北省_政府工作报告.json'), JSON.stringify({ id: HEBEI_ID }));
  for (const f of ['qingdao-shibei-2025-work-report.txt', 'qingdao-shibei-2025-work-report.json']) copyFileSync(join(REPORTS_DIR, f), join(dir, f));
  const v2 = join(work, 'revised');
  mkdirSync(v2, { recursive: true });
  const text = readFileSync(join(REPORTS_DIR, 'qingdao-shibei-2025-work-report.txt'), 'utf8');
  expect(text.split('\n')[0]).toContain(OLD_WORDING);
  writeFileSync(join(v2, 'qingdao-shibei-2025-work-report.txt'), text.replace(OLD_WORDING, '财政收支压力仍然较大'));
  copyFileSync(join(REPORTS_DIR, 'qingdao-shibei-2025-work-report.json'), join(v2, 'qingdao-shibei-2025-work-report.json'));
  [shibei, both, revised] = await Promise.all([
    testEngine(),
    createEngine({ reportsDir: dir, dictDir: DICT_DIR, indexDir: join(work, 'index'), readOnly: true }),
    createEngine({ reportsDir: v2, dictDir: DICT_DIR, indexDir: join(work, 'index-revised'), readOnly: true }),
  ]);
  live = new LiveEngine(shibei);
  h = await Harness.start({ engine: async () => live });
}, 120_000);
afterAll(async () => {
  await h?.stop();
  rmSync(work, { recursive: true, force: true });
});

const command = (name: string) => ({ entities: [{ type: 'bot_command', offset: 0, length: name.length }] });
const keyboard = (m: SentMessage): InlineKeyboardButton.CallbackButton[] => (m.payload.reply_markup?.inline_keyboard ?? []).flat();
const lastNote = (): unknown => h.fake.callsOf('answerCallbackQuery').at(-1)?.payload.text;
/** The bot's message as it stands now (outline levels edit it in place). */
const now = (user: User, m: SentMessage): SentMessage => h.sent(user.chatId).find((x) => x.messageId === m.messageId)!;

interface Walk {
  /** Outline buttons pressed on the way down, with the level each one showed. */
  levels: Array<{ data: string; text: string }>;
  /** The paragraph button at the bottom, and the paragraph it showed. */
  paragraph: string;
  shown: string;
}

/** Presses the first entry of each outline level, from `menu` down to a paragraph. */
async function walkToParagraph(user: User, menu: SentMessage, first?: string): Promise<Walk> {
  const levels: Walk['levels'] = [];
  let message = menu;
  for (let depth = 0; depth < 8; depth++) {
    const entries = keyboard(message).filter((b) => b.text !== messages.buttons.back);
    const b = depth === 0 && first ? entries.find((e) => first.startsWith(e.text.replace(/…$/, '')))! : entries[0]!;
    const sent = await user.pressData(message, b.callback_data);
    if (sent.length) return { levels, paragraph: b.callback_data, shown: visibleText(sent[0]!.text) };
    message = now(user, menu);
    levels.push({ data: b.callback_data, text: visibleText(message.text) });
  }
  throw new Error('no paragraph within 8 outline levels');
}

describe('buttons pressed after a reload', () => {
  it('open the same report’s paragraph and section after a report is added in front', async () => {
    live.swap(shibei);
    const user = h.user({ userId: 701 });
    const [menu] = await user.say('/outline', command('/outline'));
    const walk = await walkToParagraph(user, menu!);
    expect(walk.levels.length).toBeGreaterThan(0);
    expect(walk.shown).toContain('市北区2025年政府工作报告');

    live.swap(both);
    expect(live.info.documents.map((d) => d.id)).toEqual([HEBEI_ID, SHIBEI_ID]);

    const again = await user.pressData(now(user, menu!), walk.paragraph);
    expect(again).toHaveLength(1);
    expect(visibleText(again[0]!.text)).toBe(walk.shown);
    for (const level of walk.levels) {
      expect(await user.pressData(now(user, menu!), level.data)).toEqual([]);
      expect(visibleText(now(user, menu!).text)).toBe(level.text);
    }
  });

  it('say the report is gone, and open nothing, once it was removed', async () => {
    live.swap(both);
    const user = h.user({ userId: 702 });
    const [menu] = await user.say('/outline', command('/outline'));
    const hebei = both.info.documents.find((d) => d.id === HEBEI_ID)!;
    const walk = await walkToParagraph(user, menu!, hebei.title);
    expect(walk.shown).toContain(hebei.title);
    // Back from the report's top is the list of both reports.
    await user.pressData(now(user, menu!), walk.levels[0]!.data);
    const back = keyboard(now(user, menu!)).find((b) => b.text === messages.buttons.back)!;
    expect(await user.pressData(now(user, menu!), back.callback_data)).toEqual([]);
    for (const d of both.info.documents) expect(visibleText(now(user, menu!).text)).toContain(d.title);
    const shownBefore = now(user, menu!).text;

    live.swap(shibei);
    const edits = h.fake.callsOf('editMessageText').length;
    expect(await user.pressData(now(user, menu!), walk.paragraph)).toEqual([]);
    expect(lastNote()).toBe(messages.reportGone.outline);
    for (const level of walk.levels) {
      expect(await user.pressData(now(user, menu!), level.data)).toEqual([]);
      expect(lastNote()).toBe(messages.reportGone.outline);
    }
    expect(h.fake.callsOf('editMessageText').length).toBe(edits);
    expect(now(user, menu!).text).toBe(shownBefore);
  });

  it('say the report is gone when a new version under the same id words the paragraph differently', async () => {
    live.swap(shibei);
    const user = h.user({ userId: 705 });
    const [menu] = await user.say('/outline', command('/outline'));
    const walk = await walkToParagraph(user, menu!);
    expect(walk.shown).toContain(OLD_WORDING);

    live.swap(revised);
    expect(live.info.documents.map((d) => d.id)).toEqual([SHIBEI_ID]);
    expect(await user.pressData(now(user, menu!), walk.paragraph)).toEqual([]);
    expect(lastNote()).toBe(messages.reportGone.outline);
    // The sections are as they were: their buttons still open them.
    expect(await user.pressData(now(user, menu!), walk.levels[0]!.data)).toEqual([]);
    expect(visibleText(now(user, menu!).text)).toBe(walk.levels[0]!.text);
  });

  it('choose the same report with /reports, or say it is gone', async () => {
    live.swap(both);
    const user = h.user({ userId: 703 });
    const [list] = await user.say('/reports', command('/reports'));
    const data = (id: string): string => keyboard(list!).find((b) => b.text === both.info.documents.find((d) => d.id === id)!.title)!.callback_data;
    const [hebeiButton, shibeiButton] = [data(HEBEI_ID), data(SHIBEI_ID)];

    live.swap(shibei);
    const [confirm] = await user.pressData(list!, shibeiButton);
    expect(visibleText(confirm!.text)).toContain(messages.reports.chosen(shibei.info.documents[0]!.title));
    expect(await user.pressData(list!, hebeiButton)).toEqual([]);
    expect(lastNote()).toBe(messages.reportGone.reports);
  });

  it('answer old positional buttons and forged data with a polite note, opening no report', async () => {
    live.swap(both);
    const user = h.user({ userId: 704 });
    const [menu] = await user.say('/outline', command('/outline'));
    for (const data of [
      'g:0:5', 'g:1:5', 'o:0', 'o:1.0', 'c:0', 'c:1',
      `s:5:x:${SHIBEI_ID}`, `s:5:AAAA:${SHIBEI_ID}`, 's:5:AAAA:~AAAAAAAAAA', `n:0.99:AAAA:${SHIBEI_ID}`, 'k:nope',
    ]) {
      expect(await user.pressData(menu!, data), data).toEqual([]);
      expect(typeof lastNote(), data).toBe('string');
    }
    expect(h.sent(user.chatId)).toHaveLength(1);
  });
});
