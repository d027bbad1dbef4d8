import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { generatePassword, hashPassword, verifyPassword } from '../../src/admin/password.ts';
import { PostgresAdminStore, SqliteAdminStore } from '../../src/admin/store.ts';
import { runCli } from '../helpers/cli.ts';

/** Console accounts: the password hashes, and `npm run admin` against the real SQLite file and PostgreSQL. */

describe('password hashes', () => {
  it('verify the password they were made from and reject any other; the same password hashes differently each time', async () => {
    const a = await hashPassword('正确的密码 horse battery');
    const b = await hashPassword('正确的密码 horse battery');
    expect(a).not.toBe(b);
    expect(a).toMatch(/^scrypt\$N=32768,r=8,p=1\$[\w-]{22}\$[\w-]{43}$/);
    expect(await verifyPassword('正确的密码 horse battery', a)).toBe(true);
    expect(await verifyPassword('正确的密码 horse batterY', a)).toBe(false);
    expect(await verifyPassword('', a)).toBe(false);
    // A tampered row is a failed sign-in, not an error (nor a huge scrypt).
    expect(await verifyPassword('x', 'plain-text')).toBe(false);
    expect(await verifyPassword('x', a.replace('N=32768', 'N=1073741824'))).toBe(false);
  });

  it('generated passwords are long and without look-alike characters', () => {
    const p = generatePassword();
    expect(p).toHaveLength(20);
    expect(p).not.toMatch(/[0O1lI]/);
    expect(new Set(Array.from({ length: 50 }, () => generatePassword())).size).toBe(50);
  });
});

describe('npm run admin (the real command line, SQLite)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wp-admin-cli-'));
  const env = { DATA_DIR: dir };
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const store = () => SqliteAdminStore.open(join(dir, 'workplan.sqlite'));

  it('add prints a generated password once, and that password signs in', async () => {
    const r = await runCli(['admin', 'add', '王科长', '--role', 'admin'], { env });
    expect(r.code).toBe(0);
    const password = /只显示这一次[^\n]*\n(\S+)\n/.exec(r.stdout)?.[1];
    expect(password).toHaveLength(20);
    const s = store();
    const account = await s.account('王科长');
    await s.close();
    expect(account?.role).toBe('admin');
    expect(account?.passwordHash).not.toContain(password!);
    expect(await verifyPassword(password!, account!.passwordHash)).toBe(true);
  });

  it('--password-stdin takes the password from standard input and prints none', async () => {
    const r = await runCli(['admin', 'add', 'reader', '--role', 'reviewer', '--password-stdin'], { env, input: 'a-long-password-9\n' });
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('a-long-password-9');
    const s = store();
    expect(await verifyPassword('a-long-password-9', (await s.account('reader'))!.passwordHash)).toBe(true);
    await s.close();
    const short = await runCli(['admin', 'add', 'short', '--role', 'reviewer', '--password-stdin'], { env, input: 'abc\n' });
    expect(short.code).toBe(2);
    expect(short.stderr).toMatch(/密码需 10/);
  });

  it('a taken name, an unknown role or a bad name is refused with a reason and changes nothing', async () => {
    const taken = await runCli(['admin', 'add', '王科长', '--role', 'reviewer'], { env });
    expect(taken.code).toBe(1);
    expect(taken.stderr).toMatch(/已存在/);
    const role = await runCli(['admin', 'add', 'x', '--role', 'root'], { env });
    expect(role.code).toBe(2);
    expect(role.stderr).toMatch(/admin.*reviewer/);
    const name = await runCli(['admin', 'add', '<script>', '--role', 'admin'], { env });
    expect(name.code).toBe(2);
    const s = store();
    expect((await s.listAccounts()).map((a) => `${a.name}:${a.role}`)).toEqual(['reader:reviewer', '王科长:admin']);
    await s.close();
  });

  it('reset gives a new password (the old one stops working); list shows the accounts; remove removes', async () => {
    let s = store();
    const before = (await s.account('王科长'))!;
    await s.close();
    const r = await runCli(['admin', 'reset', '王科长'], { env });
    expect(r.code).toBe(0);
    const fresh = /只显示这一次[^\n]*\n(\S+)\n/.exec(r.stdout)![1]!;
    s = store();
    const after = (await s.account('王科长'))!;
    await s.close();
    expect(await verifyPassword(fresh, after.passwordHash)).toBe(true);
    expect(after.updatedAt).toBeGreaterThan(before.updatedAt);
    expect(after.passwordHash).not.toBe(before.passwordHash);

    const list = await runCli(['admin', 'list'], { env });
    expect(list.stdout.split('\n').filter(Boolean).map((l) => l.split('\t').slice(0, 2).join(' '))).toEqual(['reader reviewer', '王科长 admin']);
    expect(list.stdout).not.toMatch(/scrypt/);

    expect((await runCli(['admin', 'remove', 'reader'], { env })).code).toBe(0);
    const gone = await runCli(['admin', 'remove', 'reader'], { env });
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/没有账号 reader/);
    expect((await runCli(['admin', 'reset', 'reader'], { env })).code).toBe(1);
  });
});

