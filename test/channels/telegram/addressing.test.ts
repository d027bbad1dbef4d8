import type { Message, MessageEntity } from 'grammy/types';
import { describe, expect, it } from 'vitest';
import { isAddressed, questionText } from '../../../src/channels/telegram/addressing.ts';

const me = { id: 666, username: 'WorkplanBot' };
const bot = { id: 666, is_bot: true, first_name: 'Workplan' };
const human = { id: 7, is_bot: false, first_name: '张' };

function msg(text: string, entities: MessageEntity[] = [], extra: Partial<Message> = {}): Message {
  return { message_id: 1, date: 0, chat: { id: -1, type: 'supergroup', title: 'g' }, text, entities, ...extra } as Message;
}
const mention = (text: string, handle: string): MessageEntity => ({ type: 'mention', offset: text.indexOf(handle), length: handle.length });

describe('isAddressed', () => {
  it('accepts a mention entity of the bot, in any letter case', () => {
    const text = '@workplanbot 今年新增多少托位';
    expect(isAddressed(msg(text, [mention(text, '@workplanbot')]), me)).toBe(true);
  });

  it('ignores the bot name written without a mention entity', () => {
    expect(isAddressed(msg('@WorkplanBot 今年新增多少托位'), me)).toBe(false);
    expect(isAddressed(msg('WorkplanBot 说托位300个'), me)).toBe(false);
  });

  it('ignores mentions of other users and bots', () => {
    const text = '@WorkplanBotFan @Other 托位';
    expect(isAddressed(msg(text, [mention(text, '@WorkplanBotFan'), mention(text, '@Other')]), me)).toBe(false);
  });

  it('accepts a text_mention of the bot user', () => {
    expect(isAddressed(msg('Workplan 托位', [{ type: 'text_mention', offset: 0, length: 8, user: bot }]), me)).toBe(true);
    expect(isAddressed(msg('张三 托位', [{ type: 'text_mention', offset: 0, length: 2, user: human }]), me)).toBe(false);
  });

  it('accepts a command addressed to the bot but not one addressed to another bot', () => {
    const ours = '/find@WorkplanBot 托位';
    expect(isAddressed(msg(ours, [{ type: 'bot_command', offset: 0, length: 17 }]), me)).toBe(true);
    const theirs = '/find@OtherBot 托位';
    expect(isAddressed(msg(theirs, [{ type: 'bot_command', offset: 0, length: 14 }]), me)).toBe(false);
  });

  it('accepts a reply to one of the bot’s messages, not to someone else’s', () => {
    const toBot = msg('那电梯呢', [], { reply_to_message: { message_id: 2, date: 0, chat: { id: -1, type: 'supergroup', title: 'g' }, from: bot } as never });
    const toHuman = msg('那电梯呢', [], { reply_to_message: { message_id: 2, date: 0, chat: { id: -1, type: 'supergroup', title: 'g' }, from: human } as never });
    expect(isAddressed(toBot, me)).toBe(true);
    expect(isAddressed(toHuman, me)).toBe(false);
  });

  it('reads captions and their entities', () => {
    const caption = '@WorkplanBot 这张图';
    const photo = { message_id: 1, date: 0, chat: { id: -1, type: 'group', title: 'g' }, caption, caption_entities: [mention(caption, '@WorkplanBot')] } as unknown as Message;
    expect(isAddressed(photo, me)).toBe(true);
  });
});

describe('questionText', () => {
  it('removes the mention wherever it stands, with the punctuation it leaves', () => {
    const a = '@WorkplanBot,今年新增多少托位';
    expect(questionText(msg(a, [mention(a, '@WorkplanBot')]), me)).toBe('今年新增多少托位');
    const b = '请问 @WorkplanBot 今年新增多少托位?';
    expect(questionText(msg(b, [mention(b, '@WorkplanBot')]), me)).toBe('请问 今年新增多少托位?');
  });

  it('keeps other people’s mentions and counts offsets in UTF-16 like Telegram', () => {
    const text = '😀 @WorkplanBot 托位 @张三';
    expect(questionText(msg(text, [mention(text, '@WorkplanBot')]), me)).toBe('😀 托位 @张三');
  });

  it('is empty for a bare mention', () => {
    const text = '@WorkplanBot';
    expect(questionText(msg(text, [mention(text, text)]), me)).toBe('');
  });
});

describe('questionText with a command', () => {
  it('drops the leading command and a mention after it', () => {
    const a = '/ask @WorkplanBot 今年新增多少托位';
    expect(questionText(msg(a, [{ type: 'bot_command', offset: 0, length: 4 }, mention(a, '@WorkplanBot')]), me, { dropCommand: true })).toBe('今年新增多少托位');
    const b = '/ask@WorkplanBot 加装电梯多少部';
    expect(questionText(msg(b, [{ type: 'bot_command', offset: 0, length: 16 }]), me, { dropCommand: true })).toBe('加装电梯多少部');
    expect(questionText(msg('/ask', [{ type: 'bot_command', offset: 0, length: 4 }]), me, { dropCommand: true })).toBe('');
  });
});
