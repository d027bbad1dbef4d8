import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AskFn } from '../../answer/types.ts';
import type { Logger } from '../../logger.ts';
import type { Metrics } from '../../observability/metrics.ts';
import { MemoryState, type SharedState } from '../../shared/state.ts';
import { hashUser } from '../../store/store.ts';
import type { CustomerService } from './customer-service.ts';
import type { Platform } from './errors.ts';
import type { ReportUploads } from './uploads.ts';
import { ExpiringMap } from './expiring-map.ts';
import { messages, moreKeywords } from './messages.ts';
import { answerPages, paginate } from './render.ts';
import { DEDUP_TTL_MS } from './replay.ts';
import type { XmlFields } from './xml.ts';

/**
 * What the channel says to one incoming message, independent of signatures and encryption.
 *
 * - Text is answered with `ask()`. When the answer is ready before the deadline (about 4 s of the
 *   platform's 5) it goes back as the passive reply; otherwise the callback is acknowledged at once and
 *   the answer follows through the customer-service API.
 * - The platform retries a callback it did not hear back from (three tries), and a signed request can
 *   be replayed while its timestamp is accepted. Every delivery is keyed by platform, sender (WeCom:
 *   also corp id and AgentID) and MsgId (events: sender + CreateTime + event) and remembered for the
 *   whole accepted window (DEDUP_TTL_MS): a retry shares the first delivery's outcome — the same
 *   passive reply, or a bare acknowledgement when the answer goes out by API — so `ask()` runs once
 *   and the user sees one answer. Two users' messages with the same MsgId are two messages.
 * - An answer longer than one message is paged; "更多" shows the next page for 10 minutes.
 * - A file from a WeCom admin (WECOM_ADMIN_IDS) is added as a report (uploads.ts): the passive reply
 *   says it is being read, the result follows by API. Anyone else's file is refused, unread.
 *
 * Several replicas: everything shared between requests lives in `state` (Redis when configured).
 * The first replica to `claim()` a delivery key answers it and stores the outcome under that key; a
 * retry landing on another replica meanwhile polls the key until the outcome is there and replies
 * with it, or acknowledges at its own deadline (the owner then sends a late answer by API). Within
 * one replica a retry shares the first delivery's promise directly. The pages left for "更多" are
 * kept in `state` too (JSON, per user), so "更多" continues on whichever replica it reaches.
 *
 * The claim is a lease (CLAIM_LEASE_MS, shorter than the platform's 5 s between tries) that the
 * claiming replica renews while it answers and replaces with the outcome when done; the outcome is
 * then kept for DEDUP_TTL_MS. A replica that dies while answering stops renewing, its claim lapses
 * before the platform's next try, and the replica that try reaches claims the delivery and answers
 * it. While the claimer is alive, however slow, its claim holds and nobody answers a second time
 * (unless it stalls a whole lease, e.g. Redis unreachable for its renewals: then two may answer).
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
  /** A voice message's text, when the account has speech recognition on (Recognition). */
  recognition?: string;
  /** Media messages (image, voice, video, file): the id to download it with, valid three days. */
  mediaId?: string;
  /** A file message's name, when the XML carries one (FileName). */
  fileName?: string;
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
    ...optional('Recognition', 'recognition'),
    ...optional('MediaId', 'mediaId'),
    ...optional('FileName', 'fileName'),
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
  /** Shared with other replicas (delivery claims and outcomes, "更多" pages); this process's memory when absent. */
  state?: SharedState;
  /** Reports sent as files by admins (WeCom with WECOM_ADMIN_IDS); without it a file gets the text-only reply. */
  uploads?: ReportUploads;
}

/** 目标一览, 目标一览 山东, /targets GDP. */
const TARGETS_COMMAND = /^(?:目标一览|\/targets)(?:\s+|$)(.*)$/;
const MEDIA = new Set(['image', 'voice', 'video', 'shortvideo', 'location', 'link', 'file']);
const MORE_TTL_MS = 10 * 60_000;
const MAX_ENTRIES = 10_000;
/** A delivery key's value while its claimer is answering: this prefix and an id of that claim. */
const PENDING = 'pending';
/**
 * How long a claim on a delivery lasts unless renewed. The platforms try again 5 s after a try got no
 * reply; a claim whose replica died must have lapsed by then so that the next try is answered, hence
 * shorter than 5 s. Its replica renews it every HEARTBEAT_MS while answering.
 */
