import { generatePassword, hashPassword } from './password.ts';
import { ACCOUNT_NAME, AccountExists, ROLES, type AdminStore, type Role } from './store.ts';

/**
 * What `npm run admin` does, apart from the command line so tests call it directly. Each returns the
 * exit code: 0 done, 1 refused (an account that exists or does not), 2 a wrong argument.
 */

export interface Output {
  out(s: string): void;
  err(s: string): void;
  /** Given (--password-stdin) instead of generated. */
  password?: string;
}

export const MIN_PASSWORD = 10;
const MAX_PASSWORD = 1024;

function checkName(name: string, o: Output): boolean {
  if (ACCOUNT_NAME.test(name)) return true;
  o.err('账号名只能由文字、数字、下划线、点和连字符组成,最多 32 个字符。\n');
  return false;
}

/** The password given, checked, or a generated one; undefined (said why) when the given one is unusable. */
function passwordOf(o: Output): { password: string; generated: boolean } | undefined {
  if (o.password === undefined) return { password: generatePassword(), generated: true };
  const chars = [...o.password].length;
  if (chars < MIN_PASSWORD || chars > MAX_PASSWORD || /[\u0000-\u001f\u007f]/.test(o.password)) {
    o.err(`密码需 ${MIN_PASSWORD}–${MAX_PASSWORD} 个字符,且不能含控制字符(标准输入只读一行)。\n`);
    return undefined;
  }
  return { password: o.password, generated: false };
}

function showGenerated(name: string, password: string, o: Output): void {
  o.out(`账号 ${name} 的密码(只显示这一次,请妥善转交):\n${password}\n`);
}

export async function addAccount(store: AdminStore, name: string, role: string, o: Output): Promise<number> {
  if (!checkName(name, o)) return 2;
  if (!ROLES.includes(role as Role)) {
    o.err('角色只能是 admin(管理报告和账号)或 reviewer(只看问题和反馈)。\n');
    return 2;
  }
  const p = passwordOf(o);
  if (!p) return 2;
  try {
    await store.addAccount(name, role as Role, await hashPassword(p.password));
  } catch (err) {
    if (!(err instanceof AccountExists)) throw err;
    o.err(`账号 ${name} 已存在。要换密码请用:npm run admin -- reset ${name}\n`);
    return 1;
  }
  o.out(`已新建账号 ${name}(${role})。\n`);
  if (p.generated) showGenerated(name, p.password, o);
  return 0;
}

export async function resetAccount(store: AdminStore, name: string, o: Output): Promise<number> {
  if (!checkName(name, o)) return 2;
  const p = passwordOf(o);
  if (!p) return 2;
  if (!(await store.setPassword(name, await hashPassword(p.password)))) {
    o.err(`没有账号 ${name}。已有账号见:npm run admin -- list\n`);
    return 1;
  }
  o.out(`已重置账号 ${name} 的密码。该账号已登录的会话随即失效。\n`);
  if (p.generated) showGenerated(name, p.password, o);
  return 0;
}

export async function removeAccount(store: AdminStore, name: string, o: Output): Promise<number> {
  if (!(await store.removeAccount(name))) {
    o.err(`没有账号 ${name}。已有账号见:npm run admin -- list\n`);
    return 1;
  }
  o.out(`已删除账号 ${name}。\n`);
  return 0;
}

export async function listAccounts(store: AdminStore, o: Output): Promise<number> {
  const all = await store.listAccounts();
  if (!all.length) {
    o.out('还没有账号。新建第一个管理员:npm run admin -- add 名字 --role admin\n');
    return 0;
  }
  for (const a of all) o.out(`${a.name}\t${a.role}\t建于 ${new Date(a.createdAt).toISOString().slice(0, 10)}\t改于 ${new Date(a.updatedAt).toISOString().slice(0, 10)}\n`);
  return 0;
}
