/**
 * A strict reader of Telegram's HTML parse mode, standing in for the server's own check ("can't parse
 * entities"): only supported tags, properly nested, and every <, > and & outside a tag written as
 * an entity. Returns the text a reader would see, or the first problem.
 */

const TAGS = new Set(['b', 'strong', 'i', 'em', 'u', 'ins', 's', 'strike', 'del', 'code', 'pre', 'a', 'blockquote', 'tg-spoiler', 'span', 'tg-emoji']);
const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"' };

export type ParsedHtml = { ok: true; text: string; tags: string[] } | { ok: false; error: string };

export function parseTelegramHtml(html: string): ParsedHtml {
  const stack: string[] = [];
  const tags: string[] = [];
  let text = '';
  let i = 0;
  while (i < html.length) {
    const c = html[i]!;
    if (c === '<') {
      const end = html.indexOf('>', i);
      if (end < 0) return { ok: false, error: `unclosed tag at ${i}` };
      const raw = html.slice(i + 1, end);
      const m = /^(\/?)([a-z-]+)(\s[^<>]*)?$/.exec(raw);
      if (!m) return { ok: false, error: `bad tag <${raw}> at ${i}` };
      const [, slash, name = '', attrs = ''] = m;
      if (!TAGS.has(name)) return { ok: false, error: `unsupported tag <${name}>` };
      if (slash) {
        if (attrs.trim()) return { ok: false, error: `attributes on closing tag </${name}>` };
        const open = stack.pop();
        if (open !== name) return { ok: false, error: `</${name}> closes <${open ?? 'nothing'}>` };
      } else {
        if (name === 'blockquote' && attrs.trim() && attrs.trim() !== 'expandable') return { ok: false, error: `bad blockquote attributes ${attrs}` };
        if (name === 'blockquote' && stack.includes('blockquote')) return { ok: false, error: 'nested blockquote' };
        stack.push(name);
        tags.push(attrs.trim() ? `${name} ${attrs.trim()}` : name);
      }
      i = end + 1;
    } else if (c === '&') {
      const m = /^&(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);/.exec(html.slice(i, i + 12));
      if (!m) return { ok: false, error: `bare & at ${i}` };
      const name = m[1]!;
      text += name.startsWith('#x')
        ? String.fromCodePoint(parseInt(name.slice(2), 16))
        : name.startsWith('#')
          ? String.fromCodePoint(Number(name.slice(1)))
          : ENTITIES[name]!;
      i += m[0].length;
    } else if (c === '>') {
      return { ok: false, error: `bare > at ${i}` };
    } else {
      text += c;
      i++;
    }
  }
  if (stack.length) return { ok: false, error: `unclosed <${stack.join('>, <')}>` };
  return { ok: true, text, tags };
}

/** The visible text, throwing when the HTML would be refused. */
export function visibleText(html: string): string {
  const parsed = parseTelegramHtml(html);
  if (!parsed.ok) throw new Error(`invalid Telegram HTML: ${parsed.error}\n${html}`);
  return parsed.text;
}
