import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDocx, paragraphsOf } from '../helpers/documents.ts';
import { call, FIXTURES, signIn, startConsole, type Client, type ConsoleServer } from './support.ts';

/**
 * The console's reports and questions through /api/admin on a real server: a DOCX previewed (nothing
 * written), its year corrected, added and answered from at once, then removed; files that cannot be
 * added say why and change nothing; the questions' CSV keeps formulas as text.
 */

let web: ConsoleServer;
let admin: Client;
let reviewer: Client;
let jilinDocx: Buffer;

beforeAll(async () => {
  web = await startConsole();
  await web.addAccount('管理员', 'admin', 'admin-password-1');
  await web.addAccount('审核员', 'reviewer', 'reviewer-password-1');
  admin = (await signIn(web.url, '管理员', 'admin-password-1')).client!;
  reviewer = (await signIn(web.url, '审核员', 'reviewer-password-1')).client!;
  jilinDocx = await makeDocx(paragraphsOf(readFileSync(join(FIXTURES, '2026_吉林省_政府工作报告.txt'), 'utf8')), { pageNumbers: true, header: '吉林省政府工作报告' });
}, 120_000);
afterAll(async () => web?.stop());

const form = (file: Blob, name: string, fields: Record<string, string> = {}): FormData => {
  const f = new FormData();
  f.set('file', file, name);
  for (const [k, v] of Object.entries(fields)) f.set(k, v);
  return f;
};
const docx = (fields: Record<string, string> = {}) => form(new Blob([new Uint8Array(jilinDocx)]), '吉林省政府工作报告.docx', fields);
const ask = async (question: string): Promise<any> =>
  (await fetch(`${web.url}/api/ask`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ question }) })).json();
const reportFiles = (): string[] => readdirSync(join(web.dir, 'reports')).sort();

