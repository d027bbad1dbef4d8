import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { createSharedState, type SharedState } from '../../src/shared/state.ts';
import { silentLogger } from '../server/support.ts';
import { call, FIXTURES, signIn, startConsole, type ConsoleServer } from './support.ts';

/**
 * The console as deployed: sessions accepted by every replica (Redis), the cookie and the origin
 * behind an https PUBLIC_URL, and report uploads past the app's 1 MB body limit up to the 50 MB of
 * `npm run add`, refused beyond it before the body is read.
 */

const started: ConsoleServer[] = [];
const states: SharedState[] = [];
afterAll(async () => {
  for (const s of started.reverse()) await s.stop();
  for (const s of states) await s.close();
});

describe('two replicas sharing Redis', () => {
  it('a session made on one is accepted by the other, and signing out on either ends it on both', async () => {
    const prefix = `test:console:${randomBytes(6).toString('hex')}:`;
    const state = () => {
      const s = createSharedState({ redisUrl: 'redis://127.0.0.1:6379', prefix, logger: silentLogger });
      states.push(s);
      return s;
    };
    const a = await startConsole({ state: state() });
    started.push(a);
    const b = await startConsole({ state: state(), shared: { dir: a.dir } });
    started.push(b);
    await a.addAccount('clerk', 'admin', 'right-password-1');
    const client = (await signIn(a.url, 'clerk', 'right-password-1')).client!;
    // The other replica has another port, so another origin: the page would be behind one address.
    const onB = await call(b.url, '/api/admin/session', client);
    expect(onB.status).toBe(200);
    expect(((await onB.json()) as any).name).toBe('clerk');
    const out = await fetch(`${b.url}/api/admin/session`, { method: 'DELETE', headers: { Origin: b.url, Cookie: client.cookie, 'X-CSRF-Token': client.csrf } });
    expect(out.status).toBe(200);
    expect((await call(a.url, '/api/admin/session', client)).status).toBe(401);
  }, 180_000);
});

describe('behind https (PUBLIC_URL)', () => {
  it('the cookie is Secure with the __Host- prefix, and only the public origin may change anything', async () => {
    const web = await startConsole({ publicUrl: 'https://bot.example.gov.cn' });
    started.push(web);
    await web.addAccount('clerk', 'admin', 'right-password-1');
    const own = await signIn(web.url, 'clerk', 'right-password-1', { Origin: 'https://bot.example.gov.cn' });
    expect(own.res.status).toBe(200);
    const set = own.res.headers.get('set-cookie')!;
    expect(set).toMatch(/^__Host-workplan_admin=/);
    expect(set).toMatch(/; Secure/i);
    expect(set).toMatch(/HttpOnly/i);
    // The loopback address the request came in on is not the console's origin.
    expect((await signIn(web.url, 'clerk', 'right-password-1')).res.status).toBe(403);
    const client = own.client!;
    const del = (origin: string) =>
      fetch(`${web.url}/api/admin/session`, { method: 'DELETE', headers: { Origin: origin, Cookie: client.cookie, 'X-CSRF-Token': client.csrf } });
    expect((await del('http://bot.example.gov.cn')).status).toBe(403);
    expect((await del('https://bot.example.gov.cn')).status).toBe(200);
  }, 120_000);
});

describe('upload sizes', () => {
  it('a 1.5 MB report is read (the app\'s 1 MB limit does not apply); over 50 MB is refused with 413 before the body is read', async () => {
    const web = await startConsole();
    started.push(web);
    await web.addAccount('clerk', 'admin', 'right-password-1');
    const client = (await signIn(web.url, 'clerk', 'right-password-1')).client!;
    const text = readFileSync(join(FIXTURES, '2026_吉林省_政府工作报告.txt'), 'utf8');
    let big = text;
    for (let i = 1; Buffer.byteLength(big) < 1.5 * 1024 * 1024; i++) big += `\n附件${i}:${text.slice(2000, 6000).replace(/\n/g, '')}`;
    const form = new FormData();
    form.set('file', new Blob([big]), '吉林省政府工作报告.txt');
    const res = await call(web.url, '/api/admin/reports/preview', client, { method: 'POST', body: form });
    expect(res.status).toBe(200);
    expect(((await res.json()) as any).region).toBe('吉林省');

    // Announced as 60 MB: answered at once, without waiting for (or reading) the body.
    const { port } = new URL(web.url);
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/api/admin/reports',
        headers: {
          Origin: web.url,
          Cookie: client.cookie,
          'X-CSRF-Token': client.csrf,
          'Content-Type': 'multipart/form-data; boundary=x',
          'Content-Length': String(60 * 1024 * 1024),
        },
      });
      req.on('response', (r) => {
        resolve(r.statusCode ?? 0);
        req.destroy();
      });
      req.on('error', reject);
      req.write('--x\r\n');
    });
    expect(status).toBe(413);
  }, 120_000);
});

describe('npm start (runWeb)', () => {
  it('serves the console over the query log\'s store: an account made by `npm run admin` signs in and sees the reports', async () => {
    const { mkdtempSync, mkdirSync, copyFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { createConfig } = await import('../../src/config.ts');
    const { runWeb } = await import('../../src/server/index.ts');
    const { SqliteAdminStore } = await import('../../src/admin/store.ts');
    const { hashPassword } = await import('../../src/admin/password.ts');
    const { ROOT } = await import('../helpers/engine.ts');
    const dir = mkdtempSync(join(tmpdir(), 'wp-console-start-'));
    mkdirSync(join(dir, 'reports'));
    copyFileSync(join(FIXTURES, '2026_广东省_政府工作报告.txt'), join(dir, 'reports', 'guangdong.txt'));
    const store = SqliteAdminStore.open(join(dir, 'workplan.sqlite'));
    await store.addAccount('clerk', 'admin', await hashPassword('right-password-1'));
    await store.close();
    const web = await runWeb(createConfig({ DATA_DIR: dir, DICT_DIR: join(ROOT, 'data/dict'), PORT: '0', HOST: '127.0.0.1', WATCH_REPORTS: 'false' }), silentLogger);
    try {
      const page = await fetch(`${web.url}/admin`, { redirect: 'manual' });
      expect(page.status).toBe(303);
      const client = (await signIn(web.url, 'clerk', 'right-password-1')).client!;
      const res = await call(web.url, '/api/admin/reports', client);
      expect(res.status).toBe(200);
      expect(((await res.json()) as any).reports.map((r: any) => r.id)).toEqual(['guangdong-2026']);
      const html = await call(web.url, '/admin', client);
      expect(html.status).toBe(200);
      expect(html.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
      expect(await html.text()).toContain('管理后台');
    } finally {
      await web.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('the store going away', () => {
  it('a signed-in request and a sign-in get 503 with a Chinese sentence, never an internal', async () => {
    const web = await startConsole();
    started.push(web);
    await web.addAccount('clerk', 'admin', 'right-password-1');
    const client = (await signIn(web.url, 'clerk', 'right-password-1')).client!;
    await web.store.close();
    const listed = await call(web.url, '/api/admin/reports', client);
    const signedIn = await signIn(web.url, 'clerk', 'right-password-1');
    for (const [res, body] of [[listed, await listed.json()], [signedIn.res, signedIn.body]] as const) {
      expect(res.status).toBe(503);
      expect((body as any).error.message).toBe('账号服务暂时不可用,请稍后再试');
    }
  }, 120_000);
});
