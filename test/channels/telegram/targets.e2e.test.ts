import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../../src/answer/index.ts';
import { messages } from '../../../src/channels/telegram/messages.ts';
import { DICT_DIR } from '../../helpers/engine.ts';
import { Harness } from './helpers/harness.ts';
import { visibleText } from './helpers/telegram-html.ts';

/** /targets against telegram-test-api, over three provinces; expected rows come from engine.targets(). */
const FIXTURES = join(import.meta.dirname, '../../fixtures/provinces-2026');
const work = mkdtempSync(join(tmpdir(), 'workplan-tg-targets-'));
let h: Harness;

beforeAll(async () => {
  const dir = join(work, 'reports');
  mkdirSync(dir, { recursive: true });
  for (const p of ['山东省', '江苏省', '吉林省']) copyFileSync(join(FIXTURES, `2026_${p}_政府工作报告.txt`), join(dir, `${p}.txt`));
  h = await Harness.start({
    engine: () => createEngine({ reportsDir: dir, dictDir: DICT_DIR, indexDir: join(work, 'index'), readOnly: true }),
    publicUrl: 'https://bot.example.gov.cn',
  });
}, 120_000);
afterAll(async () => {
  await h?.stop();
  rmSync(work, { recursive: true, force: true });
});

const command = (text: string) => ({ entities: [{ type: 'bot_command', offset: 0, length: text.split(' ')[0]!.length }] });

describe('/targets', () => {
  it('/targets GDP: every region’s figure in a monospace table, highest first, with a button to the web view', async () => {
    const [reply] = await h.user({ userId: 501 }).say('/targets GDP', command('/targets GDP'));
    expect(reply!.text).toMatch(/<pre>[\s\S]+<\/pre>/);
    const text = visibleText(reply!.text);
    const rows = h.engine.targets().filter((r) => r.indicator === '地区生产总值' && r.kind === 'target' && r.main);
    expect(rows).toHaveLength(3);
    for (const r of rows) expect(text).toMatch(new RegExp(`${r.region}\\s+${r.text.replace(/[.%]/g, '\\$&')}`));
    const button = reply!.payload.reply_markup.inline_keyboard[0][0];
    expect(button.text).toBe(messages.targets.web);
    expect(button.url).toBe('https://bot.example.gov.cn/targets?indicator=%E5%9C%B0%E5%8C%BA%E7%94%9F%E4%BA%A7%E6%80%BB%E5%80%BC&kind=target');
    expect(h.fake.violations).toEqual([]);
  });

  it('/targets 山东: that report’s main expected targets', async () => {
    const [reply] = await h.user({ userId: 502 }).say('/targets 山东', command('/targets 山东'));
    const text = visibleText(reply!.text);
    const rows = h.engine.targets().filter((r) => r.region === '山东省' && r.kind === 'target' && r.main);
    expect(rows.length).toBeGreaterThan(2);
    expect(text).toContain('2026年山东省政府工作报告');
    for (const r of rows) expect(text).toContain(r.text);
    expect(text).not.toContain('江苏');
  });

  it('words that name nothing loaded get a hint; /targets alone in a many-region deployment says how to narrow', async () => {
    const [unknown] = await h.user({ userId: 503 }).say('/targets 火星', command('/targets 火星'));
    expect(visibleText(unknown!.text)).toBe(messages.targets.unknown);
    const [bare] = await h.user({ userId: 503 }).say('/targets', command('/targets'));
    expect(visibleText(bare!.text)).toContain('/targets 山东');
    expect(h.fake.violations).toEqual([]);
  });
});
