import { afterEach, describe, expect, it } from 'vitest';
import { BlackHole } from './helpers/black-hole.ts';
import { BOT, Harness } from './helpers/harness.ts';
import { visibleText } from './helpers/telegram-html.ts';

/**
 * Start-up and shutdown with a Bot API that accepts connections and never answers (a black hole):
 * the status lines come at once, the attempts go on in the background with backoff, and stopping
 * ends everything pending within a couple of seconds. Then the Bot API comes back.
 */

let h: Harness | undefined;
let hole: BlackHole | undefined;
afterEach(async () => {
  await h?.stop();
  await hole?.close();
  h = undefined;
  hole = undefined;
});

const notReachable = (l: Record<string, any>): boolean => typeof l.msg === 'string' && l.msg.startsWith('Telegram: not reachable yet');

async function timed<T>(task: Promise<T>): Promise<{ value: T; ms: number }> {
  const t0 = Date.now();
  const value = await task;
  return { value, ms: Date.now() - t0 };
}

async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('an unreachable Bot API', () => {
  it('says "connecting…" at once, the reason within the call deadline (5 s), and stops within 2 s', async () => {
    hole = await BlackHole.start();
    const t0 = Date.now();
    h = await Harness.start({ apiRoot: hole.url, waitUntilOn: false });
    // Start does not wait for the Bot API: it is back before the 5 s call deadline could have passed
    // (a busy machine may take a few seconds to build the engine, hence no tighter bound).
    const started = Date.now();
    expect(started - t0).toBeLessThan(4500);
    expect(h.logs.find((l) => l.msg === 'Telegram: connecting…')).toMatchObject({ level: 30, mode: 'webhook' });
    expect(h.telegram.status).toBe('connecting');
    expect(h.telegram.webhook).toBeUndefined();
    // While connecting, the webhook route answers 503 (Telegram delivers again later).
    expect((await h.deliver({ message: { message_id: 1, date: 0, chat: { id: 5, type: 'private', first_name: 'a' }, text: 'hi' } } as never)).status).toBe(503);
    await until(() => hole!.open === 1);

    const line = await h.waitForLog(notReachable, 8000);
    // The reason comes when the call's 5 s deadline runs out: not before, and not long after start.
    expect(Date.now() - t0).toBeGreaterThan(4500);
    expect(Date.now() - started).toBeLessThan(9000);
    expect(line.level).toBe(40);
    expect(line.msg).toMatch(/^Telegram: not reachable yet \(getMe: no answer within 5 s\); retrying in \d+(\.\d)? s$/);
    expect(line.retryInMs).toBeGreaterThanOrEqual(1600);
    expect(line.retryInMs).toBeLessThanOrEqual(2400);
    expect(line.msg).not.toContain(h.token);
    expect(h.telegram.status).toBe('retrying');
    // The request that ran out of time was cut, not left hanging.
    await until(() => hole!.open === 0);

    // Stopping in the wait between attempts cancels the next attempt.
    const before = hole.connections;
    const { ms } = await timed(h.telegram.stop());
    expect(ms).toBeLessThan(2000);
    expect(h.telegram.status).toBe('stopped');
    await expect(h.telegram.ready()).rejects.toThrow(/stopped/);
    await new Promise((r) => setTimeout(r, 2600));
    expect(hole.connections).toBe(before);
  }, 20_000);

  it('retries with exponential backoff up to the cap, and a stop mid-call ends the call and the attempts', async () => {
    hole = await BlackHole.start();
    h = await Harness.start({
      apiRoot: hole.url,
      waitUntilOn: false,
      start: { callTimeoutMs: 200, retry: { initialMs: 50, maxMs: 200, jitter: 0 } },
    });
    await until(() => h!.logs.filter(notReachable).length >= 4);
    expect(h.logs.filter(notReachable).slice(0, 4).map((l) => l.retryInMs)).toEqual([50, 100, 200, 200]);
    expect(h.logs.filter(notReachable).every((l) => /getMe: no answer within 0\.2 s/.test(l.msg))).toBe(true);

    // Stop while a getMe is held by the black hole.
    await until(() => hole!.open === 1);
    const { ms } = await timed(h.telegram.stop());
    expect(ms).toBeLessThan(2000);
    await until(() => hole!.open === 0, 1000);
    const before = hole.connections;
    await new Promise((r) => setTimeout(r, 600));
    expect(hole.connections).toBe(before);
    expect(h.logs.some((l) => l.msg === 'Telegram: stopped before it was on')).toBe(true);
  });

  it('in polling mode, too, stops within 2 s', async () => {
    hole = await BlackHole.start();
    h = await Harness.start({ apiRoot: hole.url, polling: true, waitUntilOn: false, start: { callTimeoutMs: 5000 } });
    expect(h.logs.find((l) => l.msg === 'Telegram: connecting…')).toMatchObject({ mode: 'polling' });
    await until(() => hole!.open === 1);
    const { ms } = await timed(h.telegram.stop());
    expect(ms).toBeLessThan(2000);
    await until(() => hole!.open === 0, 1000);
  });

  it('says why when the Bot API is refused outright, without the token', async () => {
    hole = await BlackHole.start();
    const port = hole.port;
    await hole.close();
    hole = undefined;
    h = await Harness.start({ apiRoot: `http://127.0.0.1:${port}`, waitUntilOn: false, start: { retry: { initialMs: 10_000, maxMs: 10_000, jitter: 0 } } });
    const line = await h.waitForLog(notReachable, 3000);
    expect(line.msg).toBe('Telegram: not reachable yet (getMe: connection refused (ECONNREFUSED)); retrying in 10 s');
    expect(JSON.stringify(h.logs)).not.toContain(h.token);
  });

  it('stops trying when the token is refused (401)', async () => {
    h = await Harness.start({
      waitUntilOn: false,
      configure: (fake) => fake.respondOnce('getMe', { ok: false, error_code: 401, description: 'Unauthorized' }),
    });
    await expect(h.telegram.ready()).rejects.toThrow(/refused the token/);
    expect(h.telegram.status).toBe('off');
    expect(h.logs.find((l) => l.msg.startsWith('Telegram: off'))).toMatchObject({
      level: 50,
      msg: 'Telegram: off, the Bot API refused the token (getMe: 401 Unauthorized); check TELEGRAM_BOT_TOKEN',
    });
    expect(h.logs.some(notReachable)).toBe(false);
    expect(h.fake.callsOf('getMe')).toHaveLength(1);
  });
});

