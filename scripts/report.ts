/**
 * `npm run report`: what people ask, what the report could not answer, and the 👍/👎 counts, read
 * from the query log (the SQLite store at data/workplan.sqlite, or DATA_DIR's).
 *
 *   npm run report                    last 30 days, 20 rows per table
 *   npm run report -- --days 7 --limit 10
 *   npm run report -- --days 0        everything kept (see QUERY_LOG_RETENTION_DAYS)
 */
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { createConfig } from '../src/config.ts';
import { ConfigError } from '../src/errors.ts';
import { Store } from '../src/store/store.ts';

export interface ReportOptions {
  limit: number;
  /** Only questions asked in the last `days` days; 0 for all. */
  days: number;
  now?: number;
}

/** Display width in a terminal: CJK and full-width characters take two columns. */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    w += isWide(cp) ? 2 : 1;
  }
  return w;
}

function isWide(cp: number): boolean {
  return (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1faff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  );
}

function fit(s: string, width: number): string {
  const flat = s.replace(/\s+/g, ' ').trim();
  if (displayWidth(flat) <= width) return flat;
  let out = '';
  for (const ch of flat) {
    if (displayWidth(out + ch) > width - 1) break;
    out += ch;
  }
  return `${out}…`;
}

function pad(s: string, width: number, align: 'left' | 'right' = 'left'): string {
  const gap = ' '.repeat(Math.max(0, width - displayWidth(s)));
  return align === 'right' ? gap + s : s + gap;
}

/** A plain-text table; the last column is the free-text one and is cut to `maxLast` columns. */
export function table(head: string[], rows: string[][], align: Array<'left' | 'right'>, maxLast = 60): string {
  const cells = [head, ...rows].map((r) => r.map((c, i) => (i === r.length - 1 ? fit(c, maxLast) : c)));
  const widths = head.map((_, i) => Math.max(...cells.map((r) => displayWidth(r[i] ?? ''))));
  const line = (r: string[]): string =>
    r
      .map((c, i) => pad(c, widths[i]!, align[i] ?? 'left'))
      .join('  ')
      .trimEnd();
  return [line(cells[0]!), widths.map((w) => '─'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

function day(ms: number): string {
  const d = new Date(ms);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`;
}

/** The three tables as text. Pure apart from reading the store. */
export function renderReport(store: Store, options: ReportOptions): string {
  const now = options.now ?? Date.now();
  const since = options.days > 0 ? now - options.days * 86_400_000 : 0;
  const period = options.days > 0 ? `最近 ${options.days} 天` : '全部记录';
  const total = store.countQueries();
  if (total === 0) {
    return '查询日志中还没有任何提问记录。启动服务(npm start)并提问后,再运行 npm run report。';
  }

  const out: string[] = [`查询日志:共 ${total} 条提问记录(统计范围:${period})`, ''];

  const top = store.topQuestions(options.limit, since);
  out.push(`■ 最常问的问题(前 ${options.limit} 个)`);
  out.push(
    top.length
      ? table(
          ['次数', '最近一次', '问题'],
          top.map((q) => [String(q.count), day(q.lastAt), q.question]),
          ['right', 'left', 'left'],
        )
      : '  (这段时间没有提问)',
  );
  out.push('');

  const missing = store.notFound(options.limit, since);
  out.push('■ 报告中未找到答案的问题(报告或词典可能缺少的内容)');
  out.push(
    missing.length
      ? table(
          ['次数', '最近一次', '问题'],
          missing.map((q) => [String(q.count), day(q.lastAt), q.question]),
          ['right', 'left', 'left'],
        )
      : '  (没有:这段时间的问题都在报告中找到了答案)',
  );
  out.push('');

  const fb = store.feedbackCounts(options.limit);
  out.push(`■ 反馈统计:👍 有帮助 ${fb.up} 次,👎 没帮助 ${fb.down} 次`);
  out.push(
    fb.byQuestion.length
      ? table(
          ['👎', '👍', '问题'],
          fb.byQuestion.map((q) => [String(q.down), String(q.up), q.question]),
          ['right', 'right', 'left'],
        )
      : '  (还没有反馈)',
  );
  return out.join('\n');
}

function main(): void {
  const { values } = parseArgs({
    options: {
      limit: { type: 'string', default: '20' },
      days: { type: 'string', default: '30' },
    },
  });
  const limit = Number(values.limit);
  const days = Number(values.days);
  if (!Number.isInteger(limit) || limit < 1 || !Number.isInteger(days) || days < 0) {
    process.stderr.write('用法:npm run report -- [--limit 20] [--days 30](--days 0 表示全部)\n');
    process.exitCode = 2;
    return;
  }
  let database: string;
  try {
    database = createConfig(process.env).paths.database;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`配置错误:${err.message}\n`);
    process.exitCode = 2;
    return;
  }
  if (!existsSync(database)) {
    process.stdout.write(`还没有查询日志(${database} 不存在)。启动服务(npm start)并提问后,再运行 npm run report。\n`);
    return;
  }
  const store = Store.open(database);
  try {
    process.stdout.write(`${renderReport(store, { limit, days })}\n`);
  } finally {
    store.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
