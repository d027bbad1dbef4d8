/**
 * `npm run report`: what people ask, what the report could not answer, and the 👍/👎 counts, read
 * from the query log: PostgreSQL when DATABASE_URL is set, else the SQLite store at
 * data/workplan.sqlite (or DATA_DIR's). Both print the same report for the same rows.
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
import { displayPath, errorText, sqliteProblem } from '../src/store/backend.ts';
import { PostgresBackend, redactUrl } from '../src/store/postgres.ts';
import { Store, type CountedQuestion, type FeedbackCounts } from '../src/store/store.ts';

type Awaitable<T> = T | Promise<T>;

/** What the report reads: the Store (SQLite), the PostgreSQL backend or an open QueryLog. */
export interface ReportSource {
  countQueries(): Awaitable<number>;
  topQuestions(limit: number, since: number): Awaitable<CountedQuestion[]>;
  notFound(limit: number, since: number): Awaitable<CountedQuestion[]>;
  feedbackCounts(limit: number): Awaitable<FeedbackCounts>;
}

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
export async function renderReport(store: ReportSource, options: ReportOptions): Promise<string> {
  const now = options.now ?? Date.now();
  const since = options.days > 0 ? now - options.days * 86_400_000 : 0;
  const period = options.days > 0 ? `最近 ${options.days} 天` : '全部记录';
  const total = await store.countQueries();
  if (total === 0) {
    return '查询日志中还没有任何提问记录。启动服务(npm start)并提问后,再运行 npm run report。';
  }

  const out: string[] = [`查询日志:共 ${total} 条提问记录(统计范围:${period})`, ''];

  const top = await store.topQuestions(options.limit, since);
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

  const missing = await store.notFound(options.limit, since);
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

  const fb = await store.feedbackCounts(options.limit);
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

const NOTHING_YET = '启动服务(npm start)并提问后,再运行 npm run report。';

async function main(): Promise<void> {
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
  let config;
  try {
    config = createConfig(process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`配置错误:${err.message}\n`);
    process.exitCode = 2;
    return;
  }

  const url = config.DATABASE_URL;
  if (url) {
    let db: PostgresBackend;
    try {
      db = await PostgresBackend.connect(url);
    } catch (err) {
      process.stderr.write(`无法连接查询日志数据库(${redactUrl(url)}):${errorText(err)}\n`);
      process.exitCode = 1;
      return;
    }
    try {
      if (!(await db.hasSchema())) {
        process.stdout.write(`还没有查询日志(${db.where} 中没有查询日志的表)。${NOTHING_YET}\n`);
        return;
      }
      process.stdout.write(`${await renderReport(db, { limit, days })}\n`);
    } finally {
      await db.close();
    }
    return;
  }

  const database = config.paths.database;
  if (!existsSync(database)) {
    process.stdout.write(`还没有查询日志(${database} 不存在)。${NOTHING_YET}\n`);
    return;
  }
  let store: Store;
  try {
    store = Store.open(database);
  } catch (err) {
    process.stderr.write(`无法打开查询日志(${displayPath(database)}):${sqliteProblem(err, database)}\n`);
    process.exitCode = 1;
    return;
  }
  try {
    process.stdout.write(`${await renderReport(store, { limit, days })}\n`);
  } finally {
    store.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    process.stderr.write(`npm run report 失败:${errorText(err)}\n`);
    process.exitCode = 1;
  });
}
