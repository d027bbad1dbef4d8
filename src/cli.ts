#!/usr/bin/env node
import { createInterface } from 'node:readline';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineCommand, runMain } from 'citty';
import { SingleBar, Presets } from 'cli-progress';
import { citationLocation, type Answer, type Engine } from './answer/index.ts';
import { messages } from './answer/messages.ts';
import { openEngine } from './bootstrap.ts';
import { createConfig, type Config } from './config.ts';
import { ConfigError, WorkplanError } from './errors.ts';
import type { LockEvents } from './ingest/library.ts';
import { createLogger, serverLogFormat, type LogFormat, type Logger } from './logger.ts';
import { rootPath } from './paths.ts';

/**
 * The command line: `ask`, `index`, `eval` and `start`. The only module that calls process.exit.
 *
 *   npm run ask -- "今年新增多少托位"          readable answer with quote and location
 *   npm run ask -- --json "今年新增多少托位"   the Answer JSON
 *   printf '问1\n问2\n' | npm run ask -- --json one JSON object per line, in order
 */

const EXIT_USAGE = 2;

/**
 * The configuration and the logger of one command. Commands speak to the person who ran them: their
 * log lines are sentences unless LOG_FORMAT=json; `start` passes its own choice (JSON when collected).
 */
function setup(level?: string, format: LogFormat = 'text'): { config: Config; logger: Logger } {
  // A .env file in the working directory is read if present (values already in the environment win).
  if (existsSync('.env')) {
    const before = { ...process.env };
    process.loadEnvFile('.env');
    Object.assign(process.env, before);
  }
  try {
    const config = createConfig(process.env);
    return { config, logger: createLogger(level ?? config.LOG_LEVEL, config.LOG_FORMAT ?? format) };
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`配置错误:${err.variable} ${err.message.slice(err.variable.length + 2)}\n`);
      process.exit(EXIT_USAGE);
    }
    throw err;
  }
}

const SELF_EXPLAINING = new Set(['chitchat', 'empty', 'which-place']);

function renderText(a: Answer): string {
  // A greeting or a question back (which place?) is no failed search.
  const lines = [
    ...(a.interpretedAs ? [`(${messages.interpretedAs(a.interpretedAs)})`] : []),
    a.found ? `答:${a.answer}` : SELF_EXPLAINING.has(a.reason ?? '') ? a.answer : `未找到:${a.answer}`,
  ];
  if (a.notice) lines.push(`(${a.notice})`);
  if (a.citations.length) {
    lines.push('', a.found ? '原文:' : '相关内容:');
    for (const c of a.citations) {
      lines.push(`  「${c.quote}」`, `   —— ${citationLocation(c)}`);
    }
  }
  return lines.join('\n');
}

async function readLines(): Promise<string[]> {
  const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
  const out: string[] = [];
  for await (const line of rl) out.push(line);
  return out;
}

const ask = defineCommand({
  meta: { name: 'ask', description: '回答一个问题(或从标准输入逐行读取问题)' },
  args: {
    question: { type: 'positional', required: false, description: '问题,例如 今年新增多少托位' },
    json: { type: 'boolean', description: '输出 Answer JSON' },
  },
  async run({ args }) {
    const words = args._.length ? args._ : args.question !== undefined ? [args.question] : [];
    const fromStdin = words.length === 0;
    if (fromStdin && process.stdin.isTTY) {
      process.stderr.write('请提供问题,例如:npm run ask -- "今年新增多少托位",或用 --json 从标准输入逐行读取。\n');
      process.exit(EXIT_USAGE);
    }
    const question = words.join(' ');
    if (!fromStdin && !question.trim()) {
      process.stderr.write('问题不能为空,例如:npm run ask -- "今年新增多少托位"\n');
      process.exit(EXIT_USAGE);
    }
    const { config, logger } = setup();
    const engine = await openEngine(config, logger);
    if (!fromStdin) {
      const a = await engine.ask(question, { channel: 'cli' });
      process.stdout.write(args.json ? `${JSON.stringify(a)}\n` : `${renderText(a)}\n`);
      // Standard output holds the answer alone; how long it took is a log line (LOG_LEVEL=debug).
      if (!args.json) logger.debug({ latencyMs: a.latencyMs }, `answered in ${a.latencyMs} ms`);
      return;
    }
    const lines = await readLines();
    while (lines.length && lines[lines.length - 1]!.trim() === '') lines.pop();
    // Lines on standard input are one conversation: 去年呢 reads against the line before.
    const { withConversation } = await import('./answer/conversation.ts');
    const { MemoryState } = await import('./shared/state.ts');
    const converse = withConversation((q, o) => engine.ask(q, o), { engine, state: new MemoryState() });
    for (const line of lines) {
      const a = await converse(line, { channel: 'cli', conversationId: 'stdin' });
      process.stdout.write(args.json ? `${JSON.stringify(a)}\n` : `${renderText(a)}\n\n`);
      if (!args.json) logger.debug({ latencyMs: a.latencyMs }, `answered in ${a.latencyMs} ms`);
    }
  },
});

