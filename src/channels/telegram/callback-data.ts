import { createHash } from 'node:crypto';

/**
 * Callback data of the bot's inline buttons, at most 64 bytes each: a one-letter action and short
 * arguments. Answer buttons carry a token into the answer cache, not the question itself.
 *
 *   p:<token>  原文段落      r:<token>  相关内容      u:<token> / d:<token>  👍 / 👎
 *   x:<i>      ask example question i
 *   n:<i.j.k>:<check>:<report>   outline node: child indexes from the report's top (n:all: every report)
 *   s:<n>:<check>:<report>       paragraph n of the report
 *   k:<report>                   choose the report for this chat (c:all: every report)
 *
 * A button that opens a report names it by id, not by its place in the list of loaded reports: a
 * reload that adds or removes a report moves the others, and an old button must still open the
 * report it was made for. `<report>` is the id itself when it fits, else `~` and a digest of the id
 * (see `reportRef`); `reportFor` finds the report again among those loaded now. `<check>` is a
 * digest of what the button opened (the paragraph's text, the node's title), so a button made
 * before a report was replaced by another version under the same id finds the text changed and
 * opens nothing rather than another passage.
 *
 * The positional buttons of earlier versions (`g:<doc>:<n>`, `o:<doc>.<i>`, `c:<doc>`) decode as
 * data this bot did not write: their position may now be another report.
 *
 * In an action to encode, `report` is the report's id; in a decoded one, the reference the data
 * carried (the id, or its digest), for `reportFor`.
 *
 * ```ts
 * encodeAction({ kind: 'show', report: 'shibei-2025', paragraph: 26, check: 'Qm9v' }); // 's:26:Qm9v:shibei-2025'
 * ```
 */
export type ButtonAction =
  | { kind: 'paragraph' | 'related' | 'up' | 'down'; token: string }
  | { kind: 'example'; index: number }
  /** The outline of every loaded report (the list to pick one from). */
  | { kind: 'outlines' }
  /** An outline node: `path` indexes children from the report's top (empty: the report itself). */
  | { kind: 'outline'; report: string; path: number[]; check: string }
  | { kind: 'show'; report: string; paragraph: number; check: string }
  /** `report` absent: every report. */
  | { kind: 'choose'; report?: string };

/** Telegram's limit on a button's callback_data, in bytes. */
export const CALLBACK_DATA_BYTES = 64;

const TOKEN_KINDS = { p: 'paragraph', r: 'related', u: 'up', d: 'down' } as const;
const TOKEN_CODES = { paragraph: 'p', related: 'r', up: 'u', down: 'd' } as const;

/** Characters of base64url sha256 in a report digest: 60 bits, so two reports of a deployment practically never share one (and if they do, `reportFor` names neither). */
const DIGEST_CHARS = 10;
/** Characters of base64url sha256 in a check: 24 bits, enough to tell a changed text from the same. */
const CHECK_CHARS = 4;
const DIGEST_MARK = '~';

const digest = (text: string, chars: number): string => createHash('sha256').update(text, 'utf8').digest('base64url').slice(0, chars);

/** A short digest of what a button opens (a paragraph's text, an outline node's title). */
export const checkOf = (text: string): string => digest(text, CHECK_CHARS);

const DIGEST_REF = new RegExp(`^${DIGEST_MARK}[\\w-]{${DIGEST_CHARS}}$`);

/**
 * How a button names a report: its id when `prefix` and the id fit in 64 bytes, else `~` and the
 * first 10 characters of the id's base64url sha256. An id that itself starts with `~` is always
 * digested, so a `~` reference is always a digest.
 */
function reportRef(prefix: string, id: string): string {
  if (!id.startsWith(DIGEST_MARK) && Buffer.byteLength(prefix + id) <= CALLBACK_DATA_BYTES) return id;
  return DIGEST_MARK + digest(id, DIGEST_CHARS);
}

/**
 * The loaded report a button's reference names, or undefined when none does (removed, renamed, or
 * data this bot did not write). A digest that matches more than one report names none.
 */
export function reportFor<T extends { id: string }>(ref: string, documents: readonly T[]): T | undefined {
  if (!DIGEST_REF.test(ref)) return ref.startsWith(DIGEST_MARK) ? undefined : documents.find((d) => d.id === ref);
  const matches = documents.filter((d) => DIGEST_MARK + digest(d.id, DIGEST_CHARS) === ref);
  return matches.length === 1 ? matches[0] : undefined;
}

export function encodeAction(a: ButtonAction): string {
  switch (a.kind) {
    case 'paragraph':
    case 'related':
    case 'up':
    case 'down':
      return `${TOKEN_CODES[a.kind]}:${a.token}`;
    case 'example':
      return `x:${a.index}`;
    case 'outlines':
      return 'n:all';
    case 'outline': {
      const prefix = `n:${a.path.join('.')}:${a.check}:`;
      return prefix + reportRef(prefix, a.report);
    }
    case 'show': {
      const prefix = `s:${a.paragraph}:${a.check}:`;
      return prefix + reportRef(prefix, a.report);
    }
    case 'choose':
      return a.report === undefined ? 'c:all' : `k:${reportRef('k:', a.report)}`;
  }
}

const index = (s: string | undefined): number | undefined => (s !== undefined && /^\d{1,6}$/.test(s) ? Number(s) : undefined);

const CHECK = new RegExp(`^[\\w-]{${CHECK_CHARS}}$`);
/** `<a>:<check>:<report>`, the report last so an id may hold any character, a colon included. */
const ADDRESSED = /^([^:]*):([^:]*):(.+)$/s;

/** The action behind callback data, or undefined for data this bot did not write. */
export function decodeAction(data: string): ButtonAction | undefined {
  if (Buffer.byteLength(data) > CALLBACK_DATA_BYTES) return undefined;
  const m = /^([a-z]):(.+)$/s.exec(data);
  if (!m) return undefined;
  const [, code, arg = ''] = m;
  switch (code) {
    case 'p':
    case 'r':
    case 'u':
    case 'd':
      return /^[\w-]{1,32}$/.test(arg) ? { kind: TOKEN_KINDS[code], token: arg } : undefined;
    case 'x': {
      const i = index(arg);
      return i === undefined ? undefined : { kind: 'example', index: i };
    }
    case 'n': {
      if (arg === 'all') return { kind: 'outlines' };
      const [, at = '', check = '', report = ''] = ADDRESSED.exec(arg) ?? [];
      const path = at === '' ? [] : at.split('.').map(index);
      if (!CHECK.test(check) || !report || !path.every((n): n is number => n !== undefined)) return undefined;
      return { kind: 'outline', report, path, check };
    }
    case 's': {
      const [, at, check = '', report = ''] = ADDRESSED.exec(arg) ?? [];
      const paragraph = index(at);
      return paragraph === undefined || !CHECK.test(check) || !report ? undefined : { kind: 'show', report, paragraph, check };
    }
    case 'k':
      return { kind: 'choose', report: arg };
    case 'c':
      return arg === 'all' ? { kind: 'choose' } : undefined;
    default:
      return undefined;
  }
}
