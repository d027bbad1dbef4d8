import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminMessages } from '../../src/admin/messages.ts';
import { call, signIn, startConsole, type Client, type ConsoleServer } from './support.ts';

/**
 * Every /admin and /api/admin route on a real loopback server, against every way in that must be
 * refused: no session, a forged or expired session, a reviewer on an admin route, a request from
 * another origin, a change without the session's CSRF token.
 */

type Role = 'admin' | 'reviewer';
interface Route {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  roles: readonly Role[];
  /** The console page: refused by a redirect to the sign-in page instead of 401. */
  page?: boolean;
  body?: () => BodyInit;
}

const both: readonly Role[] = ['admin', 'reviewer'];
const admin: readonly Role[] = ['admin'];
const upload = (): FormData => {
  const form = new FormData();
  form.set('file', new Blob(['广东省政府工作报告\n'], { type: 'text/plain' }), 'report.txt');
  return form;
};

const ROUTES: readonly Route[] = [
  { method: 'GET', path: '/admin', roles: both, page: true },
  { method: 'GET', path: '/api/admin/session', roles: both },
  { method: 'DELETE', path: '/api/admin/session', roles: both },
  { method: 'GET', path: '/api/admin/reports', roles: admin },
  { method: 'POST', path: '/api/admin/reports/preview', roles: admin, body: upload },
  { method: 'POST', path: '/api/admin/reports', roles: admin, body: upload },
  { method: 'DELETE', path: '/api/admin/reports/guangdong-2026', roles: admin },
  { method: 'GET', path: '/api/admin/questions', roles: both },
  { method: 'GET', path: '/api/admin/questions/top', roles: both },
  { method: 'GET', path: '/api/admin/questions?refused=1&vote=down&format=csv', roles: both },
  { method: 'GET', path: '/api/admin/audit', roles: admin },
];

const PASSWORD = { admin: 'admin-password-1', reviewer: 'reviewer-password-1' };

let web: ConsoleServer;

beforeAll(async () => {
  web = await startConsole();
  await web.addAccount('管理员', 'admin', PASSWORD.admin);
  await web.addAccount('reviewer', 'reviewer', PASSWORD.reviewer);
}, 120_000);
afterAll(async () => web?.stop());

const session = async (role: Role): Promise<Client> => (await signIn(web.url, role === 'admin' ? '管理员' : 'reviewer', PASSWORD[role])).client!;
const send = (r: Route, client: Client | undefined, headers: Record<string, string> = {}): Promise<Response> =>
  call(web.url, r.path, client, { method: r.method, ...(r.body ? { body: r.body() } : {}), headers });

async function expectError(res: Response, status: number, code: string, message?: string): Promise<void> {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  const body = (await res.json()) as { error: { code: string; message: string } };
  expect(body.error.code).toBe(code);
  if (message) expect(body.error.message).toBe(message);
  // A polite Chinese sentence, never an internal.
  expect(body.error.message).toMatch(/[\u4e00-\u9fff]/);
}

describe.each(ROUTES)('$method $path', (route) => {
  it('without a session: 401 (the page: to the sign-in form)', async () => {
    const res = await send(route, undefined, route.method === 'GET' ? {} : { Origin: web.url });
    if (route.page) {
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe('/admin/signin');
    } else await expectError(res, 401, 'unauthorized', adminMessages.signInRequired);
  });

  it('with a forged session cookie: 401', async () => {
    const forged: Client = { cookie: `workplan_admin=${randomBytes(32).toString('base64url')}`, csrf: 'x'.repeat(32) };
    const res = await send(route, forged);
    if (route.page) expect(res.status).toBe(303);
    else await expectError(res, 401, 'session_expired', adminMessages.sessionExpired);
  });

  it.runIf(!route.roles.includes('reviewer'))('with a reviewer session: 403', async () => {
    await expectError(await send(route, await session('reviewer')), 403, 'forbidden', adminMessages.forbidden);
  });

  it.runIf(route.method !== 'GET')('from another origin, with a valid session and token: 403', async () => {
    const client = await session('admin');
    await expectError(await send(route, client, { Origin: 'https://evil.example' }), 403, 'cross_site', adminMessages.crossSite);
    await expectError(await send(route, client, { 'Sec-Fetch-Site': 'cross-site' }), 403, 'cross_site');
    // No Origin at all (a request a browser would have sent with one) is not taken as same-origin.
    const bare = await fetch(`${web.url}${route.path}`, { method: route.method, headers: { Cookie: client.cookie, 'X-CSRF-Token': client.csrf } });
    await expectError(bare, 403, 'cross_site');
  });

  it.runIf(route.method !== 'GET')('same origin but without the CSRF token, or with another session\'s: 403', async () => {
    const client = await session('admin');
    const other = await session('admin');
    await expectError(await send(route, { cookie: client.cookie, csrf: '' }), 403, 'csrf_token', adminMessages.csrf);
    await expectError(await send(route, { cookie: client.cookie, csrf: other.csrf }), 403, 'csrf_token');
  });

  it('an expired session (idle, then past its absolute limit): 401', async () => {
    const client = await session(route.roles.includes('reviewer') ? 'reviewer' : 'admin');
    web.advance(31 * 60_000);
    const res = await send(route, client);
    if (route.page) expect(res.status).toBe(303);
    else await expectError(res, 401, 'session_expired');

    // Used every 20 minutes, it still ends 12 hours after sign-in.
    const busy = await session('admin');
    let last = 0;
    for (let t = 0; t <= 12 * 60; t += 20) {
      last = (await call(web.url, '/api/admin/session', busy)).status;
      if (last !== 200) break;
      web.advance(20 * 60_000);
    }
    expect(last).toBe(401);
  });
});