const index = defineCommand({
  meta: { name: 'index', description: '重建索引' },
  args: {},
  async run() {
    // One clean summary: only errors are logged beside it.
    const { config, logger } = setup('error');
    const { openLibrary } = await import('./bootstrap.ts');
    const engine = await openLibrary(config, logger).exclusive(() => rebuildWithProgress(config, logger, { rebuild: true, inbox: true }), writerEvents(logger));
    await closeStores();
    const i = engine.info;
    process.stdout.write(
      `索引已建立:${i.documents.length} 份文件,${i.paragraphs} 段,${i.units} 句;向量:${i.embedder}\n位置:${config.paths.index}(${i.startMs} ms)\n`,
    );
  },
});

const evaluate = defineCommand({
  meta: { name: 'eval', description: '在问题集上评测检索与回答质量(默认:市北问题集 + 各省报告 dev 组)' },
  args: {
    set: { type: 'enum', options: ['dev', 'holdout'], default: 'dev', description: '市北问题集' },
    file: { type: 'string', description: 'JSONL 问题文件(覆盖 --set,只评默认部署)' },
    group: { type: 'string', description: '省级报告组:dev、holdout1、holdout2、all,或逗号分隔的报告名;none 跳过' },
    mode: { type: 'enum', options: ['one', 'many', 'both'], default: 'both', description: '每份报告单独部署(one)、全部加载并点名地区(many)' },
    sets: { type: 'string', default: 'test/eval/provinces', description: '省级问题集目录(每份报告一个 <报告名>.jsonl,组在 groups.json)' },
    verbose: { type: 'boolean', description: '列出未答对的问题' },
    json: { type: 'boolean', description: '输出 JSON 汇总' },
    llm: { type: 'boolean', description: '经配置的大模型改写答案后再评测,并统计守卫拒绝率' },
    targets: { type: 'boolean', description: '评测“主要预期目标”的抽取(精确率、召回率),--group dev|holdout|all' },
    followups: { type: 'boolean', description: '评测追问(去年呢、山东呢):答对率与未说明的误读' },
    voices: { type: 'string', description: '多种口吻的问题集(test/eval/voices):写作者组 dev、holdout、all,或逗号分隔的写作者' },
    detail: { type: 'boolean', description: '与 --voices 同用:逐份报告、逐种口吻列表' },
  },
  async run({ args }) {
    const { config, logger } = setup('warn');
    if (args.followups) {
      const { evalFollowUps, formatFollowUps, readPairs } = await import('./eval/followups.ts');
      const rows = await evalFollowUps({
        pairs: readPairs(resolve('test/eval/followups')),
        reportDirs: [resolve('test/fixtures/provinces-2026'), config.paths.reports],
        dictDir: config.paths.dict,
      });
      process.stdout.write(args.json ? `${JSON.stringify(rows, null, 2)}\n` : `${formatFollowUps(rows, args.verbose)}\n`);
      return;
    }
    if (args.voices) {
      const { evalVoices, formatVoices, readWriterGroups, voiceReportDirs } = await import('./eval/voices.ts');
      const { formatFailures } = await import('./eval/run.ts');
      const dir = resolve('test/eval/voices');
      const groups = readWriterGroups(dir);
      const writers = args.voices.split(',').flatMap((g) => groups[g.trim()] ?? [g.trim()]);
      const out: Record<string, unknown> = {};
      for (const mode of args.mode === 'both' ? (['one', 'many'] as const) : [args.mode as 'one' | 'many']) {
        const run = await evalVoices({ questions: dir, reportDirs: voiceReportDirs(config.paths.reports), dictDir: config.paths.dict, writers, mode });
        out[mode] = { summary: run.summary, writers: run.byWriter, kinds: run.byKind, reports: run.byReport };
        if (args.json) continue;
        if (args.verbose) process.stdout.write(`${formatFailures(run.rows)}\n\n`);
        process.stdout.write(`${formatVoices(run, `voices ${args.voices}`, args.detail)}\n\n`);
      }
      if (args.json) process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
      return;
    }
    if (args.targets) {
      const { evalTargets, formatTargetScores } = await import('./eval/targets.ts');
      const goldDir = resolve('test/eval/targets');
      const groups = JSON.parse(readFileSync(resolve(goldDir, 'groups.json'), 'utf8')) as Record<string, string[]>;
      const group = args.group ?? 'all';
      const reports = group === 'all' ? undefined : group.split(',').flatMap((g) => groups[g.trim()] ?? [g.trim()]);
      const scores = evalTargets({
        goldDir,
        reportDirs: [resolve('test/fixtures/provinces-2026'), config.paths.reports],
        dictDir: config.paths.dict,
        ...(reports ? { reports } : {}),
      });
      process.stdout.write(args.json ? `${JSON.stringify(scores, null, 2)}\n` : `${formatTargetScores(scores, `targets ${group}`, args.verbose)}\n`);
      return;
    }
    const { readQuestions, runEval, formatSummary, formatFailures } = await import('./eval/run.ts');
    if (args.llm && config.LLM_PROVIDER === 'none') {
      process.stderr.write('使用 --llm 前请设置 LLM_PROVIDER、LLM_MODEL(以及 LLM_BASE_URL)。\n');
      process.exit(EXIT_USAGE);
    }
    const out: Record<string, unknown> = {};
    const print = (s: string): void => {
      if (!args.json) process.stdout.write(`${s}\n\n`);
    };
    const group = args.group ?? (args.file ? 'none' : 'dev');
    const onlyReports = args.group !== undefined && args.group !== 'none' && !args.file;

    if (!onlyReports) {
      const file = args.file
        ? resolve(args.file)
        : resolve('test/eval', args.set === 'holdout' ? 'holdout.jsonl' : 'questions.jsonl');
      const questions = readQuestions(file);
      const engine: Engine = await openEngine(config, logger);
      const { readReportSources, loadLexicon } = await import('./corpus/index.ts');
      const sources = readReportSources(config.paths.reports, loadLexicon(config.paths.dict)).map((s) => s.text);
      const paragraphs = sources.flatMap((s) => s.split(/\r?\n/)).filter((l) => l.trim());
      const outcomes: Record<string, number> = {};
      let ask = (q: string) => engine.ask(q, { channel: 'eval' });
      if (args.llm) {
        const { openPhraser } = await import('./bootstrap.ts');
        const phraser = (await openPhraser(config, engine, { logger }))!;
        ask = async (q) => {
          const { answer, outcome } = await phraser.phrase(await engine.ask(q, { channel: 'eval' }), { channel: 'eval' });
          outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
          return answer;
        };
      }
      const run = await runEval(questions, ask, paragraphs, sources);
      out['default'] = { file: file.replace(`${process.cwd()}/`, ''), ...run.summary, ...(args.llm ? { llm: outcomes } : {}) };
      if (args.verbose) print(formatFailures(run.rows));
      print(formatSummary(run.summary, file.replace(`${process.cwd()}/`, '')));
      if (args.llm && !args.json) {
        const sent = Object.entries(outcomes).filter(([k]) => k !== 'skipped').reduce((a, [, n]) => a + n, 0);
        const rate = (k: string) => (sent ? ((outcomes[k] ?? 0) / sent).toFixed(3) : '0.000');
        print(
          `LLM (${config.LLM_PROVIDER}:${config.LLM_MODEL}): ${sent} answers sent to the model\n\n| outcome | rate |\n|---|---|\n` +
            ['phrased', 'rejected', 'declined', 'timeout', 'error'].map((k) => `| ${k === 'rejected' ? 'rejected by the guard' : k} | ${rate(k)} |`).join('\n'),
        );
      }
    }

    if (group !== 'none') {
      const { evalReports, formatReports, readGroups } = await import('./eval/reports.ts');
      const questionsDir = resolve(args.sets);
      const fixtures = resolve('test/fixtures/provinces-2026');
      const groups = readGroups(existsSync(resolve(questionsDir, 'groups.json')) ? questionsDir : resolve('test/eval/provinces'));
      const reports = group.split(',').flatMap((g) => groups[g.trim()] ?? [g.trim()]);
      const { readdirSync } = await import('node:fs');
      const extra = readdirSync(config.paths.reports).filter((f) => /\.(txt|json)$/.test(f)).map((f) => resolve(config.paths.reports, f));
      for (const mode of args.mode === 'both' ? (['one', 'many'] as const) : [args.mode as 'one' | 'many']) {
        const run = await evalReports({ fixtures, questions: questionsDir, dictDir: config.paths.dict, reports, mode, extra });
        out[mode] = { reports: run.perReport.map((r) => ({ report: r.report, ...r.summary })), periods: run.perTime, summary: run.summary };
        if (args.verbose) print(formatFailures(run.rows));
        print(formatReports(run, `reports ${group}`));
      }
    }
    // The default run ends with the question sets in several voices, every writer, each report alone.
    if (!args.group && !args.file) {
      const { evalVoices, formatVoices, readWriterGroups, voiceReportDirs } = await import('./eval/voices.ts');
      const dir = resolve('test/eval/voices');
      const groups = readWriterGroups(dir);
      const run = await evalVoices({ questions: dir, reportDirs: voiceReportDirs(config.paths.reports), dictDir: config.paths.dict, writers: groups['all']!, mode: 'one' });
      out['voices'] = { summary: run.summary, writers: run.byWriter };
      const names = (g: string): string => (groups[g] ?? []).join(', ');
      print(formatVoices(run, `voices, every writer (dev ${names('dev')}; holdout ${names('holdout')})`));
    }
    if (args.json) process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  },
});

