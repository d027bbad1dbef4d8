import { describe, expect, it } from 'vitest';
import { displayWidth, renderReport, table } from '../../scripts/report.ts';
import { Store } from '../../src/store/index.ts';

const NOW = Date.UTC(2025, 5, 1, 12);
const DAY = 86_400_000;

describe('npm run report', () => {
  it('says so plainly when nothing was asked yet', () => {
    const store = Store.open(':memory:');
    expect(renderReport(store, { limit: 20, days: 30, now: NOW })).toMatch(/还没有任何提问记录/);
  });

  it('prints the most-asked questions, the not-found ones and the feedback counts', () => {
    const store = Store.open(':memory:');
    const ask = (question: string, found: boolean, at: number, reason?: string) =>
      store.recordQuery({ question, channel: 'web', found, latencyMs: 2, at, ...(reason ? { reason } : {}) });
    for (let i = 0; i < 3; i++) ask('今年新增多少托位', true, NOW - i * 1000);
    ask('加装电梯多少部', true, NOW - 2 * DAY);
    ask('托位每月收费多少', false, NOW - DAY, 'no-price');
    ask('托位每月收费多少', false, NOW - DAY + 1, 'no-price');
    ask('你好', false, NOW, 'chitchat');
    ask('去年的老问题', false, NOW - 60 * DAY, 'not-found');
    store.recordFeedback({ question: '今年新增多少托位', vote: 'up', channel: 'web', at: NOW });
    store.recordFeedback({ question: '加装电梯多少部', vote: 'down', channel: 'telegram', at: NOW });

    const text = renderReport(store, { limit: 20, days: 30, now: NOW });
    const [top, missing, feedback] = text.split('■').slice(1);
    expect(text).toContain('共 8 条提问记录');
    expect(top).toMatch(/3\s+\S+ \S+\s+今年新增多少托位/);
    expect(top!.indexOf('今年新增多少托位')).toBeLessThan(top!.indexOf('加装电梯多少部'));
    expect(top).not.toContain('去年的老问题'); // outside the 30 days
    expect(missing).toContain('托位每月收费多少');
    expect(missing).not.toContain('你好'); // chitchat is not a gap in the report
    expect(feedback).toContain('有帮助 1 次');
    expect(feedback).toContain('没帮助 1 次');
    expect(feedback).toContain('加装电梯多少部');

    expect(renderReport(store, { limit: 20, days: 0, now: NOW })).toContain('去年的老问题');
  });

  it('lines up columns with Chinese text (two columns per character)', () => {
    expect(displayWidth('托位a')).toBe(5);
    const t = table(['次数', '问题'], [['12', '今年新增多少托位'], ['3', 'GDP']], ['right', 'left']).split('\n');
    const col = (line: string) => displayWidth(line.slice(0, line.search(/\S+$/)));
    expect(col(t[2]!)).toBe(col(t[3]!));
    const long = table(['问题'], [['托'.repeat(100)]], ['left'], 20).split('\n')[2]!;
    expect(displayWidth(long)).toBeLessThanOrEqual(20);
    expect(long.endsWith('…')).toBe(true);
  });
});
