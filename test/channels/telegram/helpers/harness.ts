import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import type { Bot, Transformer } from 'grammy';
import type { InlineKeyboardMarkup, Update } from 'grammy/types';
import { Hono, type Context as HonoContext } from 'hono';
import { pino } from 'pino';
// The CommonJS module's named export (its default export differs between type and runtime views).
import { TelegramServer, type StoredBotUpdate } from 'telegram-test-api/lib/telegramServer.js';
import type { Engine } from '../../../../src/answer/engine.ts';
import type { AskFn } from '../../../../src/answer/types.ts';
import { createTelegramBot, startTelegram, type RunningTelegram, type StartOptions, type TelegramChannel } from '../../../../src/channels/telegram/index.ts';
import type { AdminDeps, BotInternals } from '../../../../src/channels/telegram/bot.ts';
import { createMetrics, instrumentAsk, type Metrics } from '../../../../src/observability/index.ts';
import type { SharedState } from '../../../../src/shared/state.ts';
import { Store } from '../../../../src/store/store.ts';
import { testEngine } from '../../../helpers/engine.ts';
import { parseTelegramHtml } from './telegram-html.ts';
import { freePort } from '../../../helpers/net.ts';
export { freePort };

/** What telegram-test-api's getMe reports. */
export const BOT = { id: 666, username: 'TestNameBot' } as const;
export const WEBHOOK_PATH = '/telegram/webhook';


export interface ApiCall {
  method: string;
  payload: Record<string, any>;
}

type ApiResponse = { ok: true; result: unknown } | { ok: false; error_code: number; description: string; parameters?: object };

/**
 * The Bot API methods telegram-test-api lacks (answerInlineQuery, sendChatAction), plus Telegram's own
 * checks the emulator skips (4096 characters, parseable HTML, 64-byte callback data), installed
 * beneath auto-retry. Records every attempt; `respondOnce` scripts a failure for the next call.
 */
export class FakeBotApi {
  readonly calls: ApiCall[] = [];
  readonly violations: string[] = [];
  private readonly queued = new Map<string, ApiResponse[]>();
  private readonly waiters: Array<{ method: string; resolve: (c: ApiCall) => void }> = [];
  /** Overrides for a method (e.g. a long-polling getUpdates). */
  readonly handlers = new Map<string, (payload: Record<string, any>, signal?: AbortSignal) => Promise<ApiResponse>>();

  respondOnce(method: string, response: ApiResponse): void {
    const list = this.queued.get(method) ?? [];
    list.push(response);
    this.queued.set(method, list);
  }

  callsOf(method: string): ApiCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Resolves at the next call of `method`. */
  nextCall(method: string): Promise<ApiCall> {
    return new Promise((resolve) => this.waiters.push({ method, resolve }));
  }

  private check(method: string, p: Record<string, any>): string | undefined {
    const html = (text: unknown, what: string): string | undefined => {
      if (typeof text !== 'string' || text.length === 0) return `${what}: empty text`;
      if (text.length > 4096) return `${what}: message is too long (${text.length})`;
      const parsed = parseTelegramHtml(text);
      return parsed.ok ? undefined : `${what}: can't parse entities: ${parsed.error}`;
    };
    const keyboard = (markup: InlineKeyboardMarkup | undefined): string | undefined => {
      for (const row of markup?.inline_keyboard ?? []) {
        if (!row.length) return 'empty keyboard row';
        for (const b of row) {
          if ('callback_data' in b && Buffer.byteLength(b.callback_data) > 64) return `BUTTON_DATA_INVALID ${b.callback_data}`;
        }
      }
      return undefined;
    };
    if (method === 'sendMessage' || method === 'editMessageText') {
      if (p.parse_mode !== 'HTML') return `${method}: not HTML`;
      return html(p.text, method) ?? keyboard(p.reply_markup);
    }
    if (method === 'answerInlineQuery') {
      const results = p.results as any[];
      if (results.length > 50) return 'RESULTS_TOO_MUCH';
      if (new Set(results.map((r) => r.id)).size !== results.length) return 'RESULT_ID_DUPLICATE';
      for (const r of results) {
        if (!r.title) return 'article without title';
        const e = html(r.input_message_content?.message_text, `inline ${r.id}`);
        if (e) return e;
      }
    }
    if (method === 'answerCallbackQuery' && typeof p.text === 'string' && p.text.length > 200) return 'callback answer too long';
    return undefined;
  }

