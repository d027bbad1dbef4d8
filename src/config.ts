import { existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError } from './errors.ts';
import { rootPath } from './paths.ts';

/**
 * The only reader of the environment. `createConfig(process.env)` validates every setting once at the
 * entry point; everything else receives the typed `Config`. All settings are optional: with none,
 * `npm start` serves the web page and API on http://localhost:3000 with the local index.
 */

const optionalString = z
  .string()
  .trim()
  .transform((s) => (s === '' ? undefined : s))
  .optional();

const url = z
  .string()
  .trim()
  .transform((s) => (s === '' ? undefined : s.replace(/\/+$/, '')))
  .refine((s) => s === undefined || /^https?:\/\/[^\s]+$/.test(s), 'must be an http(s) URL')
  .optional();

const port = z.coerce.number().int().min(0).max(65535);

/** A comma- or space-separated list of ids, each matching `pattern`, then mapped (lower case for WeCom). */
function listOf(pattern: RegExp, what: string, map: (id: string) => string = (id) => id) {
  return z
    .string()
    .optional()
    .transform((s, ctx) => {
      const parts = (s ?? '')
        .split(/[\s,]+/)
        .map((p) => p.trim())
        .filter(Boolean);
      for (const p of parts) {
        if (!pattern.test(p)) {
          ctx.addIssue({ code: 'custom', message: `"${p}" is not ${what}` });
          return z.NEVER;
        }
      }
      return parts.map(map);
    });
}

const idList = listOf(/^-?\d+$/, 'a numeric user id');

/**
 * WeCom UserIDs (WECOM_ADMIN_IDS): letters, digits and _ - @ . as the admin console allows, up to 64.
 * WeCom treats them case-insensitively, so they are kept in lower case.
 */
const wecomIdList = listOf(/^[A-Za-z0-9_@.-]{1,64}$/, 'a WeCom UserID (letters, digits, _ - @ .)', (p) => p.toLowerCase());

const EnvSchema = z.object({
  PORT: port.default(3000),
  HOST: z.string().trim().default('0.0.0.0'),
  DATA_DIR: z.string().trim().default('data'),
  /** The reports to serve; default DATA_DIR/reports. */
  REPORTS_DIR: optionalString,
  /** The dictionaries; default DATA_DIR/dict, else the ones shipped with the project. */
  DICT_DIR: optionalString,
  INDEX_DIR: optionalString,
  /** The region a question that names no place is about, when several are loaded (e.g. 山东省). */
  DEFAULT_REGION: optionalString,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** How log lines look: text (sentences) or json; unset, commands write text and a server JSON unless on a terminal. */
  LOG_FORMAT: z.preprocess((v) => (typeof v === 'string' && v.trim() ? v.trim().toLowerCase() : undefined), z.enum(['json', 'text']).optional()),

  TELEGRAM_BOT_TOKEN: z
    .string()
    .trim()
    .optional()
    .transform((s) => (s ? s : undefined))
    .refine((s) => s === undefined || /^\d+:[\w-]{20,}$/.test(s), 'must look like 123456:ABC… (from @BotFather)'),
  TELEGRAM_API_ROOT: url,
  TELEGRAM_WEBHOOK_URL: url,
  TELEGRAM_WEBHOOK_SECRET: z
    .string()
    .trim()
    .optional()
    .transform((s) => (s ? s : undefined))
    .refine((s) => s === undefined || /^[A-Za-z0-9_-]{1,256}$/.test(s), 'only A-Z, a-z, 0-9, _ and - (1–256 characters)'),

  WECHAT_TOKEN: optionalString,
  WECHAT_ENCODING_AES_KEY: optionalString.refine((s) => s === undefined || /^[A-Za-z0-9+/]{43}$/.test(s), 'must be 43 characters'),
  WECHAT_APP_ID: optionalString,
  WECHAT_APP_SECRET: optionalString,
  WECHAT_API_ROOT: url.default('https://api.weixin.qq.com'),
  WECOM_TOKEN: optionalString,
  WECOM_ENCODING_AES_KEY: optionalString.refine((s) => s === undefined || /^[A-Za-z0-9+/]{43}$/.test(s), 'must be 43 characters'),
  WECOM_CORP_ID: optionalString,
  WECOM_AGENT_ID: optionalString,
  WECOM_SECRET: optionalString,
  WECOM_API_ROOT: url.default('https://qyapi.weixin.qq.com'),
  /** WeCom UserIDs that may add reports by sending the file to the app (needs WECOM_SECRET to download it). */
  WECOM_ADMIN_IDS: wecomIdList,

  LLM_PROVIDER: z.enum(['none', 'openai', 'ollama']).default('none'),
  LLM_BASE_URL: url,
  LLM_API_KEY: optionalString,
  LLM_MODEL: optionalString,
  LLM_TIMEOUT_MS: z.coerce.number().int().positive().default(15000),
  EMBEDDINGS_PROVIDER: z.enum(['local', 'openai', 'ollama']).default('local'),
  EMBEDDINGS_MODEL: optionalString,
  EMBEDDINGS_BASE_URL: url,
  EMBEDDINGS_API_KEY: optionalString,

  ADMIN_IDS: idList,
  /** Shared state for several replicas (redis://host:6379/0); in-process when unset. */
  REDIS_URL: z
    .string()
    .trim()
    .optional()
    .transform((s) => (s ? s : undefined))
    .refine((s) => s === undefined || /^rediss?:\/\/\S+$/.test(s), 'must be a redis:// or rediss:// URL'),
  /** PostgreSQL for the query log and feedback (postgres://user@host:5432/db); SQLite when unset. */
  DATABASE_URL: z
    .string()
    .trim()
    .optional()
    .transform((s) => (s ? s : undefined))
    .refine((s) => s === undefined || /^postgres(?:ql)?:\/\/\S+$/.test(s), 'must be a postgres:// URL'),
  /**
   * Where the search index lives: `memory` (each process builds or loads its own, the default) or
   * `postgres` (reports, their structure, tokens, vectors and targets in DATABASE_URL, shared by every
   * replica; each replica answers from what it loaded and reloads when another one adds a report).
   */
  SEARCH_BACKEND: z.enum(['memory', 'postgres']).default('memory'),
  /** Where the web page is reachable from outside (https://bot.example.gov.cn), for links in chats. */
  PUBLIC_URL: url,
  QUERY_LOG_RETENTION_DAYS: z.coerce.number().int().min(0).default(180),
  API_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(30),
  /** The console (/admin): a session not used for this many minutes ends. */
  ADMIN_SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(30),
  /** The console: a session ends this many hours after sign-in, however much it is used. */
  ADMIN_SESSION_MAX_HOURS: z.coerce.number().int().min(1).max(24 * 30).default(12),
  /** Watch the reports directory and reload when reports are added, changed or removed (default on). */
  WATCH_REPORTS: z
    .enum(['true', 'false', '1', '0', ''])
    .default('true')
    .transform((v) => v !== 'false' && v !== '0'),
  /** Behind a reverse proxy: take the client address from X-Forwarded-For (the last hop). */
  TRUST_PROXY: z
    .enum(['true', 'false', '1', '0', ''])
    .default('false')
    .transform((v) => v === 'true' || v === '1'),
});

