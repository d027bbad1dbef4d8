import { beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../../../src/answer/engine.ts';
import { answerResults, exampleResult, MAX_INLINE_RESULTS } from '../../../../src/channels/telegram/features/inline.ts';
import { shorten } from '../../../../src/channels/telegram/render.ts';
import { testEngine } from '../../../helpers/engine.ts';
import { visibleText } from '../helpers/telegram-html.ts';

let engine: Engine;
beforeAll(async () => {
  engine = await testEngine();
});

describe('inline results', () => {
  it('gives the answer first (title = short answer, description = section), then the other quotes', async () => {
    const a = await engine.ask('营商环境');
    const results = answerResults(a);
    expect(results.length).toBeGreaterThan(1);
    expect(results.length).toBeLessThanOrEqual(MAX_INLINE_RESULTS);
    expect(new Set(results.map((r) => r.id)).size).toBe(results.length);
    const [first, ...rest] = results;
    expect(first!.type).toBe('article');
    expect(a.answer.startsWith(first!.title.replace(/…$/, ''))).toBe(true);
    expect(first!.description).toBe(shorten(a.citations[0]!.section, 120));
    const message = first!.input_message_content as { message_text: string; parse_mode: string };
    expect(message.parse_mode).toBe('HTML');
    expect(visibleText(message.message_text)).toContain(a.answer);
    expect(visibleText(message.message_text)).toContain(a.citations[0]!.quote);
    rest.forEach((r, i) => {
      const c = a.citations[i + 1]!;
      expect(visibleText((r.input_message_content as { message_text: string }).message_text)).toContain(c.quote);
    });
  });

  it('titles an example result with the question and describes it with the answer', async () => {
    const a = await engine.ask(engine.examples[0]!);
    const r = exampleResult(0, a);
    expect(r.title).toBe(engine.examples[0]);
    expect(a.answer.startsWith(r.description!.replace(/…$/, ''))).toBe(true);
  });
});