/** Builds the index now, with a progress bar, so the next start or question is fast. */
async function rebuildWithProgress(config: Config, logger: Logger, options: { rebuild?: boolean; inbox?: boolean } = {}): Promise<Engine> {
  const bar = new SingleBar({ format: '建立索引 [{bar}] {percentage}% | {value}/{total} 句', hideCursor: true }, Presets.shades_classic);
  let started = false;
  const engine = await openEngine(config, logger, {
    inbox: Boolean(options.inbox),
    ...(options.rebuild ? { rebuild: true } : {}),
    onProgress(done, total) {
      if (!started) {
        bar.start(total, 0);
        started = true;
      }
      bar.update(done);
    },
  });
  if (started) bar.stop();
  return engine;
}

/**
 * What a writing command (add, remove, index) says about the reports lock: a wait is said to the
 * person at once, since it may last until the writer before finishes its index.
 */
function writerEvents(logger: Logger): LockEvents {
  return {
    waiting(holder) {
      process.stderr.write(`另一个进程${holder ? `(${holder.pid})` : ''}正在修改报告或索引,等它完成后继续…\n`);
    },
    lost(err) {
      logger.warn({ err }, 'the reports lock was taken over while this command held it');
    },
  };
}

const add = defineCommand({
  meta: { name: 'add', description: '添加报告:DOCX、PDF、网页(HTML)、TXT 或 Markdown,随后重建索引' },
  args: {
    file: { type: 'positional', required: false, description: '报告文件,可以有多个' },
    title: { type: 'string', description: '指定标题(只加一个文件时)' },
    region: { type: 'string', description: '指定地区,例如 吉林省(只加一个文件时)' },
    year: { type: 'string', description: '指定年份,例如 2026(只加一个文件时)' },
  },
  async run({ args }) {
    const files = args._.length ? args._ : args.file ? [args.file] : [];
    if (!files.length) {
      process.stderr.write('请提供报告文件,例如:npm run add -- 报告.docx\n');
      process.exit(EXIT_USAGE);
    }
    const year = args.year === undefined ? undefined : Number(args.year);
    if (year !== undefined && !(Number.isInteger(year) && year >= 1949 && year <= 2100)) {
      process.stderr.write('年份应为四位数字,例如 --year 2026\n');
      process.exit(EXIT_USAGE);
    }
    if (files.length > 1 && (args.title || args.region || year)) {
      process.stderr.write('--title、--region、--year 只能在添加一个文件时使用。\n');
      process.exit(EXIT_USAGE);
    }
    const { config, logger } = setup('warn');
    const { openLibrary } = await import('./bootstrap.ts');
    const { IngestError } = await import('./ingest/types.ts');
    const { tooLarge, MAX_FILE_BYTES } = await import('./ingest/formats.ts');
    const { describeAdded } = await import('./ingest/summary.ts');
    const { mkdirSync, statSync } = await import('node:fs');
    mkdirSync(config.paths.reports, { recursive: true });
    const library = openLibrary(config, logger);
    let added = 0;
    let failed = 0;
    // One writer at a time: the reports this command adds and the index rebuilt over them.
    await library.exclusive(async () => {
      for (const file of files) {
        try {
          let size: number;
          try {
            size = statSync(file).size;
          } catch {
            throw new IngestError('empty', '找不到这个文件,请检查路径。', file);
          }
          if (size > MAX_FILE_BYTES) throw tooLarge(size);
          const result = await library.add(file, readFileSync(file), {
            ...(args.title ? { title: args.title } : {}),
            ...(args.region ? { region: args.region } : {}),
            ...(year ? { year } : {}),
          });
          process.stdout.write(`${describeAdded(result).join('\n')}\n\n`);
          added++;
        } catch (err) {
          if (!(err instanceof IngestError)) throw err;
          process.stderr.write(`未添加 ${file}:${err.userMessage}\n`);
          failed++;
        }
      }
      if (added) {
        const engine = await rebuildWithProgress(config, logger);
        process.stdout.write(`索引已更新:${engine.info.documents.length} 份报告,${engine.info.units} 句。运行中的服务会自动载入,无需重启。\n`);
      }
    }, writerEvents(logger));
    await closeStores();
    if (failed) process.exit(1);
  },
});

