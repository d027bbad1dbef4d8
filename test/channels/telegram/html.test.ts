import { describe, expect, it } from 'vitest';
import {
  blockText,
  escapeHtml,
  renderBlock,
  spansWithHighlights,
  spansWithRanges,
  splitBlock,
  toChunks,
  type Block,
} from '../../../src/channels/telegram/html.ts';
import { parseTelegramHtml, visibleText } from './helpers/telegram-html.ts';

/** A small deterministic PRNG (mulberry32), so the generated cases are the same on every run. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHABET = ['托', '位', '3', '0', '个', '。', ',', '、', '\n', '&', '<', '>', '"', ' ', 'a', '😀', '𠀀', ';', '!'];

function randomText(rand: () => number, length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) s += ALPHABET[Math.floor(rand() * ALPHABET.length)];
  return s;
}

describe('escapeHtml', () => {
  it('escapes exactly &, < and >', () => {
    expect(escapeHtml('<b>&</b><script>"x"')).toBe('&lt;b&gt;&amp;&lt;/b&gt;&lt;script&gt;"x"');
    expect(escapeHtml('托位300个')).toBe('托位300个');
  });
});

describe('spansWithHighlights', () => {
  it('bolds every occurrence of each figure that occurs, and ignores the others', () => {
    const html = renderBlock({ spans: spansWithHighlights('增加托位300个,托位数300个以上', ['300个', '4.6个']) });
    expect(html).toBe('增加托位<b>300个</b>,托位数<b>300个</b>以上');
  });

  it('merges overlapping highlights into one bold run', () => {
    const html = renderBlock({ spans: spansWithHighlights('增长5.5%以上', ['5.5%', '5%以上', '5.5%以上']) });
    expect(html).toBe('增长<b>5.5%以上</b>');
  });

  it('never breaks an entity, whatever the highlight', () => {
    for (const hl of ['&', 'amp', '&amp;', 'lt', '<', '<b>', 'b>&</b', ';']) {
      const html = renderBlock({ spans: spansWithHighlights('<b>&</b><script>amp;lt', [hl]) });
      const parsed = parseTelegramHtml(html);
      expect(parsed, `${hl}: ${html}`).toMatchObject({ ok: true, text: '<b>&</b><script>amp;lt' });
    }
  });

  it('matches on the raw text, not on its escaped form', () => {
    // "amp" is inside the escaped "&amp;" but not in the raw text.
    expect(renderBlock({ spans: spansWithHighlights('a & b', ['amp']) })).toBe('a &amp; b');
  });
});

describe('spansWithRanges', () => {
  it('clips ranges to the text and merges overlaps', () => {
    const spans = spansWithRanges('abcdef', [[-3, 2], [1, 3], [5, 99]]);
    expect(renderBlock({ spans })).toBe('<b>abc</b>de<b>f</b>');
  });
});

describe('toChunks', () => {
  const quote = (text: string): Block => ({ spans: [{ text }], quote: 'plain' });

  it('joins blocks with their gaps into one message when they fit', () => {
    const chunks = toChunks([{ spans: [{ text: '答' }] }, quote('原文'), { spans: [{ text: '出处' }], gap: 1 }]);
    expect(chunks).toEqual(['答\n\n<blockquote>原文</blockquote>\n出处']);
  });

  it('moves a whole block to the next message rather than cutting it', () => {
    const a = { spans: [{ text: 'a'.repeat(60) }] };
    const b = { spans: [{ text: 'b'.repeat(60) }] };
    expect(toChunks([a, b], 100)).toEqual(['a'.repeat(60), 'b'.repeat(60)]);
  });

  it('cuts an oversized quote after sentences, each piece its own balanced blockquote', () => {
    const sentence = '深入推进儿童友好城区建设,增加普惠托位300个。';
    const text = sentence.repeat(20);
    const chunks = toChunks([quote(text)], 200);
    expect(chunks.length).toBeGreaterThan(1);
    for (const c of chunks) {
      expect(c.length).toBeLessThanOrEqual(200);
      expect(c.startsWith('<blockquote>') && c.endsWith('</blockquote>')).toBe(true);
      // Every piece ends at a sentence end.
      expect(visibleText(c).endsWith('。')).toBe(true);
    }
    expect(chunks.map(visibleText).join('')).toBe(text);
  });

  it('prefers a line break over a sentence end', () => {
    const text = `${'甲。'.repeat(30)}\n${'乙。'.repeat(30)}`;
    const chunks = toChunks([quote(text)], 120);
    expect(visibleText(chunks[0]!)).toBe(`${'甲。'.repeat(30)}\n`);
  });

  it('hard-cuts text without any break, never inside a surrogate pair', () => {
    const text = '😀'.repeat(500);
    const chunks = toChunks([{ spans: [{ text, marks: ['b'] }] }], 101);
    for (const c of chunks) {
      expect(c.length).toBeLessThanOrEqual(101);
      expect(visibleText(c)).toMatch(/^(😀)+$/u);
    }
    expect(chunks.map(visibleText).join('')).toBe(text);
  });

  it('counts escaped length: a text of ampersands still fits', () => {
    const text = '&'.repeat(5000);
    const chunks = toChunks([{ spans: [{ text }] }]);
    for (const c of chunks) expect(c.length).toBeLessThanOrEqual(4096);
    expect(chunks.map(visibleText).join('')).toBe(text);
  });

  it('keeps a bold run bold across a cut', () => {
    const spans = spansWithHighlights(`${'前'.repeat(90)}300个${'后'.repeat(90)}`, ['前'.repeat(90) + '300个']);
    const pieces = splitBlock({ spans }, 64);
    for (const p of pieces) expect(renderBlock(p).length).toBeLessThanOrEqual(64);
    expect(pieces.map(blockText).join('')).toBe(blockText({ spans }));
    expect(renderBlock(pieces[0]!)).toMatch(/^<b>前+<\/b>$/);
  });

  it('always yields valid Telegram HTML within the limit, keeping all text (generated cases)', () => {
    const rand = prng(20250101);
    for (let round = 0; round < 200; round++) {
      const limit = 64 + Math.floor(rand() * 600);
      const blocks: Block[] = [];
      const n = 1 + Math.floor(rand() * 5);
      for (let b = 0; b < n; b++) {
        const text = randomText(rand, Math.floor(rand() * 1500) + 1);
        const highlights = [text.slice(3, 5), text.slice(10, 40), '&', '<'];
        const kind = rand();
        blocks.push({
          spans: spansWithHighlights(text, highlights, rand() < 0.5 ? 'b' : 'i'),
          ...(kind < 0.3 ? { quote: 'plain' as const } : kind < 0.6 ? { quote: 'expandable' as const } : {}),
          gap: rand() < 0.5 ? 1 : 2,
        });
      }
      const chunks = toChunks(blocks, limit);
      let seen = '';
      for (const c of chunks) {
        expect(c.length, `round ${round}`).toBeLessThanOrEqual(limit);
        const parsed = parseTelegramHtml(c);
        expect(parsed.ok, `round ${round}: ${c}`).toBe(true);
        seen += visibleText(c);
      }
      // All text arrives, in order (separators between blocks aside).
      const all = blocks.map(blockText).join('');
      expect(seen.replace(/\n/g, '')).toBe(all.replace(/\n/g, ''));
    }
  });
});
