import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/answer/index.ts';
import { withConversation } from '../../src/answer/conversation.ts';
import { messages } from '../../src/answer/messages.ts';
import { MemoryState } from '../../src/shared/state.ts';
import { DICT_DIR, ROOT } from '../helpers/engine.ts';

/** Follow-ups read against the last answered question, on a deployment of four provinces. */
const work = mkdtempSync(join(tmpdir(), 'wp-followup-'));
let engine: Engine;

beforeAll(async () => {
  const dir = join(work, 'reports');
  mkdirSync(dir);
  for (const p of ['山东省', '江苏省', '吉林省', '广东省']) copyFileSync(join(ROOT, 'test/fixtures/provinces-2026', `2026_${p}_政府工作报告.txt`), join(dir, `${p}.txt`));
  engine = await createEngine({ reportsDir: dir, dictDir: DICT_DIR, indexDir: join(work, 'index'), readOnly: true });
}, 60_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('reading a follow-up', () => {
  const first = () => engine.followUp('山东今年城镇新增就业目标是多少', undefined).context!;

  it('a complete question stands alone and leaves its parts for the next', () => {
    const r = engine.followUp('山东今年城镇新增就业目标是多少', undefined);
    expect(r).toMatchObject({ question: '山东今年城镇新增就业目标是多少', inherited: [], needsContext: false });
    expect(r.context).toEqual({ place: '山东', time: '今年', subject: '城镇新增就业目标', tail: '是多少' });
  });

  it('time, place and subject follow-ups take what they leave out, and say so', () => {
    expect(engine.followUp('去年呢', first())).toMatchObject({ question: '山东去年城镇新增就业是多少', inherited: ['subject', 'place'], interpretedAs: '山东去年城镇新增就业' });
    expect(engine.followUp('那江苏呢', first())).toMatchObject({ question: '江苏今年城镇新增就业目标是多少', inherited: ['subject', 'time'] });
    expect(engine.followUp('那养老床位呢', first())).toMatchObject({ question: '山东今年养老床位是多少', inherited: ['place', 'time'] });
    expect(engine.followUp('十四五期间一共多少', first())).toMatchObject({ question: '山东十四五期间城镇新增就业一共多少', interpretedAs: '山东十四五期间城镇新增就业一共' });
    expect(engine.followUp('具体有哪些', first()).question).toBe('山东今年城镇新增就业具体有哪些');
  });

  it('a complete question after another inherits nothing, however short', () => {
    for (const q of ['江苏今年地区生产总值增长目标是多少', '今年新增多少托位', '粮食产量是多少']) {
      expect(engine.followUp(q, first())).toMatchObject({ question: q, inherited: [] });
    }
  });

  it('an empty or blank message is no follow-up', () => {
    for (const m of ['', '   ', '？']) expect(engine.followUp(m, first())).toMatchObject({ question: m, inherited: [], needsContext: false });
  });

  it('a follow-up without a conversation asks what it refers to', () => {
    expect(engine.followUp('去年呢', undefined).needsContext).toBe(true);
    expect(engine.followUp('山东呢', undefined).needsContext).toBe(true);
  });
});

describe('conversations', () => {
  it('answer follow-ups from the last answered question, keep conversations apart, expire, and forget on 重新开始', async () => {
    let now = 0;
    const state = new MemoryState({ now: () => now });
    const ask = withConversation((q, o) => engine.ask(q, o), { engine, state });
    const a = await ask('山东今年城镇新增就业目标是多少', { channel: 'test', conversationId: 'one' });
    expect(a.found).toBe(true);
    expect(a.interpretedAs).toBeUndefined();
    const b = await ask('去年呢', { channel: 'test', conversationId: 'one' });
    expect(b.question).toBe('去年呢');
    expect(b.interpretedAs).toBe('山东去年城镇新增就业');
    expect(b.found).toBe(true);
    expect(b.citations[0]!.doc).toBe('2026年山东省政府工作报告');
    // Its answer is the one the complete question gets.
    expect(b.answer).toBe((await engine.ask('山东去年城镇新增就业是多少')).answer);
    // Another conversation knows nothing of it.
    expect((await ask('去年呢', { channel: 'test', conversationId: 'two' })).answer).toBe(messages.followUpWithoutContext);
    // 重新开始 forgets; so do ten quiet minutes.
    expect((await ask('重新开始', { channel: 'test', conversationId: 'one' })).answer).toBe(messages.conversationReset);
    expect((await ask('江苏呢', { channel: 'test', conversationId: 'one' })).answer).toBe(messages.followUpWithoutContext);
    await ask('江苏今年城镇新增就业目标是多少', { channel: 'test', conversationId: 'one' });
    now += 11 * 60_000;
    expect((await ask('去年呢', { channel: 'test', conversationId: 'one' })).answer).toBe(messages.followUpWithoutContext);
  });
});
