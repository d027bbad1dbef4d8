import type { AskFn } from '../../answer/types.ts';
import type { Logger } from '../../logger.ts';
import type { Metrics } from '../../observability/metrics.ts';
import { hashUser } from '../../store/store.ts';
import type { CustomerService } from './customer-service.ts';
import type { Platform } from './errors.ts';
import { ExpiringMap } from './expiring-map.ts';
import { messages, moreKeywords } from './messages.ts';
import { answerPages, paginate } from './render.ts';
import type { XmlFields } from './xml.ts';

/**
 * What the channel says to one incoming message, independent of signatures and encryption.
 *
 * - Text is answered with `ask()`. When the answer is ready before the deadline (about 4 s of the
 *   platform's 5) it goes back as the passive reply; otherwise the callback is acknowledged at once and
 *   the answer follows through the customer-service API.
 * - The platform retries a callback it did not hear back from (three tries). Every delivery is keyed
 *   by MsgId (events: sender + CreateTime) for two minutes: a retry shares the first delivery's
 *   outcome — the same passive reply, or a bare acknowledgement when the answer goes out by API —
 *   so `ask()` runs once and the user sees one answer.
 * - An answer longer than one message is paged; "更多" shows the next page for 10 minutes.
 */

/** A callback message after decryption: the fields this channel reads. */
export interface InboundMessage {
  msgType: string;
  /** Sender: the user's openid (Official Account) or userid (WeCom). */
  from: string;
  /** Receiver: the account's original id or the corp id. */
  to: string;
  createTime: string;
  content?: string;
  /** 64-bit id, kept as the string the platform sent. */
  msgId?: string;
  event?: string;
  agentId?: string;
}

export function inboundMessage(fields: XmlFields): InboundMessage {
  const optional = (name: string, key: keyof InboundMessage) => {
    const value = fields.get(name);
    return value === undefined ? {} : { [key]: value };
  };
  return {
    msgType: (fields.get('MsgType') ?? '').trim().toLowerCase(),
    from: fields.get('FromUserName') ?? '',
    to: fields.get('ToUserName') ?? '',
    createTime: fields.get('CreateTime') ?? '',
    ...optional('Content', 'content'),
    ...optional('MsgId', 'msgId'),
    ...optional('Event', 'event'),
    ...optional('AgentID', 'agentId'),
  };
}

/** A passive reply with this text, or a bare acknowledgement ("success" / empty body). */
export type Outcome = { kind: 'reply'; text: string } | { kind: 'ack' };

export interface ConversationOptions {
  channel: Platform;
  ask: AskFn;
  /** The targets table for 目标一览 [地区] [指标] as text; undefined when the words match nothing. */
  targets?: (args: string) => string | undefined;
  /** Example questions; a function when the reports can change while running. */
  examples: readonly string[] | (() => readonly string[]);
  logger: Logger;
  metrics?: Metrics;
  now: () => number;
  /** How long to wait for an answer before acknowledging and sending it by API. */
  deadlineMs: number;
  /** Absent when the API credentials are not configured: slow answers then get an apology. */
  customerService?: CustomerService;
}

/** 目标一览, 目标一览 山东, /targets GDP. */
const TARGETS_COMMAND = /^(?:目标一览|\/targets)(?:\s+|$)(.*)$/;
const MEDIA = new Set(['image', 'voice', 'video', 'shortvideo', 'location', 'link', 'file']);
const DEDUP_TTL_MS = 120_000;
const MORE_TTL_MS = 10 * 60_000;
const MAX_ENTRIES = 10_000;

export class Conversation {
  readonly #o: ConversationOptions;
  /** Delivery key → its outcome, shared by retries (pending while the first delivery is answered). */
  readonly #deliveries: ExpiringMap<string, Promise<Outcome>>;
  /** Hashed user → pages of the last answer not yet shown. */
  readonly #more: ExpiringMap<string, string[]>;
  /** Answers still on their way through the customer-service API. */
  readonly #sending = new Set<Promise<void>>();

  constructor(options: ConversationOptions) {
    this.#o = options;
    this.#deliveries = new ExpiringMap({ ttlMs: DEDUP_TTL_MS, maxSize: MAX_ENTRIES, now: options.now });
    this.#more = new ExpiringMap({ ttlMs: MORE_TTL_MS, maxSize: MAX_ENTRIES, now: options.now });
  }

