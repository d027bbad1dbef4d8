import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminMessages } from '../../src/admin/messages.ts';
import { signIn, startConsole, type ConsoleServer } from './support.ts';

/**
 * Guessing passwords: the 6th wrong password in a minute is refused with the limit's message, per
 * account and per address, on one server and across two replicas sharing a Redis key prefix.
 */

const LIMITED = /^登录失败次数过多,请\d+秒后再试$/;

describe('one server (the limits in memory)', () => {
  let web: ConsoleServer;
  beforeAll(async () => {
    web = await startConsole();
    await web.addAccount('clerk', 'admin', 'right-password-1');
    await web.addAccount('other', 'reviewer', 'right-password-2');
  }, 120_000);
  afterAll(async () => web?.stop());

  it('five wrong passwords are 401; the 6th, even the right one, is 429 with the message and Retry-After', async () => {
    for (let i = 0; i < 5; i++) expect((await signIn(web.url, 'clerk', `wrong-${i}`)).res.status).toBe(401);
    const sixth = await signIn(web.url, 'clerk', 'right-password-1');
    expect(sixth.res.status).toBe(429);
    expect(sixth.body.error.message).toMatch(LIMITED);
    expect(sixth.body.error.message).toBe(adminMessages.tooManyAttempts(Number(sixth.res.headers.get('retry-after'))));
    expect(Number(sixth.res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(sixth.res.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect(sixth.res.headers.get('set-cookie')).toBeNull();
  });

  it('the address is limited too: the same client cannot move on to another account', async () => {
    // The address 127.0.0.1 used its five failures above.
    const r = await signIn(web.url, 'other', 'right-password-2');
    expect(r.res.status).toBe(429);
  });
});

describe('attempts at once, and right passwords', () => {
  let web: ConsoleServer;
  beforeAll(async () => {
    web = await startConsole();
    await web.addAccount('burst', 'admin', 'right-password-3');
  }, 120_000);
  afterAll(async () => web?.stop());

  it('right passwords do not use up the limit; twenty wrong ones sent at once: five are checked, fifteen refused', async () => {
    for (let i = 0; i < 8; i++) expect((await signIn(web.url, 'burst', 'right-password-3')).res.status).toBe(200);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => signIn(web.url, 'burst', `wrong-${i}`)));
    const statuses = results.map((r) => r.res.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(15);
  });
});

describe('two replicas sharing Redis', () => {
  const prefix = `test:console:${randomBytes(6).toString('hex')}:`;
  const clients: Redis[] = [];
  const servers: ConsoleServer[] = [];

  beforeAll(async () => {
    for (let i = 0; i < 2; i++) clients.push(new Redis('redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 }));
    servers.push(await startConsole({ redis: clients[0]!, prefix }));
    servers.push(await startConsole({ redis: clients[1]!, prefix, shared: { dir: servers[0]!.dir } }));
    await servers[0]!.addAccount('clerk', 'admin', 'right-password-1');
  }, 180_000);

  afterAll(async () => {
    for (const s of servers.reverse()) await s.stop();
    const keys = await clients[0]!.keys(`${prefix}*`);
    if (keys.length) await clients[0]!.del(...keys);
    for (const c of clients) c.disconnect();
  });

  it('three wrong passwords on one and two on the other: the 6th, on either, is 429', async () => {
    const [a, b] = servers as [ConsoleServer, ConsoleServer];
    for (let i = 0; i < 3; i++) expect((await signIn(a.url, 'clerk', `wrong-${i}`)).res.status).toBe(401);
    for (let i = 0; i < 2; i++) expect((await signIn(b.url, 'clerk', `wrong-b-${i}`)).res.status).toBe(401);
    for (const s of [a, b]) {
      const r = await signIn(s.url, 'clerk', 'right-password-1');
      expect(r.res.status).toBe(429);
      expect(r.body.error.message).toMatch(LIMITED);
    }
    // The counts are in Redis under the deployment's prefix, not in either process.
    expect((await clients[0]!.keys(`${prefix}admin-signin*`)).length).toBeGreaterThanOrEqual(2);
  });
});
