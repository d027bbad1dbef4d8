import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccessTokenCache } from '../../../src/channels/wechat/access-token.ts';
import { createCustomerService } from '../../../src/channels/wechat/customer-service.ts';
import { WechatApiError } from '../../../src/channels/wechat/errors.ts';
import { ExpiringMap } from '../../../src/channels/wechat/expiring-map.ts';
import { createSharedState, MemoryState, type SharedState } from '../../../src/shared/state.ts';
import { startRedis } from '../../helpers/redis.ts';
import { captureLogger, clock, deferred, FakePlatformApi } from './helpers.ts';

/** A lease's steps, the same in memory and in Redis: the claim on a delivery while it is answered. */
async function leaseSteps(state: SharedState): Promise<void> {
  expect(await state.claim('lease', 'pending:mine', 4000)).toBe(true);
  expect(await state.claim('lease', 'pending:theirs', 4000)).toBe(false);
  expect(await state.renew('lease', 'pending:theirs', 4000)).toBe(false);
  expect(await state.renew('lease', 'pending:mine', 4000)).toBe(true);
  expect(await state.replace('lease', 'pending:theirs', 'their outcome', 60_000)).toBe(false);
  expect(await state.get('lease')).toBe('pending:mine');
  expect(await state.replace('lease', 'pending:mine', 'my outcome', 60_000)).toBe(true);
  expect(await state.get('lease')).toBe('my outcome');
  // A heartbeat arriving after the outcome never touches it; nor does another holder's outcome.
  expect(await state.renew('lease', 'pending:mine', 4000)).toBe(false);
  expect(await state.replace('lease', 'pending:theirs', 'their outcome', 60_000)).toBe(false);
  expect(await state.get('lease')).toBe('my outcome');
  // A lease that lapsed with nobody taking it over: the outcome is still written.
  expect(await state.replace('lapsed', 'pending:mine', 'my outcome', 60_000)).toBe(true);
  expect(await state.get('lapsed')).toBe('my outcome');
}

describe('shared state: leases (claim, renew, replace)', () => {
  it('in memory: renewed while held, lapses when not, then claimable by the next caller', async () => {
    const c = clock();
    const state = new MemoryState({ now: c.now });
    await leaseSteps(state);
    expect(await state.claim('k', 'pending:a', 4000)).toBe(true);
    c.t += 3000;
    expect(await state.renew('k', 'pending:a', 4000)).toBe(true);
    c.t += 3999;
    expect(await state.get('k')).toBe('pending:a');
    expect(await state.claim('k', 'pending:b', 4000)).toBe(false);
    c.t += 1;
    expect(await state.renew('k', 'pending:a', 4000)).toBe(false);
    expect(await state.claim('k', 'pending:b', 4000)).toBe(true);
    expect(await state.replace('k', 'pending:a', 'late outcome of a', 60_000)).toBe(false);
    expect(await state.get('k')).toBe('pending:b');
  });

  it('in Redis: the same, across two clients; the outcome gets its own time to live', async () => {
    const redis = await startRedis();
    const { logger } = captureLogger();
    const prefix = `test:lease:${process.pid}:`;
    const a = createSharedState({ redisUrl: redis.url, prefix, logger });
    const b = createSharedState({ redisUrl: redis.url, prefix, logger });
    try {
      await leaseSteps(a);
      expect(await a.redis!.pttl(`${prefix}lease`)).toBeGreaterThan(50_000);

      expect(await a.claim('k', 'pending:a', 300)).toBe(true);
      await sleep(200);
      expect(await a.renew('k', 'pending:a', 300)).toBe(true);
      await sleep(200); // 400 ms after the claim: alive only because it was renewed
      expect(await b.claim('k', 'pending:b', 300)).toBe(false);
      await sleep(300);
      expect(await a.renew('k', 'pending:a', 300)).toBe(false);
      expect(await b.claim('k', 'pending:b', 300)).toBe(true);
      expect(await a.replace('k', 'pending:a', 'late outcome of a', 60_000)).toBe(false);
      expect(await b.get('k')).toBe('pending:b');
      expect(a.healthy() && b.healthy()).toBe(true);
    } finally {
      await a.close();
      await b.close();
      await redis.stop();
    }
  });
});