  readonly transformer: Transformer = async (prev, method, payload, signal) => {
    const p = JSON.parse(JSON.stringify(payload ?? {})) as Record<string, any>;
    const call = { method, payload: p };
    this.calls.push(call);
    for (const w of this.waiters.filter((x) => x.method === method)) {
      this.waiters.splice(this.waiters.indexOf(w), 1);
      w.resolve(call);
    }
    const queued = this.queued.get(method)?.shift();
    if (queued) return queued as never;
    const violation = this.check(method, p);
    if (violation) {
      this.violations.push(violation);
      return { ok: false, error_code: 400, description: `Bad Request: ${violation}` } as never;
    }
    const handler = this.handlers.get(method);
    if (handler) return (await handler(p, signal as AbortSignal | undefined)) as never;
    if (method === 'answerInlineQuery' || method === 'sendChatAction') return { ok: true, result: true } as never;
    return prev(method, payload, signal);
  };
}

/** A stored message the bot sent through the emulator. */
export interface SentMessage {
  messageId: number;
  chatId: string;
  text: string;
  payload: Record<string, any>;
}

export interface HarnessOptions {
  token?: string;
  /** Wraps the real engine's ask. */
  ask?: (real: AskFn) => AskFn;
  rateLimit?: { limit: number; windowMs: number };
  internals?: BotInternals;
  webhookSecret?: string;
  /** Long polling with @grammyjs/runner instead of the webhook. */
  polling?: boolean;
  /** Set up the fake Bot API before the bot starts. */
  configure?: (fake: FakeBotApi) => void;
  /** Another engine than the default deployment's (several reports, say). */
  engine?: () => Promise<Engine>;
  /** Reports management for ADMIN_IDS (the harness serves uploaded files for getFile downloads). */
  admin?: AdminDeps;
  /** PUBLIC_URL, for buttons that open the web page. */
  publicUrl?: string;
  /** State shared with other bots (replicas): update de-duplication and the question limit. */
  state?: SharedState;
  /** Where the bot reaches the Bot API (default the emulator): a black hole, a proxy. */
  apiRoot?: string;
  /** Start-up deadlines, backoff and stop grace. */
  start?: Pick<StartOptions, 'callTimeoutMs' | 'retry' | 'stopGraceMs'>;
  /** Wait until the bot is on (default); false returns at once, with `running` unset. */
  waitUntilOn?: boolean;
}

let tokenCounter = 0;

/**
 * The bot end to end: telegram-test-api on a free port, the bot pointed at it with apiRoot, a real
 * HTTP server on loopback serving the webhook handler, the real engine and a SQLite store on disk.
 * Users' messages go through the emulator, which POSTs them to the webhook and returns once the bot
 * has answered the request, so no test waits on a clock.
 */
export class Harness {
  readonly logs: Array<Record<string, any>> = [];
  readonly fake = new FakeBotApi();
  readonly updates: Update[] = [];
  server!: TelegramServer;
  bot!: Bot;
  engine!: Engine;
  store!: Store;
  metrics!: Metrics;
  /** The channel as main sees it (connecting, retrying, on). */
  telegram!: TelegramChannel;
  /** The connected bot (after `telegram.ready()`). */
  running!: RunningTelegram;
  webhookUrl!: string;
  token!: string;
  /** The SQLite file behind `store`. */
  dbFile!: string;
  private http!: Server;
  private dir!: string;
  private nextUpdateId = 1_000_000;
  /** Files users "uploaded", by file_id, served at /file/bot<token>/documents/<file_id> as the Bot API does. */
  private readonly files = new Map<string, Buffer>();
  /** Downloads of uploaded files, by path. */
  readonly downloads: string[] = [];

  /** Makes a file downloadable through getFile, as Telegram does once a user has sent it. */
  upload(fileId: string, bytes: Buffer): void {
    this.files.set(fileId, bytes);
  }

