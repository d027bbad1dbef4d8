import { marked, type Token, type Tokens } from 'marked';
import { foldWidth } from '../corpus/text.ts';
import { decodeText } from './decode.ts';
import { noteDropped, type Dropped, type Extracted } from './types.ts';

/**
 * Plain text and Markdown: a `.txt` saved from a page or pasted from a PDF, a `.md` someone wrote.
 * Encodings are sniffed (UTF-8, UTF-16, GB18030). Text copied out of a PDF arrives with every line
 * broken at the page width; such lines are joined back into paragraphs.
 */

/** A line ends a paragraph: a sentence end, a colon before a list, or a heading-like short line. */
const ENDS = /[。!?;:…”’」』)]$/;
const HEADING = /^(?:[一二三四五六七八九十]+、|[(][一二三四五六七八九十]+[)]|第[一二三四五六七八九十]+[部章节]|\d{1,2}[.、])/;

export function extractText(bytes: Uint8Array): Extracted {
  const dropped: Dropped[] = [];
  const lines = decodeText(bytes).split('\n').map((l) => l.replace(/^[\s\u3000]+|[\s\u3000]+$/g, ''));
  return { format: 'txt', paragraphs: rejoinWrapped(lines.filter(Boolean), dropped), dropped };
}

/**
 * Joins lines a PDF copy broke mid-sentence. Only when the text is wrapped (most lines do not end a
 * sentence and have about the same length) are lines joined, so a file with one paragraph per line,
 * as published on the web, is kept line for line.
 */
export function rejoinWrapped(lines: string[], dropped: Dropped[]): string[] {
  if (lines.length < 8) return lines;
  const folded = lines.map(foldWidth);
  const open = folded.filter((l) => !ENDS.test(l)).length;
  const lengths = folded.map((l) => [...l].length).sort((a, b) => a - b);
  const width = lengths[Math.floor(lengths.length * 0.8)]!;
  const nearWidth = folded.filter((l) => [...l].length >= width - 2).length;
  if (open < lines.length * 0.5 || nearWidth < lines.length * 0.4) return lines;
  const out: string[] = [];
  let current = '';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const f = folded[i]!;
    if (/^[-—–\s]*\d{1,3}[-—–\s]*$/.test(f)) {
      noteDropped(dropped, 'page-number', line);
      continue;
    }
    const starts = HEADING.test(f);
    if (current && starts) {
      out.push(current);
      current = '';
    }
    current = current ? joinLines(current, line) : line;
    // A full line continues; a short one, or one that ends a sentence short of the width, ends the paragraph.
    if ([...f].length < width - 2 || (ENDS.test(f) && [...f].length < width)) {
      out.push(current);
      current = '';
    }
  }
  if (current) out.push(current);
  return out;
}

/** Two pieces of one line broken apart: no space in Chinese text, one between Latin words. */
export function joinLines(a: string, b: string): string {
  return /[A-Za-z0-9]$/.test(a) && /^[A-Za-z0-9]/.test(b) ? `${a} ${b}` : a + b;
}

export function extractMarkdown(bytes: Uint8Array): Extracted {
  const dropped: Dropped[] = [];
  const paragraphs: string[] = [];
  const visit = (tokens: Token[]): void => {
    for (const t of tokens) {
      switch (t.type) {
        case 'heading':
        case 'paragraph':
        case 'text': {
          const text = inline((t as Tokens.Paragraph).tokens ?? [], (t as Tokens.Text).text);
          for (const line of text.split('\n')) if (line.trim()) paragraphs.push(line.trim());
          break;
        }
        case 'list':
          for (const item of (t as Tokens.List).items) visit(item.tokens);
          break;
        case 'blockquote':
          visit((t as Tokens.Blockquote).tokens);
          break;
        case 'table': {
          const table = t as Tokens.Table;
          for (const row of [table.header, ...table.rows]) {
            const cells = row.map((c) => inline(c.tokens, c.text)).filter(Boolean);
            if (cells.length) paragraphs.push(cells.join('\t'));
          }
          break;
        }
        case 'code':
        case 'html':
          noteDropped(dropped, t.type === 'code' ? 'code' : 'html', (t as Tokens.Code).text ?? t.raw);
          break;
        default:
          break;
      }
    }
  };
  visit(marked.lexer(decodeText(bytes)));
  return { format: 'md', paragraphs, dropped };
}

/** The visible text of inline Markdown (bold, links, code spans…) without its marks. */
function inline(tokens: Token[], fallback: string): string {
  if (!tokens.length) return fallback;
  return tokens
    .map((t) => {
      const nested = (t as { tokens?: Token[] }).tokens;
      if (nested?.length) return inline(nested, '');
      if (t.type === 'br') return '\n';
      if (t.type === 'html') return '';
      return (t as { text?: string }).text ?? '';
    })
    .join('');
}
