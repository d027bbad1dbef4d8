/**
 * Bytes of a text or web page to a string. Reports reach us as UTF-8 (with or without a BOM), as
 * UTF-16 with a BOM (Windows Notepad's "Unicode"), and as GB18030/GBK/GB2312 (many government sites
 * and Chinese Windows programs). The order of evidence:
 *
 * 1. a byte order mark;
 * 2. an explicit charset (the caller's hint, e.g. from an HTTP header or `sniffHtmlCharset`);
 * 3. strict UTF-8, falling back to GB18030 when the bytes are not valid UTF-8.
 *
 * A hint is evidence, not gospel: pages saved from a browser are often re-encoded as UTF-8 while
 * keeping their old `<meta charset=gb2312>`, so bytes that are valid UTF-8 with multi-byte sequences
 * are read as UTF-8 whatever a legacy hint says (GBK text of any length is practically never valid
 * UTF-8). A hint of UTF-8 on bytes that are not UTF-8 falls back to GB18030 like no hint at all.
 *
 * The BOM is stripped and CRLF/CR line ends become LF. Never throws.
 */

/** Chinese legacy charsets all decode as GB18030, their superset (GB2312 ⊂ GBK ⊂ GB18030). */
const GB_FAMILY = new Set([
  'gb18030',
  'gbk',
  'gb2312',
  'gb_2312',
  'gb_2312-80',
  'gb-2312',
  'x-gbk',
  'cp936',
  'ms936',
  'windows-936',
  'chinese',
  'csgb2312',
  'csiso58gb231280',
  'iso-ir-58',
  'euc-cn',
  'x-euc-cn',
  'hz-gb-2312',
]);

const UTF8_LABELS = new Set(['utf-8', 'utf8', 'unicode-1-1-utf-8', 'x-unicode20utf8']);

/** The WHATWG encoding a charset label names, or undefined when TextDecoder does not know it. */
function normaliseLabel(label: string): string | undefined {
  const l = label.trim().toLowerCase().replace(/^["']|["']$/g, '');
  if (!l) return undefined;
  if (GB_FAMILY.has(l)) return 'gb18030';
  if (UTF8_LABELS.has(l)) return 'utf-8';
  // "unicode"/"utf-16" without a BOM: we cannot know the byte order; let the other evidence decide.
  if (l === 'unicode' || l.startsWith('utf-16') || l.startsWith('ucs-2') || l === 'utf-32') return undefined;
  try {
    return new TextDecoder(l).encoding;
  } catch {
    return undefined;
  }
}

function finish(text: string): string {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return text.replace(/\r\n?/g, '\n');
}

function strictUtf8(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

function hasNonAscii(bytes: Uint8Array): boolean {
  for (const b of bytes) if (b >= 0x80) return true;
  return false;
}

export function decodeText(bytes: Uint8Array, hint?: string): string {
  if (bytes.length === 0) return '';
  // 1. byte order mark
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return finish(new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes.subarray(3)));
  }
  if (bytes[0] === 0xff && bytes[1] === 0xfe) {
    return finish(new TextDecoder('utf-16le', { ignoreBOM: true }).decode(bytes.subarray(2)));
  }
  if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    return finish(new TextDecoder('utf-16be', { ignoreBOM: true }).decode(bytes.subarray(2)));
  }
  // GB18030's own BOM (U+FEFF encoded as 84 31 95 33); rare, but unambiguous.
  if (bytes[0] === 0x84 && bytes[1] === 0x31 && bytes[2] === 0x95 && bytes[3] === 0x33) {
    return finish(new TextDecoder('gb18030').decode(bytes.subarray(4)));
  }

  const utf8 = strictUtf8(bytes);
  // 2. explicit charset
  const label = hint ? normaliseLabel(hint) : undefined;
  if (label && label !== 'utf-8') {
    // Valid UTF-8 with multi-byte sequences is UTF-8 whatever the (stale) hint says.
    if (utf8 !== undefined && hasNonAscii(bytes)) return finish(utf8);
    try {
      return finish(new TextDecoder(label).decode(bytes));
    } catch {
      // fall through
    }
  }
  // 3. strict UTF-8, else GB18030
  if (utf8 !== undefined) return finish(utf8);
  return finish(new TextDecoder('gb18030').decode(bytes));
}

/**
 * The charset an HTML page declares in its first bytes: `<meta charset="gbk">`,
 * `<meta http-equiv="Content-Type" content="text/html; charset=gb2312">` or an XML declaration's
 * `encoding="…"`. Returns the label as written (lower case), or undefined.
 */
export function sniffHtmlCharset(bytes: Uint8Array): string | undefined {
  // Declarations are ASCII; reading the head as Latin-1 keeps every byte one character.
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 8192));
  const xml = /^\s*<\?xml[^>]*\bencoding\s*=\s*["']?([\w.:-]+)/i.exec(head);
  for (const m of head.matchAll(/<meta\b[^>]*>/gi)) {
    const tag = m[0];
    const direct = /\bcharset\s*=\s*["']?\s*([\w.:-]+)/i.exec(tag);
    if (direct?.[1]) return direct[1].toLowerCase();
  }
  if (xml?.[1]) return xml[1].toLowerCase();
  return undefined;
}