  static async start(options: HarnessOptions = {}): Promise<Harness> {
    const h = new Harness();
    await h.init(options);
    return h;
  }

  private async init(options: HarnessOptions): Promise<void> {
    this.token = options.token ?? `${100000 + tokenCounter++}:emulator-token-${process.pid}-abcdefghij`;
    this.engine = await (options.engine ?? testEngine)();
    this.dir = mkdtempSync(join(tmpdir(), 'workplan-tg-'));
    this.dbFile = join(this.dir, 'data', 'workplan.sqlite');
    this.store = Store.open(this.dbFile);
    this.metrics = createMetrics({ defaults: false });
    const logger = pino({ level: 'debug' }, { write: (line: string) => void this.logs.push(JSON.parse(line)) });

    options.configure?.(this.fake);
    this.server = new TelegramServer({ port: await freePort(), host: '127.0.0.1', storage: 'RAM' });
    await this.server.start();

    const app = new Hono();
    app.post(WEBHOOK_PATH, async (c) => {
      try {
        this.updates.push((await c.req.raw.clone().json()) as Update);
      } catch {
        // not JSON: the handler answers it
      }
      const handler: ((c: HonoContext) => Promise<Response>) | undefined = this.telegram?.webhook?.handler;
      return handler ? handler(c) : c.body(null, 503);
    });
    app.get('/file/:bot/documents/:fileId', (c) => {
      const bytes = c.req.param('bot') === `bot${this.token}` ? this.files.get(c.req.param('fileId')) : undefined;
      this.downloads.push(c.req.path);
      return bytes ? c.body(new Uint8Array(bytes), 200, { 'Content-Type': 'application/octet-stream' }) : c.body('Not Found', 404);
    });
    this.http = await new Promise<Server>((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s as Server));
    });
    const { port } = this.http.address() as AddressInfo;
    this.webhookUrl = `http://127.0.0.1:${port}${WEBHOOK_PATH}`;
    this.fake.handlers.set('getFile', async (p) => {
      const bytes = this.files.get(String(p.file_id));
      return bytes
        ? { ok: true, result: { file_id: p.file_id, file_unique_id: `u${p.file_id}`, file_size: bytes.length, file_path: `documents/${p.file_id}` } }
        : { ok: false, error_code: 400, description: 'Bad Request: invalid file_id' };
    });
    const real: AskFn = (q, o) => this.engine.ask(q, o);
    const ask = instrumentAsk(options.ask ? options.ask(real) : real, { metrics: this.metrics, store: this.store, logger });
    this.bot = createTelegramBot(
      {
        token: this.token,
        apiRoot: options.apiRoot ?? this.server.config.apiURL,
        ask,
        engine: this.engine,
        store: this.store,
        metrics: this.metrics,
        logger,
        version: '9.9.9-test',
        fileApiRoot: `http://127.0.0.1:${port}`,
        ...(options.admin ? { admin: options.admin } : {}),
        ...(options.publicUrl ? { publicUrl: options.publicUrl } : {}),
        ...(options.rateLimit ? { rateLimit: options.rateLimit } : {}),
        ...(options.state ? { state: options.state } : {}),
      },
      { ...options.internals, transport: [this.fake.transformer, ...(options.internals?.transport ?? [])] },
    );

    this.telegram = startTelegram(this.bot, {
      ...(options.polling ? {} : { webhookUrl: this.webhookUrl }),
      ...(options.webhookSecret ? { webhookSecret: options.webhookSecret } : {}),
      logger,
      ...options.start,
    });
    if (options.waitUntilOn !== false) this.running = await this.telegram.ready();
  }

  /** Resolves with the first log line that `match`es (already logged or yet to come). */
  async waitForLog(match: (line: Record<string, any>) => boolean, timeoutMs = 10_000): Promise<Record<string, any>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const line = this.logs.find(match);
      if (line) return line;
      if (Date.now() > deadline) throw new Error(`no such log line within ${timeoutMs} ms; logged: ${this.logs.map((l) => l.msg).join(' | ')}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** A Telegram user in a chat (private by default). */
  user(options: { userId: number; chatId?: number; type?: 'private' | 'group' | 'supergroup'; firstName?: string }): User {
    return new User(this, options);
  }

  /** Messages the bot sent to a chat, oldest first. */
  sent(chatId: number): SentMessage[] {
    return this.server.storage.botMessages
      .filter((m: StoredBotUpdate) => m.botToken === this.token && String(m.message.chat_id) === String(chatId))
      .map((m: StoredBotUpdate) => ({ messageId: m.messageId, chatId: String(m.message.chat_id), text: String(m.message.text), payload: m.message as any }));
  }

  /** Delivers a raw update to the webhook as Telegram would (for update kinds the emulator cannot make). */
  async deliver(update: Omit<Update, 'update_id'> & { update_id?: number }, headers: Record<string, string> = {}): Promise<Response> {
    const body = { update_id: this.nextUpdateId++, ...update };
    return fetch(this.webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  }

  async stop(): Promise<void> {
    await this.telegram?.stop();
    await new Promise<void>((resolve) => (this.http ? this.http.close(() => resolve()) : resolve()));
    await this.server?.stop();
    this.store?.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export class User {
  readonly userId: number;
  readonly chatId: number;
  readonly type: 'private' | 'group' | 'supergroup';
  private readonly client;
  constructor(
    private readonly h: Harness,
    options: { userId: number; chatId?: number; type?: 'private' | 'group' | 'supergroup'; firstName?: string },
  ) {
    this.userId = options.userId;
    this.chatId = options.chatId ?? options.userId;
    this.type = options.type ?? 'private';
    this.client = h.server.getClient(h.token, {
      userId: this.userId,
      chatId: this.chatId,
      type: this.type,
      firstName: options.firstName ?? `用户${this.userId}`,
      userName: `user${this.userId}`,
      chatTitle: this.type === 'private' ? `用户${this.userId}` : '问答群',
    });
  }

  /** Sends a message and returns once the bot has handled it; resolves to the messages it sent. */
  async say(text: string | undefined, extra: Record<string, unknown> = {}): Promise<SentMessage[]> {
    const before = this.h.sent(this.chatId).length;
    const message = this.client.makeMessage(text as string, extra) as Record<string, unknown>;
    if (text === undefined) delete message.text;
    await this.h.server.addUserMessage(message as never);
    return this.h.sent(this.chatId).slice(before);
  }

  /** The id the emulator gave the user's last message (from the update the webhook received). */
  lastUpdateMessageId(): number {
    const u = [...this.h.updates].reverse().find((x) => x.message?.chat.id === this.chatId);
    if (!u?.message) throw new Error('no update for this chat yet');
    return u.message.message_id;
  }

  /** A mention entity for @username at the start of `rest`. */
  mention(rest: string, username: string = BOT.username): [string, Record<string, unknown>] {
    const handle = `@${username}`;
    return [`${handle} ${rest}`, { entities: [{ type: 'mention', offset: 0, length: handle.length }] }];
  }

  /** Taps an inline button of a bot message; resolves once the bot has handled it. */
  async press(message: SentMessage, buttonText: string): Promise<SentMessage[]> {
    const markup = message.payload.reply_markup as InlineKeyboardMarkup | undefined;
    const button = markup?.inline_keyboard.flat().find((b) => b.text === buttonText);
    if (!button || !('callback_data' in button)) throw new Error(`no button ${buttonText} on message ${message.messageId}`);
    return this.pressData(message, button.callback_data);
  }

  async pressData(message: SentMessage, data: string): Promise<SentMessage[]> {
    const before = this.h.sent(this.chatId).length;
    // Set the message after making the query: the emulator's deep merge would also rewrite `from`,
    // which it shares with the message.
    const query = this.client.makeCallbackQuery(data) as Record<string, any>;
    query.message = {
      message_id: message.messageId,
      date: Math.floor(Date.now() / 1000),
      chat: { id: this.chatId, type: this.type, ...(this.type === 'private' ? { first_name: 'u' } : { title: '问答群' }) },
      from: { id: BOT.id, is_bot: true, first_name: 'Bot', username: BOT.username },
      text: message.text,
    };
    await this.h.server.addUserCallback(query as never);
    return this.h.sent(this.chatId).slice(before);
  }
}