describe('sign-in', () => {
  it('a wrong pair is 401 with one message whether the name exists or not; a cross-site sign-in is 403', async () => {
    const wrong = await signIn(web.url, '管理员', 'not-the-password', { 'X-Forwarded-For': '1' });
    const nobody = await signIn(web.url, 'nobody', 'not-the-password');
    for (const r of [wrong, nobody]) {
      expect(r.res.status).toBe(401);
      expect(r.body.error.message).toBe(adminMessages.wrongPassword);
      expect(r.res.headers.get('set-cookie')).toBeNull();
    }
    const cross = await signIn(web.url, '管理员', PASSWORD.admin, { Origin: 'https://evil.example' });
    expect(cross.res.status).toBe(403);
    expect(cross.res.headers.get('set-cookie')).toBeNull();
  });

  it('the cookie is HttpOnly, SameSite=Strict, for the whole site; each sign-in gets a new id and the old one ends', async () => {
    const first = await signIn(web.url, '管理员', PASSWORD.admin);
    const set = first.res.headers.get('set-cookie')!;
    expect(set).toMatch(/HttpOnly/i);
    expect(set).toMatch(/SameSite=Strict/i);
    expect(set).toMatch(/Path=\//);
    expect(set).not.toMatch(/Secure/i); // PUBLIC_URL is not https here
    const again = await fetch(`${web.url}/api/admin/session`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Origin: web.url, Cookie: first.client!.cookie },
      body: JSON.stringify({ name: '管理员', password: PASSWORD.admin }),
    });
    const second = again.headers.get('set-cookie')!.split(';')[0]!;
    expect(second).not.toBe(first.client!.cookie);
    expect((await call(web.url, '/api/admin/session', first.client)).status).toBe(401);
    expect((await call(web.url, '/api/admin/session', { cookie: second, csrf: '' })).status).toBe(200);
  });

  it('signing out ends the session on the server, not just in the browser', async () => {
    const client = await session('reviewer');
    const out = await call(web.url, '/api/admin/session', client, { method: 'DELETE' });
    expect(out.status).toBe(200);
    expect(out.headers.get('set-cookie')).toMatch(/workplan_admin=;/);
    expect((await call(web.url, '/api/admin/questions', client)).status).toBe(401);
  });

  it('a password reset or a removed account ends the sessions it had', async () => {
    await web.addAccount('temp', 'admin', 'temp-password-1');
    const client = (await signIn(web.url, 'temp', 'temp-password-1')).client!;
    expect((await call(web.url, '/api/admin/reports', client)).status).toBe(200);
    const { hashPassword } = await import('../../src/admin/password.ts');
    await web.store.setPassword('temp', await hashPassword('temp-password-2'));
    expect((await call(web.url, '/api/admin/reports', client)).status).toBe(401);
    const again = (await signIn(web.url, 'temp', 'temp-password-2')).client!;
    await web.store.removeAccount('temp');
    expect((await call(web.url, '/api/admin/reports', again)).status).toBe(401);
  });

  it('the audit log says who signed in, who failed, when and from where', async () => {
    const client = await session('admin');
    const res = await call(web.url, '/api/admin/audit', client);
    const { entries } = (await res.json()) as { entries: Array<{ actor: string; action: string; address: string; at: string }> };
    expect(entries.some((e) => e.actor === 'nobody' && e.action === 'session.refused')).toBe(true);
    const mine = entries.find((e) => e.actor === '管理员' && e.action === 'session.create')!;
    expect(mine.address).toMatch(/127\.0\.0\.1/);
    expect(Date.now() - Date.parse(mine.at)).toBeLessThan(10 * 60_000);
  });
});
