/**
 * Callback data of the bot's inline buttons, at most 64 bytes each: a one-letter action and short
 * arguments. Answer buttons carry a token into the answer cache, not the question itself.
 *
 *   p:<token>  原文段落      r:<token>  相关内容      u:<token> / d:<token>  👍 / 👎
 *   x:<i>      ask example question i                 o:<i.j.k>  outline node   g:<doc>:<n>  paragraph n
 *   c:<i>      choose report i for this chat (c:all: every report)
 */
export type ButtonAction =
  | { kind: 'paragraph' | 'related' | 'up' | 'down'; token: string }
  | { kind: 'example'; index: number }
  | { kind: 'outline'; path: number[] }
  | { kind: 'show'; doc: number; paragraph: number }
  | { kind: 'choose'; doc: number | 'all' };

const TOKEN_KINDS = { p: 'paragraph', r: 'related', u: 'up', d: 'down' } as const;
const TOKEN_CODES = { paragraph: 'p', related: 'r', up: 'u', down: 'd' } as const;

export function encodeAction(a: ButtonAction): string {
  switch (a.kind) {
    case 'paragraph':
    case 'related':
    case 'up':
    case 'down':
      return `${TOKEN_CODES[a.kind]}:${a.token}`;
    case 'example':
      return `x:${a.index}`;
    case 'outline':
      return `o:${a.path.join('.')}`;
    case 'show':
      return `g:${a.doc}:${a.paragraph}`;
    case 'choose':
      return `c:${a.doc}`;
  }
}

const index = (s: string | undefined): number | undefined => (s !== undefined && /^\d{1,6}$/.test(s) ? Number(s) : undefined);

/** The action behind callback data, or undefined for data this bot did not write. */
export function decodeAction(data: string): ButtonAction | undefined {
  const m = /^([prudxogc]):(.{1,60})$/.exec(data);
  if (!m) return undefined;
  const [, code, arg = ''] = m;
  if (code === 'p' || code === 'r' || code === 'u' || code === 'd') {
    return /^[\w-]{1,32}$/.test(arg) ? { kind: TOKEN_KINDS[code], token: arg } : undefined;
  }
  if (code === 'x') {
    const i = index(arg);
    return i === undefined ? undefined : { kind: 'example', index: i };
  }
  if (code === 'o') {
    const path = arg.split('.').map(index);
    return path.every((n): n is number => n !== undefined) ? { kind: 'outline', path } : undefined;
  }
  if (code === 'c') {
    if (arg === 'all') return { kind: 'choose', doc: 'all' };
    const i = index(arg);
    return i === undefined ? undefined : { kind: 'choose', doc: i };
  }
  const parts = arg.split(':');
  if (parts.length !== 2) return undefined;
  const [doc, paragraph] = parts.map(index);
  return doc === undefined || paragraph === undefined ? undefined : { kind: 'show', doc, paragraph };
}
