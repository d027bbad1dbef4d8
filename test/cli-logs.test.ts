import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from './helpers/engine.ts';
import { runCli } from './helpers/cli.ts';

/**
 * What the commands write where, run as the real CLI in a child process: standard output holds the
 * answer alone, standard error short sentences for a person, JSON log lines only with LOG_FORMAT=json.
 * Each run starts from a fresh data directory, so the index is built and that is logged.
 */

const work = mkdtempSync(join(tmpdir(), 'workplan-cli-logs-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A data directory holding a copy of the 市北 report and no index. */
function freshData(): Record<string, string> {
  const data = mkdtempSync(join(work, 'data-'));
  mkdirSync(join(data, 'reports'));
  for (const f of readdirSync(join(ROOT, 'data/reports'))) copyFileSync(join(ROOT, 'data/reports', f), join(data, 'reports', f));
  return { DATA_DIR: data, DICT_DIR: join(ROOT, 'data/dict'), LOG_LEVEL: 'info', LOG_FORMAT: '' };
}

const ANSWER = [
  '答:增加普惠托位300个,每千人口托位数达到4.6个。',
  '',
  '原文:',
  '  「深入推进儿童友好城区建设,增加普惠托位300个,每千人口托位数达到4.6个。」',
  '   —— 市北区2025年政府工作报告 › 二、2025年工作安排 › (五)坚持均衡普惠、和谐共进,书写民生幸福新答卷 › 强化社会兜底保障',
  '',
].join('\n');

const lines = (s: string): string[] => s.split('\n').filter((l) => l.trim());
const jsonLines = (s: string): string[] => lines(s).filter((l) => l.startsWith('{'));

describe('the commands speak to people', () => {
  it('ask: standard output is exactly the answer; standard error says in words that the index is being built', async () => {
    const env = freshData();
    const { code, stdout, stderr } = await runCli(['ask', '今年新增多少托位'], { env });
    expect(code).toBe(0);
    expect(stdout).toBe(ANSWER);
    expect(stderr).not.toContain('{"level"');
    expect(jsonLines(stderr)).toEqual([]);
    expect(lines(stderr)).toContain('no index yet, building it');
    expect(lines(stderr)).toContain('index built');

    // With the index built, a question is answered and nothing else is said.
    const again = await runCli(['ask', '今年新增多少托位'], { env });
    expect(again.stdout).toBe(ANSWER);
    expect(again.stderr).toBe('');
  }, 60_000);

  it('ask --json: standard output is one Answer JSON and nothing else', async () => {
    const { code, stdout, stderr } = await runCli(['ask', '--json', '今年新增多少托位'], { env: freshData() });
    expect(code).toBe(0);
    expect(stdout.endsWith('}\n')).toBe(true);
    expect(lines(stdout)).toHaveLength(1);
    expect(JSON.parse(stdout)).toMatchObject({ question: '今年新增多少托位', found: true });
    expect(jsonLines(stderr)).toEqual([]);
    expect(lines(stderr)).toContain('no index yet, building it');
  }, 60_000);

  it('a warning says so and why, in one line', async () => {
    const { code, stdout, stderr } = await runCli(['ask', '今年新增多少托位'], { env: { ...freshData(), DEFAULT_REGION: '浙江省' } });
    expect(code).toBe(0);
    expect(stdout).toBe(ANSWER);
    expect(jsonLines(stderr)).toEqual([]);
    expect(lines(stderr)).toContain('warning: DEFAULT_REGION names no loaded report; questions that name no place search all reports');
  }, 60_000);

  it('LOG_FORMAT=json: every line on standard error is a JSON log line; standard output is still the answer', async () => {
    const { code, stdout, stderr } = await runCli(['ask', '今年新增多少托位'], { env: { ...freshData(), LOG_FORMAT: 'json', LOG_LEVEL: 'debug' } });
    expect(code).toBe(0);
    expect(stdout).toBe(ANSWER);
    const logged = lines(stderr).map((l) => JSON.parse(l) as { level: number; msg: string });
    expect(logged.map((l) => l.msg)).toEqual(expect.arrayContaining(['no index yet, building it', 'index built']));
    expect(logged.find((l) => l.msg.startsWith('answered in'))).toMatchObject({ latencyMs: expect.any(Number) });
    expect(logged.every((l) => typeof l.level === 'number')).toBe(true);
  }, 60_000);

  it('add, remove, reports and index write sentences, not JSON, on standard error', async () => {
    const env = { ...freshData(), DEFAULT_REGION: '浙江省' };
    const file = join(work, '2019_国务院_政府工作报告.txt');
    copyFileSync(join(ROOT, 'test/fixtures/levels/2019_国务院_政府工作报告.txt'), file);
    const added = await runCli(['add', file], { env });
    expect(added.code).toBe(0);
    expect(added.stdout).toContain('索引已更新:2 份报告');
    expect(jsonLines(added.stderr)).toEqual([]);
    expect(lines(added.stderr)).toContain('warning: DEFAULT_REGION names no loaded report; questions that name no place search all reports');

    for (const args of [['reports'], ['index'], ['remove', 'china-2019']]) {
      const run = await runCli(args, { env });
      expect(run.code, `${args.join(' ')}: ${run.stderr}`).toBe(0);
      expect(jsonLines(run.stderr), args.join(' ')).toEqual([]);
    }
  }, 120_000);

  it('LOG_FORMAT other than json or text is a configuration error', async () => {
    const { code, stdout, stderr } = await runCli(['ask', '今年新增多少托位'], { env: { ...freshData(), LOG_FORMAT: 'xml' } });
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('LOG_FORMAT');
  }, 60_000);
});