describe('the same accounts in PostgreSQL (DATABASE_URL)', () => {
  const db = `wp_admin_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/test' });
  afterAll(async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`).catch(() => {});
    await admin.end();
  });

  it('npm run admin writes accounts there; the store reads them, and writes and reads the audit log', async () => {
    await admin.connect();
    await admin.query(`CREATE DATABASE ${db}`);
    const url = `postgres://postgres@127.0.0.1:5432/${db}`;
    const r = await runCli(['admin', 'add', 'pgadmin', '--role', 'admin', '--password-stdin'], { env: { DATABASE_URL: url, DATA_DIR: tmpdir() }, input: 'pg-password-12' });
    expect(r.code, r.stderr).toBe(0);
    const store = await PostgresAdminStore.open(url);
    try {
      const account = (await store.account('pgadmin'))!;
      expect(await verifyPassword('pg-password-12', account.passwordHash)).toBe(true);
      expect(await store.setPassword('pgadmin', await hashPassword('pg-password-13'))).toBe(true);
      expect((await store.account('pgadmin'))!.updatedAt).toBeGreaterThan(account.updatedAt);
      await store.audit({ actor: 'pgadmin', action: 'report.add', target: 'jilin-2026', address: '203.0.113.5' });
      expect((await store.auditLog())[0]).toMatchObject({ actor: 'pgadmin', action: 'report.add', target: 'jilin-2026', address: '203.0.113.5' });
      expect((await store.addedBy()).get('jilin-2026')?.actor).toBe('pgadmin');
      expect(await store.questions({ refused: true, vote: 'down', channel: 'web' })).toEqual([]);
      // Two questions late on 5 March in Beijing (UTC 16:30 and 15:30): one day, one of them refused and voted down.
      const db = new pg.Client({ connectionString: url });
      await db.connect();
      await db.query(`INSERT INTO queries (id, at, channel, question, found, latency_ms, reason, rule) VALUES
        (gen_random_uuid(), '2026-03-05T15:30:00Z', 'web', '今年目标', true, 3, NULL, NULL),
        (gen_random_uuid(), '2026-03-04T16:30:00Z', 'wecom', '=1+1', false, 2, 'not-found', 'not-found')`);
      await db.query(`INSERT INTO feedback (id, at, channel, question, vote) VALUES (gen_random_uuid(), now(), 'wecom', '=1+1', 'down')`);
      await db.end();
      expect(await store.daily()).toEqual([{ day: '2026-03-05', asked: 2, refused: 1 }]);
      const down = await store.questions({ refused: true, vote: 'down' });
      expect(down.map((q) => [q.question, q.channel, q.rule, q.down])).toEqual([['=1+1', 'wecom', 'not-found', 1]]);
      expect((await store.questions({ channel: 'web' })).map((q) => q.question)).toEqual(['今年目标']);
      // The most asked, by normalised text: '今年目标' and ' 今年目标？' are one question, named by its
      // most asked spelling (here a tie: the latest), normalised (NFKC: ？ is ?).
      const more = new pg.Client({ connectionString: url });
      await more.connect();
      await more.query(`INSERT INTO queries (id, at, channel, question, found, latency_ms) VALUES (gen_random_uuid(), '2026-03-05T15:40:00Z', 'web', ' 今年目标？', true, 3)`);
      await more.end();
      expect(await store.topQuestions()).toEqual([
        { question: '今年目标?', count: 2, refused: 0, lastAt: Date.parse('2026-03-05T15:40:00Z') },
        { question: '=1+1', count: 1, refused: 1, lastAt: Date.parse('2026-03-04T16:30:00Z') },
      ]);
      expect(await store.topQuestions({ channel: 'wecom' })).toEqual([{ question: '=1+1', count: 1, refused: 1, lastAt: Date.parse('2026-03-04T16:30:00Z') }]);
      expect(await store.topQuestions({ from: Date.parse('2026-03-06T00:00:00+08:00') })).toEqual([]);
      expect((await runCli(['admin', 'remove', 'pgadmin'], { env: { DATABASE_URL: url } })).code).toBe(0);
      expect(await store.account('pgadmin')).toBeUndefined();
    } finally {
      await store.close();
    }
  });
});
