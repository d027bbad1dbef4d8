import { copyFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/engine.ts';
import { runCli } from './helpers/cli.ts';

/** The real CLI in a child process, with its index in a private directory. */
function cli(args: string[], input?: string, env: Record<string, string> = {}): ReturnType<typeof runCli> {
  const indexDir = join(mkdtempSync(join(tmpdir(), 'workplan-cli-')), 'index');
  return runCli(args, { ...(input !== undefined ? { input } : {}), env: { INDEX_DIR: indexDir, ...env } });
}

describe('CLI', () => {
  it('answers from a folder of reports dropped in as published (REPORTS_DIR, a DATA_DIR without dictionaries)', async () => {
    const data = mkdtempSync(join(tmpdir(), 'workplan-cli-data-'));
    const reports = join(data, 'reports');
    mkdirSync(reports);
    for (const f of ['2026_江苏省_政府工作报告.txt', '2026_河南省_政府工作报告.txt']) copyFileSync(join(ROOT, 'test/fixtures/provinces-2026', f), join(reports, f));
    const { code, stdout } = await cli(['ask', '--json'], '江苏今年GDP增长目标是多少\n河南去年城镇新增就业多少人\n浙江今年GDP增长目标是多少\n', { DATA_DIR: data });
    expect(code).toBe(0);
    const [js, hn, zj] = stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(js.citations[0].doc).toBe('2026年江苏省政府工作报告');
    expect(js.answer).toContain('5%');
    expect(hn.citations[0].doc).toBe('2026年河南省政府工作报告');
    expect(hn.found).toBe(true);
    expect(zj).toMatchObject({ found: false, reason: 'other-place' });
  }, 120_000);

  it('ask --json prints the Answer JSON contract', async () => {
    const { code, stdout } = await cli(['ask', '--json', '今年新增多少托位']);
    expect(code).toBe(0);
    const a = JSON.parse(stdout);
    expect(a).toMatchObject({ question: '今年新增多少托位', found: true });
    expect(a.answer).toContain('300个');
    expect(a.citations[0]).toMatchObject({ doc: '市北区2025年政府工作报告' });
    expect(Object.keys(a.citations[0])).toEqual(expect.arrayContaining(['doc', 'section', 'quote', 'score']));
    expect(typeof a.latencyMs).toBe('number');
  });

  it('reads questions from standard input and prints one JSON object per line, in order', async () => {
    const questions = ['今年新增多少托位', '崂山区今年新增多少托位', '', '加装电梯多少部'];
    const { code, stdout } = await cli(['ask', '--json'], `${questions.join('\n')}\n`);
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.question)).toEqual(questions);
    expect(lines.map((l) => l.found)).toEqual([true, false, false, true]);
    expect(lines[2].reason).toBe('empty');
  });

  it('prints a readable answer with the quote and its location', async () => {
    const { code, stdout } = await cli(['ask', '加装电梯多少部']);
    expect(code).toBe(0);
    expect(stdout).toContain('答:');
    expect(stdout).toContain('120部以上');
    expect(stdout).toContain('—— 市北区2025年政府工作报告 › 二、2025年工作安排 ›');
  });

  it('exits with code 2 and a clear message for an empty question', async () => {
    const { code, stdout, stderr } = await cli(['ask', '   ']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('问题不能为空');
  });
});
