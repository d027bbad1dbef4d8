import { beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../../src/answer/engine.ts';
import { decodeAction } from '../../../src/channels/telegram/callback-data.ts';
import { answerKeyboard, pickExamples } from '../../../src/channels/telegram/keyboards.ts';
import { messages } from '../../../src/channels/telegram/messages.ts';
import { testEngine } from '../../helpers/engine.ts';

let engine: Engine;
beforeAll(async () => {
  engine = await testEngine();
});

const texts = (kb: ReturnType<typeof answerKeyboard>) => kb?.inline_keyboard.map((row) => row.map((b) => b.text)) ?? [];

describe('answerKeyboard', () => {
  it('offers the paragraph, the related passages and 👍/👎 under an answer', async () => {
    const a = await engine.ask('营商环境');
    expect(a.citations.length).toBeGreaterThan(1);
    const kb = answerKeyboard(a, 'tok12345', []);
    expect(texts(kb)).toEqual([
      [messages.buttons.paragraph, messages.buttons.related],
      [messages.buttons.up, messages.buttons.down],
    ]);
    for (const b of kb!.inline_keyboard.flat()) {
      expect('callback_data' in b && Buffer.byteLength(b.callback_data)).toBeLessThanOrEqual(64);
      expect(decodeAction((b as { callback_data: string }).callback_data)).toMatchObject({ token: 'tok12345' });
    }
  });

  it('has no 相关内容 button when there is a single citation', () => {
    const kb = answerKeyboard({ citations: [{} as never] }, 't', []);
    expect(texts(kb)[0]).toEqual([messages.buttons.paragraph]);
  });

  it('offers example questions after a refusal, and nothing to rate under a greeting', async () => {
    const refusal = await engine.ask('北京的托位有多少');
    const examples = pickExamples(engine.examples, refusal.question);
    const kb = answerKeyboard(refusal, 't', examples);
    expect(texts(kb).flat()).toEqual(expect.arrayContaining(examples.map((e) => e.text)));
    const greeting = await engine.ask('你好');
    expect(answerKeyboard(greeting, 't', [])).toBeUndefined();
  });
});

describe('pickExamples', () => {
  it('picks up to three, never the question just asked', () => {
    const all = ['今年新增多少托位?', '加装电梯多少部?', 'A?', 'B?'];
    expect(pickExamples(all, '今年新增多少托位').map((e) => e.index)).toEqual([1, 2, 3]);
    expect(pickExamples(all, '别的').map((e) => e.index)).toEqual([0, 1, 2]);
  });
});