export type Env = z.infer<typeof EnvSchema>;

/** The dictionaries shipped with the project, for a DATA_DIR that holds only reports. */
const SHIPPED_DICT = rootPath('data', 'dict');

export interface Config extends Env {
  /** Absolute paths derived from DATA_DIR / INDEX_DIR. */
  paths: {
    data: string;
    reports: string;
    dict: string;
    index: string;
    /** SQLite file for the query log and feedback. */
    database: string;
  };
}

/** Validates the environment; throws `ConfigError` naming the first bad variable. */
export function createConfig(env: Record<string, string | undefined> = {}, cwd = process.cwd()): Config {
  const result = EnvSchema.safeParse(env);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const variable = String(issue.path[0] ?? 'environment');
    throw new ConfigError(variable, issue.message);
  }
  const e = result.data;
  const check = (ok: boolean, variable: string, message: string): void => {
    if (!ok) throw new ConfigError(variable, message);
  };
  check(!e.TELEGRAM_WEBHOOK_URL || Boolean(e.TELEGRAM_BOT_TOKEN), 'TELEGRAM_BOT_TOKEN', 'is required when TELEGRAM_WEBHOOK_URL is set');
  check(!e.WECHAT_ENCODING_AES_KEY || Boolean(e.WECHAT_APP_ID), 'WECHAT_APP_ID', 'is required with WECHAT_ENCODING_AES_KEY (safe mode)');
  check(!e.WECOM_TOKEN || Boolean(e.WECOM_ENCODING_AES_KEY), 'WECOM_ENCODING_AES_KEY', 'is required when WECOM_TOKEN is set');
  check(!e.WECOM_TOKEN || Boolean(e.WECOM_CORP_ID), 'WECOM_CORP_ID', 'is required when WECOM_TOKEN is set');
  check(e.LLM_PROVIDER === 'none' || Boolean(e.LLM_MODEL), 'LLM_MODEL', `is required when LLM_PROVIDER=${e.LLM_PROVIDER}`);
  check(e.LLM_PROVIDER !== 'openai' || Boolean(e.LLM_BASE_URL), 'LLM_BASE_URL', 'is required when LLM_PROVIDER=openai');
  check(e.EMBEDDINGS_PROVIDER === 'local' || Boolean(e.EMBEDDINGS_MODEL), 'EMBEDDINGS_MODEL', `is required when EMBEDDINGS_PROVIDER=${e.EMBEDDINGS_PROVIDER}`);
  check(e.SEARCH_BACKEND !== 'postgres' || Boolean(e.DATABASE_URL), 'DATABASE_URL', 'is required when SEARCH_BACKEND=postgres');
  check(e.EMBEDDINGS_PROVIDER !== 'openai' || Boolean(e.EMBEDDINGS_BASE_URL), 'EMBEDDINGS_BASE_URL', 'is required when EMBEDDINGS_PROVIDER=openai');

  const data = resolve(cwd, e.DATA_DIR);
  const reports = e.REPORTS_DIR ? resolve(cwd, e.REPORTS_DIR) : resolve(data, 'reports');
  // Each set of reports keeps its own index, so switching between deployments does not rebuild.
  const index = e.INDEX_DIR ? resolve(cwd, e.INDEX_DIR) : e.REPORTS_DIR ? resolve(data, `index-${basename(reports)}`) : resolve(data, 'index');
  return {
    ...e,
    paths: {
      data,
      reports,
      dict: e.DICT_DIR ? resolve(cwd, e.DICT_DIR) : existsSync(resolve(data, 'dict')) ? resolve(data, 'dict') : SHIPPED_DICT,
      index,
      database: resolve(data, 'workplan.sqlite'),
    },
  };
}
