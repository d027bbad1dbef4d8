import { beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../../src/answer/engine.ts';
import { citationLocation } from '../../../src/answer/format.ts';
import type { Answer } from '../../../src/answer/types.ts';
import { escapeHtml } from '../../../src/channels/telegram/html.ts';
import { messages } from '../../../src/channels/telegram/messages.ts';
import {
  EXPANDABLE_AFTER,
  formatBeijingTime,
  renderAbout,
  renderAnswer,
  renderInlineMessage,
  renderParagraph,
  renderRelated,
  shorten,
} from '../../../src/channels/telegram/render.ts';
import { testEngine } from '../../helpers/engine.ts';
import { parseTelegramHtml, visibleText } from './helpers/telegram-html.ts';

let engine: Engine;
beforeAll(async () => {
  engine = await testEngine();
});

function valid(chunks: string[]): string {
  for (const c of chunks) {
    expect(c.length).toBeLessThanOrEqual(4096);
    expect(parseTelegramHtml(c)).toMatchObject({ ok: true });
  }
  return chunks.map(visibleText).join('\n');
}

describe('renderAnswer', () => {
  it('bolds the figures, quotes the source verbatim and says where it stands', async () => {
    const a = await engine.ask('今年新增多少托位');
    expect(a.found).toBe(true);
    expect(a.highlights.length).toBeGreaterThan(0);
    const chunks = renderAnswer(a);
    expect(chunks).toHaveLength(1);
    const html = chunks[0]!;
    for (const h of a.highlights) expect(html).toContain(`<b>${escapeHtml(h)}</b>`);
    const top = a.citations[0]!;
    expect(html).toContain(`<blockquote>${escapeHtml(top.quote)}</blockquote>`);
    expect(visibleText(html)).toContain(messages.location(citationLocation(top)));
    expect(visibleText(html).startsWith(a.answer)).toBe(true);
  });

  it('collapses a quote longer than about 200 characters behind "show more"', async () => {
    const a = await engine.ask('今年新增多少托位');
    const long = { ...a, citations: [{ ...a.citations[0]!, quote: a.citations[0]!.context.text }] };
    expect(long.citations[0]!.quote.length).toBeGreaterThan(EXPANDABLE_AFTER);
    expect(renderAnswer(long)[0]).toContain('<blockquote expandable>');
    expect(renderAnswer(a)[0]).not.toContain('expandable');
  });

  it('says plainly when the report has no answer, shows the closest passage and offers examples', async () => {
    const a = await engine.ask('北京的托位有多少');
    expect(a.found).toBe(false);
    const text = valid(renderAnswer(a, ['今年新增多少托位?', '加装电梯多少部?']));
    expect(text.startsWith(a.answer)).toBe(true);
    expect(text).toContain(messages.related);
    expect(text).toContain(a.citations[0]!.quote);
    expect(text).toContain(messages.tryExamples);
    expect(text).toContain(messages.example('加装电梯多少部?'));
  });

  it('adds no example list to a greeting, whose answer already explains', async () => {
    const a = await engine.ask('你好');
    expect(a.reason).toBe('chitchat');
    expect(valid(renderAnswer(a, ['今年新增多少托位?']))).not.toContain(messages.tryExamples);
  });

  it('shows a notice from the engine in italics', async () => {
    const a = await engine.ask(`今年新增多少托位${'啊'.repeat(600)}`);
    expect(a.notice).toBeTruthy();
    expect(renderAnswer(a)[0]).toContain(`<i>${escapeHtml(messages.notice(a.notice!))}</i>`);
  });

  it('notes when a model phrased the answer, and only then', async () => {
    const a = await engine.ask('今年新增多少托位');
    expect(visibleText(renderAnswer(a)[0]!)).not.toContain(messages.generated);
    expect(renderAnswer({ ...a, generatedBy: 'ollama:qwen' })[0]).toContain(`<i>${escapeHtml(messages.generated)}</i>`);
  });

  it('escapes hostile text everywhere and still bolds safely', async () => {
    const real = await engine.ask('今年新增多少托位');
    const hostile: Answer = {
      ...real,
      question: '<b>&</b><script>',
      answer: '<b>&</b><script>alert(1)</script> 300个 &amp;',
      highlights: ['&', '300个', 'amp', '<script>', 'b>&</b'],
      citations: [{ ...real.citations[0]!, doc: '<i>doc</i>', section: 'A & B › <u>C</u>', quote: '<blockquote>&lt;</blockquote>' }],
    };
    const chunks = renderAnswer(hostile);
    const text = valid(chunks);
    expect(chunks.join('')).not.toMatch(/<script>|<\/?i>doc|<u>C/);
    expect(text).toContain(hostile.answer);
    expect(text).toContain('<blockquote>&lt;</blockquote>');
    expect(text).toContain(messages.location('<i>doc</i> › A & B › <u>C</u>'));
    expect(chunks[0]).toContain('<b>300个</b>');
  });

  it('splits a very long answer into valid messages of at most 4096 characters, losing nothing', async () => {
    const real = await engine.ask('今年新增多少托位');
    const paragraphs: string[] = [];
    for (let n = 0; engine.paragraph('shibei-2025', n); n++) paragraphs.push(engine.paragraph('shibei-2025', n)!.text);
    const quote = `${paragraphs.join('\n')}\n${paragraphs.join('')}`;
    expect(quote.length).toBeGreaterThan(8192);
    const chunks = renderAnswer({ ...real, citations: [{ ...real.citations[0]!, quote }] });
    expect(chunks.length).toBeGreaterThanOrEqual(3);
    const text = valid(chunks);
    expect(text.replace(/\n/g, '')).toContain(quote.replace(/\n/g, ''));
    // The location line follows the end of the quote, in the last message.
    expect(visibleText(chunks.at(-1)!)).toContain(messages.location(citationLocation(real.citations[0]!)));
  });
});

describe('renderParagraph and renderRelated', () => {
  it('shows the whole paragraph with the quoted sentence in bold', async () => {
    const a = await engine.ask('今年新增多少托位');
    const c = a.citations[0]!;
    const html = renderParagraph(c).join('');
    expect(visibleText(html)).toContain(c.context.text);
    expect(html).toContain(`<b>${escapeHtml(c.context.text.slice(c.context.start, c.context.end))}</b>`);
    expect(c.context.text.slice(c.context.start, c.context.end)).toBe(c.quote);
  });

  it('lists the citations after the first, each with its location', async () => {
    const a = await engine.ask('营商环境');
    expect(a.citations.length).toBeGreaterThan(1);
    const text = valid(renderRelated(a.question, a.citations));
    expect(text).toContain(messages.relatedTo(a.question));
    for (const c of a.citations.slice(1)) {
      expect(text).toContain(c.quote);
      expect(text).toContain(messages.location(citationLocation(c)));
    }
    expect(text).not.toContain(a.citations[0]!.quote + '\n📍');
    expect(valid(renderRelated('q', a.citations.slice(0, 1)))).toBe(messages.noMoreRelated);
  });
});

describe('small renderers', () => {
  it('renders an inline message with the question, the answer and its quote in one message', async () => {
    const a = await engine.ask('加装电梯多少部');
    const text = visibleText(renderInlineMessage(a));
    expect(text).toContain(messages.inline.question(a.question));
    expect(text).toContain(a.answer);
    expect(text).toContain(a.citations[0]!.quote);
  });

  it('shortens by code points', () => {
    expect(shorten('一二三四五', 5)).toBe('一二三四五');
    expect(shorten('一二三四五六', 5)).toBe('一二三四…');
    expect(shorten('😀😀😀😀', 3)).toBe('😀😀…');
  });

  it('formats the index date in Beijing time', () => {
    expect(formatBeijingTime('2025-11-27T07:49:26.595Z')).toBe('2025-11-27 15:49');
    expect(formatBeijingTime('2025-12-31T16:30:00Z')).toBe('2026-01-01 00:30');
    expect(formatBeijingTime('not a date')).toBe('');
  });

  it('renders /about with the sources, the version and the index date', () => {
    const html = renderAbout(engine.info, '1.2.3');
    const text = visibleText(html);
    for (const d of engine.info.documents) expect(text).toContain(d.title);
    expect(text).toContain(messages.about.version('1.2.3'));
    expect(text).toContain(messages.about.indexedAt(formatBeijingTime(engine.info.indexBuiltAt)));
  });
});