describe('reports', () => {
  it('lists the loaded reports with their parts, paragraphs, file and the reload status', async () => {
    const res = await call(web.url, '/api/admin/reports', admin);
    expect(res.status).toBe(200);
    const { reports, reload } = (await res.json()) as any;
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({ id: 'guangdong-2026', region: '广东省', year: 2026, live: true });
    expect(reports[0].paragraphs).toBeGreaterThan(50);
    expect(reports[0].periods.map((p: any) => p.label)).toContain('2026年工作安排');
    expect(reload).toMatchObject({ building: false });
  });

  it('a preview reads the DOCX (title, region, year and where each came from, chrome dropped, outline, targets) and writes nothing', async () => {
    const before = reportFiles();
    const res = await call(web.url, '/api/admin/reports/preview', admin, { method: 'POST', body: docx({ year: '2025' }) });
    expect(res.status).toBe(200);
    const p = (await res.json()) as any;
    expect(p).toMatchObject({ id: 'jilin-2025', region: '吉林省', year: 2025, format: 'docx', file: '吉林省政府工作报告.docx' });
    expect(p.detectedFrom.year).toBe('given');
    expect(p.detectedFrom.region).toBeTruthy();
    expect(p.outline.length).toBeGreaterThan(3);
    expect(Array.isArray(p.dropped)).toBe(true);
    expect(p.targets.some((t: any) => t.indicator === '地区生产总值')).toBe(true);
    expect(reportFiles()).toEqual(before);
    expect((await ask('吉林今年地区生产总值增长目标是多少')).found).toBe(false);
  });

  it('add (with the year put right) makes it live at once, says who added it; remove takes it away again', async () => {
    const res = await call(web.url, '/api/admin/reports', admin, { method: 'POST', body: docx({ year: '2026', region: '吉林省' }) });
    expect(res.status).toBe(201);
    const { report, live } = (await res.json()) as any;
    expect(live).toBe(true);
    expect(report).toMatchObject({ id: 'jilin-2026', year: 2026, region: '吉林省' });
    const answer = await ask('吉林今年地区生产总值增长目标是多少');
    expect(answer.found).toBe(true);
    expect(answer.citations[0].docId).toBe('jilin-2026');

    const listed = ((await (await call(web.url, '/api/admin/reports', admin)).json()) as any).reports.find((r: any) => r.id === 'jilin-2026');
    expect(listed).toMatchObject({ addedBy: '管理员', live: true, original: { name: '吉林省政府工作报告.docx', format: 'docx' } });

    const removed = await call(web.url, '/api/admin/reports/jilin-2026', admin, { method: 'DELETE' });
    expect(removed.status).toBe(200);
    expect(((await removed.json()) as any).live).toBe(true);
    expect((await ask('吉林今年地区生产总值增长目标是多少')).found).toBe(false);
    expect((await call(web.url, '/api/admin/reports/jilin-2026', admin, { method: 'DELETE' })).status).toBe(404);

    const audit = ((await (await call(web.url, '/api/admin/audit', admin)).json()) as any).entries as any[];
    expect(audit.find((e) => e.action === 'report.add')).toMatchObject({ actor: '管理员', target: 'jilin-2026' });
    expect(audit.find((e) => e.action === 'report.remove')).toMatchObject({ actor: '管理员', target: 'jilin-2026' });
  });

  it.each([
    ['a broken DOCX', () => form(new Blob(['PK\u0003\u0004 not really a zip']), '报告.docx'), 422],
    ['a file of another kind', () => form(new Blob(['MZ\u0090']), 'setup.exe'), 422],
    ['text that is not a work report', () => form(new Blob(['今天天气很好,我们去公园散步。\n'.repeat(20)]), '日记.txt'), 422],
    ['an empty file', () => form(new Blob([]), '空.docx'), 400],
    ['no file at all', () => { const f = new FormData(); f.set('year', '2026'); return f; }, 400],
    ['a year that is not one', () => docx({ year: '二〇二六' }), 400],
    ['a title with control characters', () => docx({ title: '报告\u202e\u0007' }), 400],
  ])('%s: refused with a Chinese reason, nothing changes', async (_what, body, status) => {
    const before = reportFiles();
    for (const path of ['/api/admin/reports/preview', '/api/admin/reports']) {
      const res = await call(web.url, path, admin, { method: 'POST', body: body() });
      expect(res.status).toBe(status);
      const { error } = (await res.json()) as any;
      expect(error.message).toMatch(/[\u4e00-\u9fff]/);
      expect(error.message).not.toMatch(/Error|at |\/tmp|node_modules/);
    }
    expect(reportFiles()).toEqual(before);
  });

  it('a JSON body is not an upload', async () => {
    const res = await call(web.url, '/api/admin/reports', admin, { method: 'POST', body: '{}', headers: { 'Content-Type': 'application/json' } });
    expect(res.status).toBe(415);
  });
});

