import type { InlineKeyboardButton, InlineKeyboardMarkup } from 'grammy/types';
import type { Answer } from '../../answer/types.ts';
import { encodeAction, type ButtonAction } from './callback-data.ts';
import { messages } from './messages.ts';

export const button = (text: string, action: ButtonAction): InlineKeyboardButton.CallbackButton => ({
  text,
  callback_data: encodeAction(action),
});

/** Refusals nobody rates: greetings and empty questions. */
export function acceptsFeedback(a: Pick<Answer, 'reason'>): boolean {
  return a.reason !== 'chitchat' && a.reason !== 'empty' && a.reason !== 'which-place';
}

/** Up to `max` example questions other than the one just asked, with their index for the button. */
export function pickExamples(all: readonly string[], question: string, max = 3): Array<{ index: number; text: string }> {
  const norm = (s: string): string => s.replace(/[?？!！。\s]/g, '');
  return all
    .map((text, index) => ({ index, text }))
    .filter((e) => norm(e.text) !== norm(question))
    .slice(0, max);
}

/**
 * Buttons under an answer: 原文段落 and 相关内容 (when there is a next citation), example questions
 * after a refusal, and 👍 / 👎. Undefined when there is nothing to press.
 */
export function answerKeyboard(
  a: Pick<Answer, 'reason' | 'citations'>,
  token: string,
  examples: ReadonlyArray<{ index: number; text: string }>,
): InlineKeyboardMarkup | undefined {
  const rows: InlineKeyboardButton[][] = [];
  if (a.citations.length) {
    const row = [button(messages.buttons.paragraph, { kind: 'paragraph', token })];
    if (a.citations.length > 1) row.push(button(messages.buttons.related, { kind: 'related', token }));
    rows.push(row);
  }
  for (const e of examples) rows.push([button(e.text, { kind: 'example', index: e.index })]);
  if (acceptsFeedback(a)) {
    rows.push([button(messages.buttons.up, { kind: 'up', token }), button(messages.buttons.down, { kind: 'down', token })]);
  }
  return rows.length ? { inline_keyboard: rows } : undefined;
}
