import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { citationLocation } from '../../../src/answer/format.ts';
import type { Answer } from '../../../src/answer/types.ts';
import { MAX_QUESTION_LENGTH, type Engine } from '../../../src/answer/index.ts';
import { messages } from '../../../src/channels/wechat/messages.ts';
import { answerPages, MAX_MESSAGE_BYTES, paginate, renderAnswer, utf8Length } from '../../../src/channels/wechat/render.ts';
import { REPORTS_DIR, testEngine } from '../../helpers/engine.ts';

const HINT = `\n\n${messages.moreHint}`;
const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
const squash = (s: string) => s.replace(/\s+/g, '');
const body = (page: string) => (page.endsWith(HINT) ? page.slice(0, -HINT.length) : page);

/** The properties every pagination must have. */
function expectPages(text: string, pages: string[], max: number): void {
  expect(pages.length).toBeGreaterThan(0);
  pages.forEach((page, i) => {
    expect(bytes(page), `page ${i}`).toBeLessThanOrEqual(max);
    expect(page.endsWith(HINT), `hint on page ${i}`).toBe(i < pages.length - 1);
    expect(body(page).trim().length, `page ${i} has text`).toBeGreaterThan(0);
    expect(page).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
  });
  expect(squash(pages.map(body).join(''))).toBe(squash(text));
}

let engine: Engine;
beforeAll(async () => {
  engine = await testEngine();
});

describe('renderAnswer', () => {
  it('puts the answer first, then each quote in 「」 with its location line', async () => {
    const answer = await engine.ask('今年新增多少托位');
    expect(answer.found).toBe(true);
    const text = renderAnswer(answer);
    expect(text.startsWith(answer.answer)).toBe(true);
    let at = answer.answer.length;
    for (const c of answer.citations) {
      const block = `「${c.quote}」\n—— ${citationLocation(c)}`;
      const next = text.indexOf(block, at);
      expect(next, c.quote).toBeGreaterThan(at);
      at = next + block.length;
    }
    expect(text).toContain(messages.quotesFound);
    expect(text).not.toMatch(/<|&[a-z]+;|\*\*/);
  });

  it('labels the passages of a refusal as related, and nudges towards examples when there are none', async () => {
    const refusal = await engine.ask('崂山区今年新增多少托位');
    expect(refusal.found).toBe(false);
    const text = renderAnswer(refusal, engine.examples);
    expect(text.startsWith(refusal.answer)).toBe(true);
    if (refusal.citations.length) expect(text).toContain(messages.quotesRelated);

    const bare: Answer = { ...refusal, reason: 'not-found', citations: [] };
    expect(renderAnswer(bare, engine.examples)).toContain(messages.tryExamples(engine.examples.slice(0, 2)));
  });

  it('shows the notice of a cut question', async () => {
    const answer = await engine.ask(`今年新增多少托位${'请详细说明'.repeat(MAX_QUESTION_LENGTH)}`);
    expect(answer.notice).toBeTruthy();
    expect(renderAnswer(answer).split('\n')[1]).toBe(`(${answer.notice})`);
  });

  it('keeps a real answer within one message', async () => {
    const answer = await engine.ask('今年新增多少托位');
    expect(answerPages(answer)).toEqual([renderAnswer(answer)]);
    expect(bytes(renderAnswer(answer))).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
  });
});

describe('paginate', () => {
  const report = readFileSync(join(REPORTS_DIR, readdirSync(REPORTS_DIR).find((f) => f.endsWith('.txt'))!), 'utf8');

  it('returns short text as one page without the hint', () => {
    expect(paginate('增加普惠托位300个。')).toEqual(['增加普惠托位300个。']);
    expect(paginate('  padded \n')).toEqual(['padded']);
  });

  it('cuts the whole report into pages of at most 2048 bytes on sentence boundaries', () => {
    const pages = paginate(report);
    expect(pages.length).toBeGreaterThan(bytes(report) / MAX_MESSAGE_BYTES);
    expectPages(report, pages, MAX_MESSAGE_BYTES);
    for (const page of pages.slice(0, -1)) {
      const text = body(page);
      const end = report.indexOf(text) + text.length;
      const endsSentence = /[。!?;!?;…][”’」』))》】]*$/.test(text) || /^\s*\n/.test(report.slice(end));
      expect(endsSentence, text.slice(-20)).toBe(true);
    }
  });

  it('holds for other limits, including tiny ones', () => {
    for (const max of [64, 100, 301, 1000, 4096]) expectPages(report.slice(0, 6000), paginate(report.slice(0, 6000), max), max);
  });

  it('falls back to clauses, then to a hard cut that never splits a character', () => {
    const clauses = '一二三四五六七八九十,'.repeat(400);
    const pages = paginate(clauses, 200);
    expectPages(clauses, pages, 200);
    for (const page of pages.slice(0, -1)) expect(body(page).endsWith(',')).toBe(true);

    const emoji = '🙂托'.repeat(1000);
    expectPages(emoji, paginate(emoji, 101), 101);
    const ascii = 'x'.repeat(5000);
    expectPages(ascii, paginate(ascii), MAX_MESSAGE_BYTES);
  });

  it('prefers a block boundary in the second half of the page', () => {
    const block = `${'市北区推进城市更新。'.repeat(20)}`;
    const text = [block, block, block].join('\n\n');
    const pages = paginate(text, utf8Length(block) + utf8Length(HINT) + 30);
    expect(pages.map(body)).toEqual([block, block, block]);
  });

  it('refuses a limit with no room for text', () => {
    expect(() => paginate('x'.repeat(100), 20)).toThrow(RangeError);
  });
});