  /** The outcome for a message; never rejects. */
  #examples(): readonly string[] {
    const e = this.#o.examples;
    return typeof e === 'function' ? e() : e;
  }

  handle(message: InboundMessage): Promise<Outcome> {
    const key = message.msgId
      ? `msg:${message.msgId}`
      : `event:${hashUser(this.#o.channel, message.from)}:${message.createTime}:${message.msgType}:${message.event ?? ''}`;
    const seen = this.#deliveries.get(key);
    if (seen) {
      this.#o.logger.debug({ channel: this.#o.channel, key }, 'duplicate delivery, sharing the first outcome');
      return seen;
    }
    const outcome = this.#respond(message).catch((err: unknown) => {
      this.#o.logger.error({ err, channel: this.#o.channel }, 'message handling failed');
      this.#o.metrics?.errors.inc({ channel: this.#o.channel, kind: 'handle' });
      return reply(messages.failure);
    });
    this.#deliveries.set(key, outcome);
    return outcome;
  }

  /** Resolves when every answer handed to the customer-service API has been sent or has failed. */
  async idle(): Promise<void> {
    while (this.#sending.size) await Promise.allSettled([...this.#sending]);
  }

  async #respond(message: InboundMessage): Promise<Outcome> {
    switch (message.msgType) {
      case 'text':
        return this.#text(message);
      case 'event':
        return message.event?.toLowerCase() === 'subscribe' ? reply(messages.welcome(this.#examples())) : ACK;
      default:
        return MEDIA.has(message.msgType) ? reply(messages.textOnly(this.#examples()[0])) : ACK;
    }
  }

  async #text(message: InboundMessage): Promise<Outcome> {
    const { channel, deadlineMs, logger, customerService } = this.#o;
    const userId = hashUser(channel, message.from);
    const question = (message.content ?? '').trim();
    if (isMore(question)) return reply(this.#nextPage(userId) ?? messages.noMore);
    // 目标一览 [地区] [指标]: the targets table as text, paged like an answer.
    const command = TARGETS_COMMAND.exec(question);
    if (command && this.#o.targets) {
      const text = this.#o.targets(command[1] ?? '');
      return reply(text ? this.#firstPage(userId, paginate(text)) : messages.targetsUnknown);
    }

    const pages = this.#o
      .ask(question, { channel, userId })
      .then((answer) => answerPages(answer, this.#examples()))
      .catch((err: unknown): string[] => {
        logger.error({ err, channel, user: userId }, 'ask failed');
        return [messages.failure];
      });
    const ready = await within(pages, deadlineMs);
    if (ready) return reply(this.#firstPage(userId, ready));

    if (!customerService) {
      logger.warn({ channel, user: userId, deadlineMs }, 'answer missed the deadline and no customer-service API is configured');
      return reply(messages.slow);
    }
    logger.info({ channel, user: userId, deadlineMs }, 'answer missed the deadline; sending it by the customer-service API');
    const sending = pages
      .then((all) => customerService.sendText(message.from, this.#firstPage(userId, all), message.agentId))
      .catch((err: unknown) => {
        logger.error({ err, channel, user: userId }, 'customer-service send failed');
        this.#o.metrics?.errors.inc({ channel, kind: 'send' });
      })
      .finally(() => this.#sending.delete(sending));
    this.#sending.add(sending);
    return ACK;
  }

  /** Shows the first page and keeps the rest for "更多" (replacing any earlier answer's pages). */
  #firstPage(userId: string, pages: string[]): string {
    const [first = messages.failure, ...rest] = pages;
    if (rest.length) this.#more.set(userId, rest);
    else this.#more.delete(userId);
    return first;
  }

  #nextPage(userId: string): string | undefined {
    const [next, ...rest] = this.#more.get(userId) ?? [];
    if (rest.length) this.#more.set(userId, rest);
    else this.#more.delete(userId);
    return next;
  }
}

const ACK: Outcome = { kind: 'ack' };

function reply(text: string): Outcome {
  return { kind: 'reply', text };
}

function isMore(text: string): boolean {
  return moreKeywords.includes(text.replace(/[\s。.!！~～]+$/u, ''));
}

/** The value if `promise` settles within `ms`, else undefined (the promise keeps running). */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(resolve, ms, undefined);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