describe('questions', () => {
  const hostile = ['=HYPERLINK("http://x","点此")', '+1+1', '-2+3', '@SUM(A1)'];

  beforeAll(async () => {
    for (const q of hostile) await ask(q);
    await ask('广东今年地区生产总值增长目标是多少');
    await fetch(`${web.url}/api/feedback`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ question: '+1+1', vote: 'down' }) });
  });

  it('the CSV keeps formula-looking questions as text (a leading quote), the words unchanged', async () => {
    const res = await call(web.url, '/api/admin/questions?format=csv', reviewer);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toMatch(/attachment/);
    const text = await res.text();
    const rows = parse(text.replace(/^\ufeff/, '')) as string[][];
    expect(rows[0]).toEqual(['时间', '渠道', '问题', '已回答', '拒答原因', '拒答规则', '出处', '👍', '👎']);
    const questions = rows.slice(1).map((r) => r[2]);
    for (const q of hostile) expect(questions).toContain(`'${q}`);
    expect(questions).toContain('广东今年地区生产总值增长目标是多少');
    // No cell anywhere starts like a formula.
    expect(rows.flat().some((c) => /^[=+\-@]/.test(c))).toBe(false);
  });

  it('filters: refused, voted down, channel, dates; a bad filter is 400', async () => {
    const get = async (q: string): Promise<any[]> => ((await (await call(web.url, `/api/admin/questions${q}`, reviewer)).json()) as any).questions;
    const all = await get('');
    expect(all.length).toBeGreaterThanOrEqual(5);
    const refused = await get('?refused=1');
    expect(refused.every((r) => r.found === false)).toBe(true);
    expect(refused.map((r) => r.question)).not.toContain('广东今年地区生产总值增长目标是多少');
    expect((await get('?vote=down')).map((r) => r.question)).toEqual(['+1+1']);
    expect(await get('?channel=telegram')).toEqual([]);
    expect((await get('?channel=web')).length).toBe(all.length);
    expect(await get('?to=2000-01-01')).toEqual([]);
    const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
    expect((await get(`?from=${today}&to=${today}`)).length).toBe(all.length);
    // Per day (China Standard Time): every question today, the refused ones among them.
    const { days } = (await (await call(web.url, '/api/admin/questions', reviewer)).json()) as any;
    expect(days).toEqual([{ day: today, asked: all.length, refused: refused.length }]);
    expect(((await (await call(web.url, '/api/admin/questions?to=2000-01-01', reviewer)).json()) as any).days).toEqual([]);
    for (const bad of ['?from=yesterday', '?vote=maybe', '?refused=yes', '?channel=%3Cscript%3E']) {
      expect((await call(web.url, `/api/admin/questions${bad}`, reviewer)).status).toBe(400);
    }
  });

  it('the most asked: spellings of one question counted together, with the share refused; filtered by channel and days', async () => {
    // The same question three ways (spacing, full-width letters, a closing mark), and a refused one twice.
    for (const q of ['广东今年GDP增长目标是多少', '广东今年 ＧＤＰ 增长目标是多少？', '广东今年gdp增长目标是多少']) await ask(q);
    const gdp = await ask('广东今年GDP增长目标是多少');
    expect(gdp.found).toBe(true);
    // The answer as it was given is logged with its quotes, and the admin API gives it back.
    const logged = ((await (await call(web.url, '/api/admin/questions', reviewer)).json()) as any).questions[0];
    expect(logged).toMatchObject({ question: '广东今年GDP增长目标是多少', answer: gdp.answer });
    expect(logged.citations).toEqual(gdp.citations.slice(0, 5).map((c: any) => ({ doc: c.doc, section: c.section, quote: c.quote.slice(0, 500) })));
    expect(logged.citations.length).toBeGreaterThan(0);
    for (let i = 0; i < 2; i++) expect((await ask('明天广州会下雨吗')).found).toBe(false);
    const top = async (q: string): Promise<any> => {
      const res = await call(web.url, `/api/admin/questions/top${q}`, reviewer);
      return { status: res.status, body: (await res.json()) as any };
    };
    const { status, body } = await top('');
    expect(status).toBe(200);
    expect(body.questions[0]).toMatchObject({ question: '广东今年GDP增长目标是多少', count: 4, refused: 0, refusedShare: 0 });
    const rain = body.questions.find((x: any) => x.question === '明天广州会下雨吗');
    expect(rain).toMatchObject({ count: 2, refused: 2, refusedShare: 1 });
    expect(Date.parse(rain.lastAt)).toBeGreaterThan(Date.now() - 600_000);
    // Counts go down the list.
    const counts = body.questions.map((x: any) => x.count);
    expect(counts).toEqual([...counts].sort((a, b) => b - a));
    expect((await top('?limit=1')).body.questions).toHaveLength(1);
    expect((await top('?channel=telegram')).body.questions).toEqual([]);
    expect((await top('?to=2000-01-01')).body.questions).toEqual([]);
    const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
    expect((await top(`?channel=web&from=${today}&to=${today}`)).body.questions[0].count).toBe(4);
    for (const bad of ['?limit=many', '?limit=-1', '?from=yesterday', '?channel=%3Cscript%3E']) expect((await top(bad)).status).toBe(400);
    expect((await call(web.url, '/api/admin/questions/top', undefined)).status).toBe(401);
  });
});
