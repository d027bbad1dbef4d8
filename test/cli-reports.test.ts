import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from './helpers/engine.ts';
import { runCli } from './helpers/cli.ts';
import { makeDocx, paragraphsOf } from './helpers/documents.ts';

/** `npm run add`, `npm run reports` and `npm run remove`, run as the real CLI in a child process. */

const work = mkdtempSync(join(tmpdir(), 'workplan-cli-reports-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const FIXTURES = join(ROOT, 'test/fixtures/provinces-2026');

const cli = (args: string[], env: Record<string, string>) => runCli(args, { env });

describe('npm run add / reports / remove', () => {
  it('adds a DOCX, prints what was detected and the outline, builds the index, lists and removes', async () => {
    const data = join(work, 'data');
    mkdirSync(join(data, 'reports'), { recursive: true });
    copyFileSync(join(FIXTURES, '2026_广东省_政府工作报告.txt'), join(data, 'reports', 'guangdong.txt'));
    const env = { DATA_DIR: data, DICT_DIR: join(ROOT, 'data/dict') };
    const docx = join(work, '吉林省政府工作报告.docx');
    writeFileSync(docx, await makeDocx(paragraphsOf(readFileSync(join(FIXTURES, '2026_吉林省_政府工作报告.txt'), 'utf8'))));

    const added = await cli(['add', docx], env);
    expect(added.code).toBe(0);
    expect(added.stdout).toContain('已添加:2026年吉林省政府工作报告(编号 jilin-2026)');
    expect(added.stdout).toMatch(/地区:吉林省\(据[^)]+\);年份:2026/);
    expect(added.stdout).toMatch(/各部分:2025年工作回顾 \d+ 段/);
    expect(added.stdout).toContain('提纲:');
    expect(added.stdout).toContain('索引已更新:2 份报告');
    expect(readdirSync(join(data, 'index'))).toContain('manifest.json');

    const listed = await cli(['reports', '--json'], env);
    expect(JSON.parse(listed.stdout).map((e: { id: string }) => e.id)).toEqual(['guangdong-2026', 'jilin-2026']);

    const answered = await cli(['ask', '--json', '吉林今年地区生产总值增长目标是多少'], env);
    expect(JSON.parse(answered.stdout).citations[0].doc).toBe('2026年吉林省政府工作报告');

    // The same file again is a duplicate: a clear message, exit code 1, nothing changed.
    const again = await cli(['add', docx], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('已经载入');

    const removed = await cli(['remove', 'jilin-2026'], env);
    expect(removed.code).toBe(0);
    expect(removed.stdout).toContain('已删除:2026年吉林省政府工作报告');
    const missing = await cli(['remove', 'jilin-2026'], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('没有编号为 jilin-2026 的报告');
    expect((await cli(['reports'], env)).stdout.trim().split('\n')).toHaveLength(1);
  }, 180_000);

  it('refuses a 200 MB file and an unknown format without reading them, and checks its arguments', async () => {
    const data = join(work, 'data2');
    mkdirSync(join(data, 'reports'), { recursive: true });
    const env = { DATA_DIR: data, DICT_DIR: join(ROOT, 'data/dict') };
    const huge = join(work, 'huge.pdf');
    // A sparse file: 200 MB on paper, nothing on disk.
    writeFileSync(huge, '');
    truncateSync(huge, 200 * 1024 * 1024);
    const sheet = join(work, 'data.xlsx');
    writeFileSync(sheet, 'PK\u0003\u0004');
    const out = await cli(['add', huge, sheet, join(work, 'nope.docx')], env);
    expect(out.code).toBe(1);
    expect(out.stderr).toContain('文件太大');
    expect(out.stderr).toContain('暂不支持这种文件格式');
    expect(out.stderr).toContain('找不到这个文件');
    expect(out.stderr).not.toMatch(/Error|at \//);
    expect(readdirSync(join(data, 'reports'))).toEqual([]);

    expect((await cli(['add'], env)).code).toBe(2);
    expect((await cli(['add', huge, '--year', '26'], env)).stderr).toContain('年份应为四位数字');
    expect((await cli(['add', huge, sheet, '--region', '吉林省'], env)).stderr).toContain('只能在添加一个文件时使用');
  }, 60_000);
});
