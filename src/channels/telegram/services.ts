import type { Context, MiddlewareFn } from 'grammy';
import type { TelegramDeps } from './bot.ts';
import type { AnswerCache } from './cache.ts';
import { hashUser } from '../../store/store.ts';

/** Channel name for ask options, metrics and the query log. */
export const CHANNEL = 'telegram';

/** What the features share: the injected dependencies plus the bot's own state. */
export interface Services extends Pick<TelegramDeps, 'ask' | 'engine' | 'store' | 'metrics' | 'logger' | 'version' | 'admin'> {
  /** Answers behind inline buttons, by token. */
  answers: AnswerCache;
  /** The per-user question limit; calls `next` when the user may ask. */
  limiter: MiddlewareFn<Context>;
  /** Delay before "typing…" is shown. */
  typingDelayMs: number;
  /** The report each chat has chosen with /reports (SQLite when a store is given). */
  choices: ChatChoices;
}

/** A user in ADMIN_IDS, who may add and remove reports. */
export function isAdmin(s: Pick<Services, 'admin'>, user: number | undefined): boolean {
  return user !== undefined && Boolean(s.admin?.ids.includes(String(user)));
}

/** Example questions for a chat: its chosen report's, else the deployment's. */
export function examplesForChat(s: Pick<Services, 'engine' | 'choices'>, chat: number | undefined): readonly string[] {
  const chosen = chat !== undefined ? s.choices.get(chat) : undefined;
  return chosen ? s.engine.examplesFor(chosen) : s.engine.examples;
}

/** A chat's choice of report, keyed by a hash of the chat id. */
export interface ChatChoices {
  get(chat: number): string | undefined;
  set(chat: number, report: string | undefined): void;
}

/** Choices kept in the store's SQLite table, or in memory when the bot runs without a store. */
export function chatChoices(store?: { chatReport(c: string, h: string): string | undefined; setChatReport(c: string, h: string, r: string | undefined): void }): ChatChoices {
  const memory = new Map<string, string>();
  const key = (chat: number): string => hashUser(CHANNEL, `chat:${chat}`);
  return {
    get(chat) {
      if (!store) return memory.get(key(chat));
      try {
        return store.chatReport(CHANNEL, key(chat));
      } catch {
        return memory.get(key(chat));
      }
    },
    set(chat, report) {
      if (report === undefined) memory.delete(key(chat));
      else memory.set(key(chat), report);
      try {
        store?.setChatReport(CHANNEL, key(chat), report);
      } catch {
        // A damaged store must not lose the choice for this run: memory keeps it.
      }
    },
  };
}
