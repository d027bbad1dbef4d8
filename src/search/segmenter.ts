import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { crc32 } from 'node:zlib';
import { Jieba } from '@node-rs/jieba';

const require = createRequire(import.meta.url);
// The package reads its 11 MB of dictionaries when imported: only what needs them loads it.
const stockDictionary = (): Uint8Array => (require('@node-rs/jieba/dict.js') as { dict: Uint8Array }).dict;

/**
 * jieba's stock dictionary holds 349,000 words; building its trie takes about 200 ms, which a
 * one-shot answer should not pay to cut a 15-character question. jieba's segmentation of a text
 * depends only on the dictionary words that occur in that text (the DAG is built from them) and on
 * the dictionary's total frequency. So a short text is cut exactly as the whole dictionary would
 * cut it by a small segmenter built from just those words, plus one placeholder word that carries
 * the rest of the total frequency. Finding those words needs the stock dictionary sorted for binary
 * search: the lookup below, saved beside the index (`segmenter.bin`) and read in a few milliseconds.
 *
 * Layout (little endian): magic `WPSEG1\0\0`, crc32 of what follows, key length and key (which
 * stock dictionary it was made from), entry count, total frequency (f64), longest word in
 * characters, count+1 entry offsets into the text block, then the entries `word freq tag` sorted by
 * the word's UTF-8 bytes.
 */

const MAGIC = Buffer.from('WPSEG1\0\0', 'latin1');
/** A character no report writes (private use), standing for the frequency of every word left out. */
const PLACEHOLDER = '\uE000';

let stockKey: string | undefined;
/** Which stock dictionary is installed: the package version and the dictionary's size. */
export function stockDictionaryKey(): string {
  if (stockKey === undefined) {
    let version = 'unknown';
    let size = 0;
    try {
      version = (JSON.parse(readFileSync(require.resolve('@node-rs/jieba/package.json'), 'utf8')) as { version?: string }).version ?? version;
      size = statSync(require.resolve('@node-rs/jieba/dict.txt')).size;
    } catch {
      size = stockDictionary().length;
    }
    stockKey = `@node-rs/jieba@${version}:${size}`;
  }
  return stockKey;
}

export interface Entry {
  freq: number;
  tag: string;
}

/** The stock dictionary sorted by word, for binary search. */
export class SegmenterLookup {
  readonly count: number;
  readonly total: number;
  readonly maxLength: number;
  readonly #offsets: Buffer;
  readonly #text: Buffer;

  private constructor(count: number, total: number, maxLength: number, offsets: Buffer, text: Buffer) {
    this.count = count;
    this.total = total;
    this.maxLength = maxLength;
    this.#offsets = offsets;
    this.#text = text;
  }

