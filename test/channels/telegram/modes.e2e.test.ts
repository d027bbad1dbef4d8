import type { Update } from 'grammy/types';
import { afterEach, describe, expect, it } from 'vitest';
import { messages } from '../../../src/channels/telegram/messages.ts';
import { Harness } from './helpers/harness.ts';
import { visibleText } from './helpers/telegram-html.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const privateText = (userId: number, text: string, messageId = 1) => ({
  message: { message_id: messageId, date: 0, chat: { id: userId, type: 'private' as const, first_name: '赵' }, from: { id: userId, is_bot: false, first_name: '赵' }, text },
});

describe('webhook secret', () => {
  it('refuses requests without the right X-Telegram-Bot-Api-Secret-Token and serves the right one', async () => {
    h = await Harness.start({ webhookSecret: 'S3cret_token-1' });
    expect(h.fake.callsOf('setWebhook')[0]!.payload.secret_token).toBe('S3cret_token-1');

    expect((await h.deliver(privateText(1101, '加装电梯多少部'))).status).toBe(401);
    expect((await h.deliver(privateText(1101, '加装电梯多少部'), { 'X-Telegram-Bot-Api-Secret-Token': 'wrong' })).status).toBe(401);
    expect(h.sent(1101)).toEqual([]);

    const ok = await h.deliver(privateText(1101, '加装电梯多少部'), { 'X-Telegram-Bot-Api-Secret-Token': 'S3cret_token-1' });
    expect(ok.status).toBe(200);
    expect(visibleText(h.sent(1101)[0]!.text)).toContain((await h.engine.ask('加装电梯多少部')).answer);
  });

  it('answers a body that is not JSON with 400 and keeps working', async () => {
    h = await Harness.start();
    const bad = await fetch(h.webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{not json' });
    expect(bad.status).toBe(400);
    expect((await h.deliver(privateText(1102, '加装电梯多少部'))).status).toBe(200);
    expect(h.sent(1102)).toHaveLength(1);
  });
});

describe('long polling', () => {
  it('polls with the runner, answers, and stops cleanly', async () => {
    const update: Update = { update_id: 5001, ...privateText(1201, '今年新增多少托位') } as Update;
    let served = false;
    const offsets: number[] = [];
    h = await Harness.start({
      polling: true,
      configure: (fake) =>
        // The emulator's getUpdates ignores offset and timeout; this one holds the request open like
        // Telegram's long poll until the runner aborts it.
        fake.handlers.set('getUpdates', (payload, signal) => {
          offsets.push(payload.offset as number);
          if (!served) {
            served = true;
            return Promise.resolve({ ok: true, result: [update] });
          }
          return new Promise((_, reject) => {
            if (signal?.aborted) reject(new Error('aborted'));
            signal?.addEventListener('abort', () => reject(new Error('aborted')));
          });
        }),
    });
    expect(h.running.mode).toBe('polling');
    expect(h.running.webhook).toBeUndefined();
    expect(h.fake.callsOf('deleteWebhook')).toHaveLength(1);
    // Wait for the answer: the emulator emits when the bot's message arrives.
    if (h.sent(1201).length === 0) await h.server.waitBotMessage();
    expect(visibleText(h.sent(1201)[0]!.text)).toContain((await h.engine.ask('今年新增多少托位')).answer);
    expect(h.logs.some((l) => l.msg === 'telegram bot started' && l.mode === 'polling')).toBe(true);
    await h.running.stop();
    // The second poll asked for updates after the one handled.
    expect(offsets.slice(0, 2)).toEqual([0, 5002]);
  });
});

describe('rate limit', () => {
  it('answers `limit` questions per window, sends one polite notice, counts every refusal', async () => {
    h = await Harness.start({ rateLimit: { limit: 2, windowMs: 60_000 } });
    const user = h.user({ userId: 1301 });
    const replies: string[][] = [];
    for (const q of ['今年新增多少托位', '加装电梯多少部', '营商环境', '今年新增多少托位']) {
      replies.push((await user.say(q)).map((m) => visibleText(m.text)));
    }
    expect(replies[0]).toHaveLength(1);
    expect(replies[1]).toHaveLength(1);
    expect(replies[2]).toEqual([messages.rateLimited]);
    expect(replies[3]).toEqual([]);
    const limited = await h.metrics.rateLimited.get();
    expect(limited.values).toEqual([expect.objectContaining({ labels: { channel: 'telegram' }, value: 2 })]);
    // Another user is not affected; commands are not questions.
    expect(await h.user({ userId: 1302 }).say('加装电梯多少部')).toHaveLength(1);
    expect(await user.say('/help', { entities: [{ type: 'bot_command', offset: 0, length: 5 }] })).toHaveLength(1);
  });
});