describe('ExpiringMap', () => {
  it('forgets entries after their time to live', () => {
    const c = clock();
    const map = new ExpiringMap<string, number>({ ttlMs: 60_000, maxSize: 10, now: c.now });
    map.set('a', 1);
    c.t += 59_999;
    expect(map.get('a')).toBe(1);
    c.t += 1;
    expect(map.get('a')).toBeUndefined();
  });

  it('stays within its size, dropping the oldest first and sweeping expired entries on write', () => {
    const c = clock();
    const map = new ExpiringMap<number, number>({ ttlMs: 1000, maxSize: 3, now: c.now });
    for (let i = 0; i < 10; i++) map.set(i, i);
    expect(map.size).toBe(3);
    expect([map.get(6), map.get(7), map.get(9)]).toEqual([undefined, 7, 9]);
    c.t += 1000;
    map.set(100, 100);
    expect(map.size).toBe(1);
  });

  it('refreshes the time to live of an entry set again', () => {
    const c = clock();
    const map = new ExpiringMap<string, number>({ ttlMs: 1000, maxSize: 10, now: c.now });
    map.set('a', 1);
    c.t += 900;
    map.set('a', 2);
    c.t += 900;
    expect(map.get('a')).toBe(2);
  });
});

describe('AccessTokenCache', () => {
  it('shares one refresh among concurrent callers and does not cache failures', async () => {
    const c = clock();
    let calls = 0;
    const pending = deferred<{ token: string; expiresIn: number }>();
    const cache = new AccessTokenCache(() => {
      calls++;
      return calls === 1 ? pending.promise : Promise.reject(new Error('down'));
    }, c.now);
    const all = Promise.all([cache.get(), cache.get(), cache.get()]);
    pending.resolve({ token: 't1', expiresIn: 7200 });
    expect(await all).toEqual(['t1', 't1', 't1']);
    expect(calls).toBe(1);

    await cache.invalidate('t1');
    await expect(cache.get()).rejects.toThrow('down');
    await expect(cache.get()).rejects.toThrow('down');
    expect(calls).toBe(3);
  });

  it('invalidates only the token that was rejected', async () => {
    const c = clock();
    let n = 0;
    const cache = new AccessTokenCache(async () => ({ token: `t${++n}`, expiresIn: 7200 }), c.now);
    expect(await cache.get()).toBe('t1');
    await cache.invalidate('t1');
    expect(await cache.get()).toBe('t2');
    await cache.invalidate('t1');
    expect(await cache.get()).toBe('t2');
  });

  it('replicas sharing one state fetch one token: the others wait for the refresh instead of refreshing again', async () => {
    const c = clock();
    const state = new MemoryState({ now: c.now });
    let calls = 0;
    const pending = deferred<{ token: string; expiresIn: number }>();
    const issue = () => {
      calls++;
      return calls === 1 ? pending.promise : Promise.resolve({ token: `t${calls}`, expiresIn: 7200 });
    };
    const a = new AccessTokenCache(issue, c.now, { state, key: 'wechat:token:wxAPP' });
    const b = new AccessTokenCache(issue, c.now, { state, key: 'wechat:token:wxAPP' });
    const both = Promise.all([a.get(), b.get()]);
    await new Promise((r) => setTimeout(r, 250)); // b polls for a's token meanwhile
    pending.resolve({ token: 't1', expiresIn: 7200 });
    expect(await both).toEqual(['t1', 't1']);
    expect(calls).toBe(1);

    // b sees the token rejected: a picks up b's replacement instead of fetching its own.
    await b.invalidate('t1');
    expect(await b.get()).toBe('t2');
    await a.invalidate('t1');
    expect(await a.get()).toBe('t2');
    expect(calls).toBe(2);
    // Another credential is another key.
    expect(await new AccessTokenCache(issue, c.now, { state, key: 'wechat:token:wxOTHER' }).get()).toBe('t3');
  });
});