const reports = defineCommand({
  meta: { name: 'reports', description: '列出已载入的报告' },
  args: { json: { type: 'boolean', description: '输出 JSON' } },
  async run({ args }) {
    const { config } = setup('warn');
    const { openLibrary } = await import('./bootstrap.ts');
    const { describeEntry } = await import('./ingest/summary.ts');
    const library = openLibrary(config);
    const list = library.list();
    if (args.json) {
      process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
      return;
    }
    if (!list.length) process.stdout.write(`${config.paths.reports} 中还没有报告。添加:npm run add -- 报告.docx\n`);
    for (const e of list) process.stdout.write(`${describeEntry(e)}\n`);
    const waiting = library.inbox();
    if (waiting.length) process.stdout.write(`\n待添加(下次启动或运行中自动添加):${waiting.join('、')}\n`);
  },
});

const remove = defineCommand({
  meta: { name: 'remove', description: '按编号删除报告(编号见 npm run reports)' },
  args: { id: { type: 'positional', required: false, description: '报告编号,例如 jilin-2026' } },
  async run({ args }) {
    const ids = args._.length ? args._ : args.id ? [args.id] : [];
    if (!ids.length) {
      process.stderr.write('请提供报告编号,例如:npm run remove -- jilin-2026(编号见 npm run reports)\n');
      process.exit(EXIT_USAGE);
    }
    const { config, logger } = setup('warn');
    const { openLibrary } = await import('./bootstrap.ts');
    const { IngestError } = await import('./ingest/types.ts');
    const library = openLibrary(config, logger);
    let removed = 0;
    await library.exclusive(async () => {
      for (const id of ids) {
        try {
          const e = await library.remove(id);
          process.stdout.write(`已删除:${e.title}(编号 ${e.id})\n`);
          removed++;
        } catch (err) {
          if (!(err instanceof IngestError)) throw err;
          process.stderr.write(`未删除 ${id}:${err.userMessage}\n`);
        }
      }
      if (removed) {
        const engine = await rebuildWithProgress(config, logger);
        process.stdout.write(`索引已更新:${engine.info.documents.length} 份报告。运行中的服务会自动载入,无需重启。\n`);
      }
    }, writerEvents(logger));
    await closeStores();
    if (removed < ids.length) process.exit(1);
  },
});