  /** Sorts the installed stock dictionary (about 0.3 s; once per process). */
  static fromStock(): SegmenterLookup {
    if (built) return built;
    // Lines sort as their words do: the space after a word sorts below every character of a word.
    // The sort is stable, so of a word listed twice the later line comes last and is kept, as in jieba.
    const dict = stockDictionary();
    const sorted = Buffer.from(dict.buffer, dict.byteOffset, dict.byteLength)
      .toString('utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => / \d+/.test(l))
      .sort();
    const lines: string[] = [];
    let total = 0;
    let maxLength = 0;
    for (let i = 0; i < sorted.length; i++) {
      const line = sorted[i]!;
      const space = line.indexOf(' ');
      const word = line.slice(0, space);
      const next = sorted[i + 1];
      if (next !== undefined && next.startsWith(`${word} `)) continue;
      const rest = line.slice(space + 1).split(/\s+/);
      lines.push(`${word} ${rest[0]} ${rest[1] ?? ''}`);
      total += Number(rest[0]);
      maxLength = Math.max(maxLength, [...word].length);
    }
    // UTF-16 order is UTF-8 byte order unless a word has a surrogate pair or a character past U+E000.
    if (lines.some((l) => /[\uD800-\uFFFF]/.test(l))) {
      lines.sort((a, b) => Buffer.compare(Buffer.from(a.slice(0, a.indexOf(' ')), 'utf8'), Buffer.from(b.slice(0, b.indexOf(' ')), 'utf8')));
    }
    const offsets = Buffer.alloc((lines.length + 1) * 4);
    let at = 0;
    lines.forEach((line, i) => {
      offsets.writeUInt32LE(at, i * 4);
      at += Buffer.byteLength(line, 'utf8');
    });
    offsets.writeUInt32LE(at, lines.length * 4);
    built = new SegmenterLookup(lines.length, total, maxLength, offsets, Buffer.from(lines.join(''), 'utf8'));
    return built;
  }

  /** The lookup as saved, or undefined when the data is not a lookup of the installed dictionary. */
  static fromBinary(data: Buffer): SegmenterLookup | undefined {
    try {
      if (data.length < 16 || !data.subarray(0, 8).equals(MAGIC)) return undefined;
      if (crc32(data.subarray(12)) >>> 0 !== data.readUInt32LE(8)) return undefined;
      let p = 12;
      const keyLength = data.readUInt32LE(p);
      const key = data.subarray(p + 4, p + 4 + keyLength).toString('utf8');
      p += 4 + keyLength;
      if (key !== stockDictionaryKey()) return undefined;
      const count = data.readUInt32LE(p);
      const total = data.readDoubleLE(p + 4);
      const maxLength = data.readUInt32LE(p + 12);
      p += 16;
      const offsets = data.subarray(p, p + (count + 1) * 4);
      const text = data.subarray(p + (count + 1) * 4);
      if (offsets.length !== (count + 1) * 4 || offsets.readUInt32LE(count * 4) !== text.length) return undefined;
      return new SegmenterLookup(count, total, maxLength, offsets, text);
    } catch {
      return undefined;
    }
  }

  toBinary(): Buffer {
    const key = Buffer.from(stockDictionaryKey(), 'utf8');
    const head = Buffer.alloc(4 + key.length + 16);
    head.writeUInt32LE(key.length, 0);
    key.copy(head, 4);
    head.writeUInt32LE(this.count, 4 + key.length);
    head.writeDoubleLE(this.total, 8 + key.length);
    head.writeUInt32LE(this.maxLength, 16 + key.length);
    const body = Buffer.concat([head, this.#offsets, this.#text]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32LE(crc32(body) >>> 0, 0);
    return Buffer.concat([MAGIC, crc, body]);
  }

  /**
   * The entry for a word, or where the search ended: `prefix` tells whether some longer word starts
   * with it (so longer substrings are worth looking up).
   */
  find(word: Buffer): { entry?: Entry; prefix: boolean } {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#compare(word, mid) > 0) lo = mid + 1;
      else hi = mid;
    }
    if (lo < this.count && this.#compare(word, lo) === 0) {
      return { entry: entryOf(this.#line(lo))!, prefix: lo + 1 < this.count && this.#startsWith(lo + 1, word) };
    }
    return { prefix: lo < this.count && this.#startsWith(lo, word) };
  }

  #line(i: number): Buffer {
    return this.#text.subarray(this.#offsets.readUInt32LE(i * 4), this.#offsets.readUInt32LE(i * 4 + 4));
  }
  #wordEnd(i: number): [number, number] {
    const start = this.#offsets.readUInt32LE(i * 4);
    const end = this.#text.indexOf(0x20, start);
    return [start, end];
  }
  #compare(word: Buffer, i: number): number {
    const [start, end] = this.#wordEnd(i);
    return word.compare(this.#text, start, end);
  }
  #startsWith(i: number, word: Buffer): boolean {
    const [start, end] = this.#wordEnd(i);
    return end - start >= word.length && word.compare(this.#text, start, start + word.length) === 0;
  }
}

let built: SegmenterLookup | undefined;

function entryOf(line: Buffer): Entry | undefined {
  const [, freq, tag = ''] = line.toString('utf8').split(' ');
  return freq === undefined ? undefined : { freq: Number(freq), tag };
}

/** Domain words (`word freq tag`) merged over the stock dictionary the way jieba merges them. */
export interface DomainWords {
  entries: Map<string, Entry>;
  /** Every prefix of a domain word, so a lookup goes on while one may follow. */
  prefixes: Set<string>;
  /** Total frequency with the domain words in. */
  total: number;
  maxLength: number;
}

/**
 * jieba's `loadDict` on a word the stock dictionary has replaces its frequency and keeps the stock
 * tag; a new word keeps the tag it came with. Undefined when a line has no frequency (jieba would
 * then work one out from the whole dictionary, which only the whole dictionary can do).
 */
export function mergeDomainWords(lines: string[], lookup: SegmenterLookup): DomainWords | undefined {
  const entries = new Map<string, Entry>();
  const prefixes = new Set<string>();
  let total = lookup.total;
  let maxLength = lookup.maxLength;
  for (const line of lines) {
    const [word, freq, tag = ''] = line.trim().split(/\s+/);
    if (!word) continue;
    if (freq === undefined || !/^\d+$/.test(freq)) return undefined;
    const before = entries.get(word) ?? lookup.find(Buffer.from(word, 'utf8')).entry;
    total += Number(freq) - (before?.freq ?? 0);
    entries.set(word, { freq: Number(freq), tag: before ? before.tag : tag });
    const chars = [...word];
    maxLength = Math.max(maxLength, chars.length);
    for (let i = 1; i < chars.length; i++) prefixes.add(chars.slice(0, i).join(''));
  }
  return { entries, prefixes, total, maxLength };
}

/**
 * A segmenter for this text only: the dictionary words that occur in it and a placeholder for the
 * rest of the total frequency. Cuts and tags the text exactly as the whole dictionary would.
 */
export function segmenterFor(text: string, lookup: SegmenterLookup, domain: DomainWords): Jieba {
  const chars = [...text];
  const lines: string[] = [];
  const seen = new Set<string>();
  let sum = 0;
  for (let i = 0; i < chars.length; i++) {
    let s = '';
    for (let j = i; j < chars.length && j - i < domain.maxLength; j++) {
      s += chars[j]!;
      const own = domain.entries.get(s);
      const stock = own ? undefined : lookup.find(Buffer.from(s, 'utf8'));
      const entry = own ?? stock?.entry;
      if (entry && !seen.has(s)) {
        seen.add(s);
        lines.push(`${s} ${entry.freq} ${entry.tag}`);
        sum += entry.freq;
      }
      if (!domain.prefixes.has(s) && !(own ? lookup.find(Buffer.from(s, 'utf8')).prefix : stock!.prefix)) break;
    }
  }
  lines.push(`${PLACEHOLDER} ${Math.max(1, domain.total - sum)} x`);
  return Jieba.withDict(Buffer.from(lines.join('\n'), 'utf8'));
}

/** The whole dictionary with the domain words: what indexing long texts needs. */
export function fullSegmenter(lines: string[]): Jieba {
  const jieba = Jieba.withDict(stockDictionary());
  if (lines.length) jieba.loadDict(Buffer.from(lines.join('\n') + '\n'));
  return jieba;
}