export const CLAIM_LEASE_MS = 4000;
/** A quarter of the lease: the claim survives a renewal or two that is late (slow Redis, a busy process). */
const HEARTBEAT_MS = CLAIM_LEASE_MS / 4;
/** How often a retry waiting for another replica's outcome looks at the delivery key. */
const POLL_MS = 100;

export class Conversation {
  readonly #o: ConversationOptions;
  readonly #state: SharedState;
  /** Delivery key → its outcome in this process, shared by retries (pending while being answered). */
  readonly #deliveries: ExpiringMap<string, Promise<Outcome>>;
  /** Answers still on their way through the customer-service API. */
  readonly #sending = new Set<Promise<void>>();

  constructor(options: ConversationOptions) {
    this.#o = options;
    this.#state = options.state ?? new MemoryState({ now: options.now });
    this.#deliveries = new ExpiringMap({ ttlMs: DEDUP_TTL_MS, maxSize: MAX_ENTRIES, now: options.now });
  }

  #examples(): readonly string[] {
    const e = this.#o.examples;
    return typeof e === 'function' ? e() : e;
  }

  /** The outcome for a message; never rejects. */
  handle(message: InboundMessage): Promise<Outcome> {
    const key = this.#deliveryKey(message);
    const seen = this.#deliveries.get(key);
    if (seen) {
      this.#o.logger.debug({ channel: this.#o.channel, key }, 'duplicate delivery, sharing the first outcome');
      return seen;
    }
    const outcome = this.#deliver(key, message).then(
      ({ outcome, settled }) => {
        // Gave up waiting for another replica: let a later retry look again.
        if (!settled) this.#deliveries.delete(key);
        return outcome;
      },
      (err: unknown) => {
        this.#o.logger.error({ err, channel: this.#o.channel }, 'message handling failed');
        this.#o.metrics?.errors.inc({ channel: this.#o.channel, kind: 'handle' });
        return reply(messages.failure);
      },
    );
    this.#deliveries.set(key, outcome);
    return outcome;
  }

  /** Resolves when every answer (and upload result) handed to the customer-service API has been sent or has failed. */
  async idle(): Promise<void> {
    while (this.#sending.size) await Promise.allSettled([...this.#sending]);
  }

  /**
   * Platform, WeCom corp id and AgentID, sender, and MsgId (events: CreateTime, type and event). The
   * sender is hashed, so no openid or userid is stored in clear.
   */
  #deliveryKey(message: InboundMessage): string {
    const id = message.msgId
      ? ['msg', message.msgId]
      : ['event', message.createTime, message.msgType, message.event ?? ''];
    return this.#key('dedup', ...this.#scope(message), hashUser(this.#o.channel, message.from), ...id);
  }

  /** The key of the pages left for "更多" for this message's sender. */
  #moreKey(message: InboundMessage): string {
    return this.#key('more', ...this.#scope(message), hashUser(this.#o.channel, message.from));
  }

  /** WeCom: the corp and the app the message came through; the Official Account: nothing more. */
  #scope(message: InboundMessage): string[] {
    return this.#o.channel === 'wecom' ? [message.to, message.agentId ?? ''] : [];
  }

  #key(kind: string, ...parts: string[]): string {
    return [this.#o.channel, kind, ...parts.map(encodeURIComponent)].join(':');
  }

  /**
   * Answers a delivery this replica claims; otherwise waits (up to the passive deadline) for the
   * outcome stored by the replica that claimed it, or for that claim to lapse (its replica died) and
   * takes the delivery over. `settled` is false when it gave up waiting.
   */
  async #deliver(key: string, message: InboundMessage): Promise<{ outcome: Outcome; settled: boolean }> {
    const { channel, deadlineMs, logger } = this.#o;
    const giveUpAt = performance.now() + deadlineMs;
    const claim = `${PENDING}:${randomUUID()}`;
    for (let polls = 0; ; polls++) {
      if (await this.#claim(key, claim)) {
        if (polls > 0) logger.info({ channel, key }, 'the replica answering a delivery stopped renewing its claim; answering it here');
        // Taken over: what is left of this try's deadline, so the reply still reaches the platform in time.
        return { outcome: await this.#answerClaimed(key, claim, message, giveUpAt - performance.now()), settled: true };
      }
      const stored = parseOutcome(await this.#state.get(key).catch(() => undefined));
      if (stored) {
        logger.debug({ channel, key }, 'duplicate delivery, sharing the outcome stored by the replica that answered it');
        return { outcome: stored, settled: true };
      }
      if (performance.now() >= giveUpAt) {
        logger.info({ channel, key, deadlineMs }, 'duplicate delivery still being answered elsewhere; acknowledging');
        return { outcome: ACK, settled: false };
      }
      if (polls === 0) logger.debug({ channel, key }, 'duplicate delivery, waiting for the replica answering it');
      await sleep(POLL_MS);
    }
  }

  /** True when this replica takes the delivery; a state that fails answers rather than drops it. */
  async #claim(key: string, claim: string): Promise<boolean> {
    try {
      return await this.#state.claim(key, claim, CLAIM_LEASE_MS);
    } catch (err) {
      this.#o.logger.warn({ err, channel: this.#o.channel }, 'could not claim a delivery; answering it here');
      return true;
    }
  }

  /**
   * Answers a delivery this replica holds `claim` on: renews the claim while answering, then replaces
   * it with the outcome for the whole dedup window, so later tries anywhere repeat it.
   */
  async #answerClaimed(key: string, claim: string, message: InboundMessage, budgetMs: number): Promise<Outcome> {
    const { channel, logger } = this.#o;
    let answering = true;
    const heartbeat = setInterval(() => {
      void this.#state.renew(key, claim, CLAIM_LEASE_MS).then(
        (held) => {
          if (held || !answering) return;
          clearInterval(heartbeat);
          logger.warn({ channel, key }, 'lost the claim on a delivery while answering it (renewed too late); another replica may answer it too');
        },
        (err: unknown) => logger.warn({ err, channel, key }, 'could not renew the claim on a delivery'),
      );
    }, HEARTBEAT_MS);
    heartbeat.unref();
    const outcome = await this.#respond(message, budgetMs)
      .catch((err: unknown) => {
        logger.error({ err, channel }, 'message handling failed');
        this.#o.metrics?.errors.inc({ channel, kind: 'handle' });
        return reply(messages.failure);
      })
      .finally(() => {
        answering = false;
        clearInterval(heartbeat);
      });
    try {
      if (!(await this.#state.replace(key, claim, JSON.stringify(outcome), DEDUP_TTL_MS))) {
        logger.warn({ channel, key }, 'another replica took this delivery over while it was being answered here; keeping its outcome for retries');
      }
    } catch (err) {
      logger.warn({ err, channel }, 'could not store the outcome for retries');
    }
    return outcome;
  }

  /** `budgetMs`: how long a question's answer may take before it goes by the customer-service API instead. */
  async #respond(message: InboundMessage, budgetMs: number): Promise<Outcome> {
    switch (message.msgType) {
      case 'text':
        return this.#text(message, budgetMs);
      case 'voice':
        // Speech the platform recognised is a question like any other; the reply says what was heard.
        return message.recognition?.trim()
          ? this.#text({ ...message, content: message.recognition.trim() }, budgetMs, message.recognition.trim())
          : reply(messages.voiceWithoutText);
      case 'event':
        return message.event?.toLowerCase() === 'subscribe' ? reply(messages.welcome(this.#examples())) : ACK;
      case 'file':
        return this.#o.uploads ? this.#upload(this.#o.uploads, message) : reply(messages.textOnly(this.#examples()[0]));
      default:
        return MEDIA.has(message.msgType) ? reply(messages.textOnly(this.#examples()[0])) : ACK;
    }
  }

  /** An admin's file is added in the background (its result goes by API); anyone else's is refused. */
  #upload(uploads: ReportUploads, message: InboundMessage): Outcome {
    const { reply: text, started } = uploads.receive(message);
    if (started) {
      const sending = started.finally(() => this.#sending.delete(sending));
      this.#sending.add(sending);
    }
    return reply(text);
  }

  async #text(message: InboundMessage, budgetMs: number, heard?: string): Promise<Outcome> {
    const { channel, deadlineMs, logger, customerService } = this.#o;
    const userId = hashUser(channel, message.from);
    const moreKey = this.#moreKey(message);
    const question = (message.content ?? '').trim();
    if (isMore(question)) return reply((await this.#nextPage(moreKey)) ?? messages.noMore);
    // 目标一览 [地区] [指标]: the targets table as text, paged like an answer.
    const command = TARGETS_COMMAND.exec(question);
    if (command && this.#o.targets) {
      const text = this.#o.targets(command[1] ?? '');
      return reply(text ? await this.#firstPage(moreKey, paginate(text)) : messages.targetsUnknown);
    }

    const pages = this.#o
      .ask(question, { channel, userId, conversationId: userId })
      .then((answer) => answerPages(answer, this.#examples(), undefined, heard ? messages.heard(heard) : undefined))
      .catch((err: unknown): string[] => {
        logger.error({ err, channel, user: userId }, 'ask failed');
        return [messages.failure];
      });
    const ready = await within(pages, budgetMs);
    if (ready) return reply(await this.#firstPage(moreKey, ready));

    if (!customerService) {
      logger.warn({ channel, user: userId, deadlineMs }, 'answer missed the deadline and no customer-service API is configured');
      return reply(messages.slow);
    }
    logger.info({ channel, user: userId, deadlineMs }, 'answer missed the deadline; sending it by the customer-service API');
    const sending = pages
      .then((all) => this.#firstPage(moreKey, all))
      .then((first) => customerService.sendText(message.from, first, message.agentId))
      .catch((err: unknown) => {
        logger.error({ err, channel, user: userId }, 'customer-service send failed');
        this.#o.metrics?.errors.inc({ channel, kind: 'send' });
      })
      .finally(() => this.#sending.delete(sending));
    this.#sending.add(sending);
    return ACK;
  }

  /** Shows the first page and keeps the rest for "更多" (replacing any earlier answer's pages). */
  async #firstPage(moreKey: string, pages: string[]): Promise<string> {
    const [first = messages.failure, ...rest] = pages;
    await this.#keepPages(moreKey, rest);
    return first;
  }

  async #nextPage(moreKey: string): Promise<string | undefined> {
    const [next, ...rest] = parsePages(await this.#state.get(moreKey).catch(() => undefined));
    if (next !== undefined) await this.#keepPages(moreKey, rest);
    return next;
  }

  /** Pages not shown yet, for "更多" (10 minutes from the last page shown); none: forgets them. */
  async #keepPages(moreKey: string, rest: string[]): Promise<void> {
    try {
      if (rest.length) await this.#state.set(moreKey, JSON.stringify(rest), MORE_TTL_MS);
      else await this.#state.del(moreKey);
    } catch (err) {
      this.#o.logger.warn({ err, channel: this.#o.channel }, 'could not keep the pages for 更多');
    }
  }
}

const ACK: Outcome = { kind: 'ack' };

function reply(text: string): Outcome {
  return { kind: 'reply', text };
}

/** An outcome stored by `#answerClaimed`; undefined while pending or when unreadable. */
function parseOutcome(raw: string | undefined): Outcome | undefined {
  if (raw === undefined || raw.startsWith(PENDING)) return undefined;
  try {
    const value = JSON.parse(raw) as { kind?: unknown; text?: unknown } | null;
    if (value?.kind === 'ack') return ACK;
    if (value?.kind === 'reply' && typeof value.text === 'string') return reply(value.text);
  } catch {
    // Not ours: treated as pending.
  }
  return undefined;
}

function parsePages(raw: string | undefined): string[] {
  if (raw === undefined) return [];
  try {
    const value: unknown = JSON.parse(raw);
    return Array.isArray(value) && value.every((p) => typeof p === 'string') ? value : [];
  } catch {
    return [];
  }
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