describe('customer-service API client (loopback fake platform)', () => {
  const api = new FakePlatformApi();
  beforeAll(() => api.start());
  afterAll(() => api.close());

  it('Official Account: fetches the token once, caches it, and refreshes 5 minutes before expiry', async () => {
    const c = clock();
    const before = api.of('/cgi-bin/token').length;
    const cs = createCustomerService({
      credentials: { platform: 'wechat', appId: 'wxAPP', secret: 's3cret' },
      apiRoot: api.url,
      now: c.now,
    });
    await Promise.all([cs.sendText('o_a', '一'), cs.sendText('o_b', '二'), cs.sendText('o_c', '三')]);
    const tokens = api.of('/cgi-bin/token').slice(before);
    expect(tokens).toHaveLength(1);
    expect(tokens[0]!.query).toEqual({ grant_type: 'client_credential', appid: 'wxAPP', secret: 's3cret' });
    const sends = api.requests.filter((r) => r.path === '/cgi-bin/message/custom/send' && (r.body as { touser: string }).touser === 'o_b');
    expect(sends).toHaveLength(1);
    expect(sends[0]!.method).toBe('POST');
    expect(sends[0]!.body).toEqual({ touser: 'o_b', msgtype: 'text', text: { content: '二' } });
    const token = sends[0]!.query['access_token'];

    c.t += (7200 - 300) * 1000 - 1;
    await cs.sendText('o_a', '四');
    expect(api.of('/cgi-bin/token').length - before).toBe(1);
    c.t += 1;
    await cs.sendText('o_a', '五');
    expect(api.of('/cgi-bin/token').length - before).toBe(2);
    const last = api.of('/cgi-bin/message/custom/send').at(-1)!;
    expect(last.query['access_token']).not.toBe(token);
  });

  it('WeCom: refreshes once on 40001 and retries the send', async () => {
    const c = clock();
    const cs = createCustomerService({
      credentials: { platform: 'wecom', corpId: 'wwCORP', secret: 'corp-secret', agentId: '1000002' },
      apiRoot: api.url,
      now: c.now,
    });
    await cs.sendText('zhangsan', '预热');
    const first = api.of('/cgi-bin/message/send').at(-1)!;
    const stale = first.query['access_token']!;
    expect(api.of('/cgi-bin/gettoken').at(-1)!.query).toEqual({ corpid: 'wwCORP', corpsecret: 'corp-secret' });
    expect(first.body).toEqual({ touser: 'zhangsan', msgtype: 'text', agentid: 1000002, text: { content: '预热' }, safe: 0 });

    api.rejected.add(stale);
    const tokenCalls = api.of('/cgi-bin/gettoken').length;
    const sendCalls = api.of('/cgi-bin/message/send').length;
    await cs.sendText('zhangsan', '托位');
    expect(api.of('/cgi-bin/gettoken').length).toBe(tokenCalls + 1);
    const sends = api.of('/cgi-bin/message/send').slice(sendCalls);
    expect(sends.map((s) => s.query['access_token'] === stale)).toEqual([true, false]);
  });

  it('gives up after one refresh and reports the platform error', async () => {
    const c = clock();
    const cs = createCustomerService({
      credentials: { platform: 'wecom', corpId: 'wwCORP2', secret: 'x', agentId: '7' },
      apiRoot: api.url,
      now: c.now,
    });
    // Reject every token this client could get next.
    for (let i = 0; i < 1000; i++) api.rejected.add(`wecom-token-${i}`);
    const error = await cs.sendText('lisi', '你好').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WechatApiError);
    expect(error).toMatchObject({ errcode: 40001, platform: 'wecom' });
    api.rejected.clear();
  });

  it('reports an unreachable API as WechatApiError', async () => {
    const cs = createCustomerService({
      credentials: { platform: 'wechat', appId: 'wx', secret: 's' },
      apiRoot: 'http://127.0.0.1:1',
    });
    await expect(cs.sendText('o', 'x')).rejects.toBeInstanceOf(WechatApiError);
  });
});
