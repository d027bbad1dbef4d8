import { connect } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConfig } from '../../src/config.ts';
import { main } from '../../src/main.ts';
import type { RunningWeb } from '../../src/server/index.ts';
import { BlackHole } from '../channels/telegram/helpers/black-hole.ts';
import { ROOT } from '../helpers/engine.ts';
import { captureLogger } from './support.ts';

/** The Telegram webhook refuses a wrong secret before reading the body, and caps the body's size. */
const work = mkdtempSync(join(tmpdir(), 'wp-webhook-'));
let hole: BlackHole;
let web: RunningWeb;

beforeAll(async () => {
  hole = await BlackHole.start();
  const config = createConfig({
    DATA_DIR: join(ROOT, 'data'),
    INDEX_DIR: join(work, 'index'),
    PORT: '0',
    HOST: '127.0.0.1',
    TELEGRAM_BOT_TOKEN: '123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ-hook',
    TELEGRAM_API_ROOT: hole.url,
    TELEGRAM_WEBHOOK_URL: 'https://bot.example.gov.cn/tg/hook',
    TELEGRAM_WEBHOOK_SECRET: 'the-right-secret',
    WATCH_REPORTS: 'false',
  });
  const c = { ...config, paths: { ...config.paths, database: join(work, 'log.sqlite') } };
  web = await main(c, captureLogger('warn').logger);
}, 60_000);
afterAll(async () => {
  await web?.stop();
  await hole?.close();
  rmSync(work, { recursive: true, force: true });
});

function post(headers: string, body: Buffer): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve) => {
    let text = '';
    let closed = false;
    const s = connect(web.port, '127.0.0.1', () => {
      s.write(headers);
      s.write(body);
    });
    s.on('data', (d) => (text += d));
    s.on('end', () => (closed = true));
    s.on('error', () => undefined);
    s.on('close', () => resolve({ text, closed }));
    setTimeout(() => s.destroy(), 3000);
  });
}

describe('Telegram webhook', () => {
  it('a wrong or missing secret gets 401 at once, without the body being read, and the connection closes', async () => {
    for (const secret of ['wrong', '']) {
      const head = `POST /tg/hook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 900000\r\n${secret ? `X-Telegram-Bot-Api-Secret-Token: ${secret}\r\n` : ''}\r\n`;
      const r = await post(head, Buffer.alloc(4096, 0x20));
      expect(r.text).toMatch(/^HTTP\/1\.1 401/);
      expect(r.closed).toBe(true);
    }
  });

  it('a body over 1 MB is refused with 413 even with the right secret', async () => {
    const head = `POST /tg/hook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 104857600\r\nX-Telegram-Bot-Api-Secret-Token: the-right-secret\r\n\r\n`;
    const r = await post(head, Buffer.alloc(4096, 0x20));
    expect(r.text).toMatch(/^HTTP\/1\.1 413/);
    expect(r.closed).toBe(true);
  });
});
