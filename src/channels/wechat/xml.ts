import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import { CallbackError } from './errors.ts';

/**
 * The platforms' XML: a flat `<xml>` of leaf fields, text usually in CDATA.
 *
 * Reading is hardened: any DOCTYPE or ENTITY declaration in the markup is refused before parsing (no
 * XXE, no billion laughs), entity processing is off in the parser, and only the five predefined XML
 * entities and numeric character references are decoded, in one non-recursive pass. Values stay
 * strings, so a 64-bit MsgId never passes through a JavaScript number.
 *
 * The declaration check reads the envelope only: CDATA sections, comments and text are skipped the way
 * the parser skips them, so a user who writes "<!DOCTYPE html>" in a message is answered, not refused.
 */

/** The fields of a callback's `<xml>` root: leaf name → text. Nested elements are skipped. */
export type XmlFields = ReadonlyMap<string, string>;

const parser = new XMLParser({
  processEntities: false,
  htmlEntities: false,
  ignoreAttributes: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  parseTagValue: false,
  parseAttributeValue: false,
  cdataPropName: '#cdata',
  textNodeName: '#text',
});

const builder = new XMLBuilder({ cdataPropName: '#cdata', format: false, suppressEmptyNode: false });

export function parseXml(text: string): XmlFields {
  refuseDeclarations(text);
  let doc: unknown;
  try {
    doc = parser.parse(text, true);
  } catch (cause) {
    throw new CallbackError('bad-xml', 'malformed XML', { cause });
  }
  const root = isRecord(doc) ? doc['xml'] : undefined;
  if (!isRecord(root)) throw new CallbackError('bad-xml', 'no <xml> root element');
  const fields = new Map<string, string>();
  for (const [name, value] of Object.entries(root)) {
    const text = leafText(Array.isArray(value) ? value[0] : value);
    if (text !== undefined) fields.set(name, text);
  }
  return fields;
}

/** Field value to put in the XML: text goes in CDATA, numbers as plain text. */
export type XmlValue = string | number;

/** Builds `<xml>…</xml>` with the fields in the given order. */
export function buildXml(fields: Record<string, XmlValue>): string {
  const xml: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(fields)) {
    xml[name] = typeof value === 'number' ? value : { '#cdata': value };
  }
  return builder.build({ xml }) as string;
}

/**
 * Throws on a markup declaration (`<!DOCTYPE`, `<!ENTITY`, or any `<!` other than a comment or a
 * CDATA section) outside CDATA sections, comments and text, mirroring how the parser delimits each
 * construct: comments end at the first `-->`, CDATA at the first `]]>`, closing tags at the first `>`,
 * opening tags and processing instructions at the first `>` / `?>` outside quotes. Text between tags
 * cannot hold a literal `<`, so a declaration there would be markup. Anything left unclosed is
 * malformed and refused here, so the scan never stops short of what the parser reads.
 */
function refuseDeclarations(text: string): void {
  let i = text.indexOf('<');
  while (i !== -1) {
    let end: number;
    if (text.startsWith('<![CDATA[', i)) end = closing(text, ']]>', i + 9);
    else if (text.startsWith('<!--', i)) end = closing(text, '-->', i + 4);
    else if (text.startsWith('<!', i)) throw new CallbackError('doctype', 'XML with a DOCTYPE, ENTITY or other markup declaration');
    else if (text.startsWith('</', i)) end = closing(text, '>', i + 2);
    else if (text.startsWith('<?', i)) end = tagEnd(text, '?>', i + 2);
    else end = tagEnd(text, '>', i + 1);
    i = text.indexOf('<', end);
  }
}

/** The index just past `close` at or after `from`. */
function closing(text: string, close: string, from: number): number {
  const at = text.indexOf(close, from);
  if (at === -1) throw new CallbackError('bad-xml', `malformed XML: no closing ${close}`);
  return at + close.length;
}

/** The index just past `close` at or after `from`, skipping quoted attribute values. */
function tagEnd(text: string, close: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"' || ch === "'") {
      i = text.indexOf(ch, i + 1);
      if (i === -1) break;
    } else if (text.startsWith(close, i)) {
      return i + close.length;
    }
  }
  throw new CallbackError('bad-xml', 'malformed XML: unclosed tag');
}

function leafText(value: unknown): string | undefined {
  if (typeof value === 'string') return decodeEntities(value);
  if (!isRecord(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.some((k) => k !== '#cdata' && k !== '#text')) return undefined;
  const cdata = value['#cdata'];
  const text = value['#text'];
  const parts = Array.isArray(cdata) ? cdata : cdata === undefined ? [] : [cdata];
  return (typeof text === 'string' ? decodeEntities(text) : '') + parts.map(String).join('');
}

const ENTITY = /&(lt|gt|amp|quot|apos|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});/g;
const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** The predefined entities and character references, nothing else; unknown references stay literal. */
export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(ENTITY, (whole, name: string) => {
    const named = NAMED[name];
    if (named !== undefined) return named;
    const code = name.startsWith('#x') ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
    const valid = code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff));
    return valid ? String.fromCodePoint(code) : whole;
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