const start = defineCommand({
  meta: { name: 'start', description: '启动服务:网页、HTTP API,以及已配置的 Telegram / 微信 / 企业微信' },
  args: {},
  async run() {
    const { config, logger } = setup(undefined, serverLogFormat());
    const { main } = await import('./main.ts');
    try {
      await main(config, logger);
    } catch (err) {
      // A port in use, an unreadable report or prompt: say what and exit, without a stack trace.
      if (err instanceof WorkplanError) {
        logger.fatal({ code: err.code }, err.message);
        process.stderr.write(`启动失败:${err.message}\n`);
        process.exit(1);
      }
      throw err;
    }
  },
});

/** `npm run admin -- add|reset|remove|list`: the console's accounts (src/admin). */
const adminAccounts = (() => {
  const open = async () => {
    const { config } = setup('warn');
    const { openAdminStore } = await import('./admin/store.ts');
    try {
      return await openAdminStore({ file: config.paths.database, databaseUrl: config.DATABASE_URL });
    } catch (err) {
      process.stderr.write(`无法打开账号数据库:${(err as Error).message.split('\n')[0]}\n`);
      process.exit(1);
    }
  };
  const run = async (fn: (a: typeof import('./admin/accounts.ts'), store: Awaited<ReturnType<typeof open>>) => Promise<number>): Promise<void> => {
    const accounts = await import('./admin/accounts.ts');
    const store = await open();
    let code: number;
    try {
      code = await fn(accounts, store);
    } finally {
      await store.close();
    }
    if (code) process.exit(code);
  };
  const name = { type: 'positional', required: true, description: '账号名' } as const;
  const out = { out: (s: string) => process.stdout.write(s), err: (s: string) => process.stderr.write(s) };
  return defineCommand({
    meta: { name: 'admin', description: '管理后台账号:add、reset、remove、list' },
    subCommands: {
      add: defineCommand({
        meta: { name: 'add', description: '新建账号(默认生成密码并只显示一次)' },
        args: {
          name,
          role: { type: 'string', required: true, description: 'admin(管理报告和查看全部)或 reviewer(只看问题和反馈)' },
          'password-stdin': { type: 'boolean', description: '从标准输入读取密码,而不是生成' },
        },
        run: ({ args }) =>
          run(async (a, store) =>
            a.addAccount(store, args.name, args.role, { ...out, ...(args['password-stdin'] ? { password: await readStdin() } : {}) }),
          ),
      }),
      reset: defineCommand({
        meta: { name: 'reset', description: '重置账号密码(默认生成新密码并只显示一次)' },
        args: { name, 'password-stdin': { type: 'boolean', description: '从标准输入读取新密码' } },
        run: ({ args }) =>
          run(async (a, store) => a.resetAccount(store, args.name, { ...out, ...(args['password-stdin'] ? { password: await readStdin() } : {}) })),
      }),
      remove: defineCommand({
        meta: { name: 'remove', description: '删除账号' },
        args: { name },
        run: ({ args }) => run((a, store) => a.removeAccount(store, args.name, out)),
      }),
      list: defineCommand({
        meta: { name: 'list', description: '列出账号' },
        run: () => run((a, store) => a.listAccounts(store, out)),
      }),
    },
  });
})();

/** All of standard input, without the line break a shell adds after a password. */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/** SEARCH_BACKEND=postgres: a command's connections closed, so it ends at once. */
async function closeStores(): Promise<void> {
  const { closeSearchStores } = await import('./bootstrap.ts');
  await closeSearchStores();
}

const cli = defineCommand({
  meta: {
    name: 'workplan-bot',
    version: JSON.parse(readFileSync(rootPath('package.json'), 'utf8')).version,
    description: '政府工作报告问答助手',
  },
  subCommands: { ask, index, eval: evaluate, start, add, reports, remove, admin: adminAccounts },
});

process.on('unhandledRejection', (err) => {
  process.stderr.write(`${err instanceof WorkplanError ? err.message : String((err as Error)?.stack ?? err)}\n`);
  process.exit(1);
});

runMain(cli);