describe('the Bot API comes back', () => {
  it('the background retry brings Telegram on, logs it, and the bot answers', async () => {
    hole = await BlackHole.start();
    h = await Harness.start({
      apiRoot: hole.url,
      waitUntilOn: false,
      start: { callTimeoutMs: 300, retry: { initialMs: 100, maxMs: 400, jitter: 0.2 } },
    });
    await until(() => h!.logs.filter(notReachable).length >= 2);
    expect(h.telegram.status).toBe('retrying');

    hole.answer(Number(new URL(h.server.config.apiURL).port));
    const running = await h.telegram.ready();
    expect(running.username).toBe(BOT.username);
    expect(h.telegram.status).toBe('on');
    expect(h.telegram.username).toBe(BOT.username);
    const on = h.logs.find((l) => l.msg === `Telegram: on, @${BOT.username} (webhook)`);
    expect(on).toMatchObject({ level: 30, username: BOT.username, mode: 'webhook' });
    expect(on!.attempts).toBeGreaterThanOrEqual(3);
    expect(h.fake.callsOf('setWebhook').at(-1)?.payload.url).toBe(h.webhookUrl);

    const sent = await h.user({ userId: 4101 }).say('加装电梯多少部');
    expect(visibleText(sent[0]!.text)).toContain((await h.engine.ask('加装电梯多少部')).answer);
  });

  it('and if it goes away again while a reply is pending, stopping cuts the reply within 2 s', async () => {
    hole = await BlackHole.start();
    h = await Harness.start({ apiRoot: hole.url, waitUntilOn: false });
    hole.answer(Number(new URL(h.server.config.apiURL).port));
    await h.telegram.ready();
    hole.hole();
    // Connections already open through the proxy would still work: drop them, as a lost route would.
    hole.dropAll();
    const reply = h.fake.nextCall('sendMessage');
    const delivered = h.deliver({ message: { message_id: 9, date: 0, chat: { id: 4102, type: 'private', first_name: 'a' }, from: { id: 4102, is_bot: false, first_name: 'a' }, text: '加装电梯多少部' } } as never);
    await reply;
    await until(() => hole!.open >= 1);
    const { ms } = await timed(h.telegram.stop());
    expect(ms).toBeLessThan(2500);
    expect((await delivered).status).toBe(200);
    await until(() => hole!.open === 0, 1000);
    expect(h.logs.some((l) => l.msg === 'telegram updates still in progress at shutdown; cutting their Bot API calls')).toBe(true);
  });

  it('in polling mode, a failed poll is retried after a wait, and stopping ends a held poll or the wait at once', async () => {
    let polls = 0;
    h = await Harness.start({
      polling: true,
      configure: (fake) =>
        fake.handlers.set('getUpdates', (_payload, signal) => {
          polls++;
          if (polls === 1) return Promise.reject(new Error('socket hang up'));
          // Held like a long poll to an unreachable server, until the signal ends it.
          return new Promise((_, reject) => {
            if (signal?.aborted) reject(new Error('aborted'));
            signal?.addEventListener('abort', () => reject(new Error('aborted')));
          });
        }),
    });
    const failed = await h.waitForLog((l) => typeof l.msg === 'string' && l.msg.startsWith('Telegram: polling failed'), 3000);
    expect(failed).toMatchObject({ level: 40, reason: 'socket hang up' });
    expect(failed.retryInMs).toBeGreaterThanOrEqual(800);
    expect(failed.retryInMs).toBeLessThanOrEqual(1200);
    await until(() => polls === 2, 3000);
    expect(h.logs.some((l) => l.msg === 'Telegram: polling again')).toBe(false);
    const { ms } = await timed(h.telegram.stop());
    expect(ms).toBeLessThan(1000);
    expect(h.logs.some((l) => l.msg === 'telegram polling stopped')).toBe(false);
  });
});

