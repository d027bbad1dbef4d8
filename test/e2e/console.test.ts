import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDocx, paragraphsOf } from '../helpers/documents.ts';
import { FIXTURES, startConsole, type ConsoleServer } from '../admin/support.ts';

/**
 * The console in Debian's headless Chromium against the real server: sign in, upload a DOCX, correct
 * its year and title in the preview, add it, get its answer from the public API, remove it; a
 * reviewer never sees the upload; hostile titles and questions render as text. Screenshots of each
 * page go to /tmp/w/console-*.png. Only waits on selectors and text: no timed assertions.
 */
const CHROMIUM = '/usr/bin/chromium';
const SHOTS = '/tmp/w';
const hasChromium = existsSync(CHROMIUM);

const XSS_TITLE = '<script>window.__xss=1</script>"><img src=x onerror="window.__xss=2">吉林省政府工作报告';
const XSS_QUESTION = '"><img src=x onerror="window.__xss=3"><script>window.__xss=4</script>‮吉林今年目标';
const JS_LINK = 'javascript:window.__xss=5';
/** Short enough to be read as a heading; it would set window.w if it ran. */
const XSS_HEADING = '一、<script>w=6</script>"><img src=x onerror=w=7>工作回顾';

describe.skipIf(!hasChromium)('the console in headless Chromium', () => {
  let web: ConsoleServer;
  let browser: Browser;
  let problems: string[];
  let docxPath: string;

  const open = async (width = 1280, height = 900): Promise<{ context: BrowserContext; page: Page }> => {
    const context = await browser.newContext({ viewport: { width, height } });
    const page = await context.newPage();
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error' && !/401|Unauthorized/.test(msg.text())) problems.push(`console: ${msg.text()}`);
    });
    return { context, page };
  };
  const signInAs = async (page: Page, name: string, password: string): Promise<void> => {
    await page.goto(`${web.url}/admin`);
    await page.waitForURL(/\/admin\/signin$/);
    await page.fill('#name', name);
    await page.fill('#password', password);
    await page.press('#password', 'Enter');
    await page.waitForURL(/\/admin(?:#.*)?$/);
    await page.waitForSelector('#tabs:not([hidden])');
  };
  const noScriptRan = async (page: Page): Promise<void> => {
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(await page.evaluate(() => (window as unknown as { w?: number }).w)).toBeUndefined();
  };

  beforeAll(async () => {
    web = await startConsole();
    await web.addAccount('管理员', 'admin', 'admin-password-1');
    await web.addAccount('审核员', 'reviewer', 'reviewer-password-1');
    const docx = await makeDocx(paragraphsOf(readFileSync(join(FIXTURES, '2026_吉林省_政府工作报告.txt'), 'utf8')), { pageNumbers: true });
    docxPath = join(web.dir, '吉林省政府工作报告.docx');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(docxPath, docx);
    // Questions logged as people typed them, hostile ones among them.
    for (const question of [XSS_QUESTION, JS_LINK, '=HYPERLINK("http://x","点此")', '广东今年地区生产总值增长目标是多少']) {
      await fetch(`${web.url}/api/ask`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ question }) });
    }
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await web?.stop();
  });

  it('an admin signs in, previews a DOCX, corrects it, adds it (answered at once), and removes it', async () => {
    problems = [];
    const { context, page } = await open();
    await page.goto(`${web.url}/admin`);
    await page.waitForURL(/\/admin\/signin$/);
    await page.waitForSelector('#sign-in:not([hidden])');
    // A wrong password says so, in Chinese, and stays on the form.
    await page.fill('#name', '管理员');
    await page.fill('#password', 'wrong-password');
    await page.click('#sign-in button[type=submit]');
    await page.waitForFunction(() => document.getElementById('sign-in-error')?.textContent === '用户名或密码不正确');
    await page.screenshot({ path: `${SHOTS}/console-signin.png`, fullPage: true });

    await page.fill('#password', 'admin-password-1');
    await page.press('#password', 'Enter');
    await page.waitForURL(/\/admin(?:#.*)?$/);
    await page.waitForSelector('#reports-table tbody tr >> text=广东省');
    expect(await page.textContent('#who')).toBe('管理员(管理员)');
    await page.screenshot({ path: `${SHOTS}/console-reports.png`, fullPage: true });

    await page.setInputFiles('#file', docxPath);
    await page.waitForSelector('#preview:not([hidden])');
    expect(await page.inputValue('#p-year')).toBe('2026');
    expect(await page.inputValue('#p-region')).toBe('吉林省');
    expect(await page.locator('#p-outline li').count()).toBeGreaterThan(3);
    expect(await page.locator('#p-targets li').count()).toBeGreaterThan(0);
    // The clerk corrects the year and the title, and previews again: the fields say where they came from.
    await page.fill('#p-year', '2025');
    await page.fill('#p-title', XSS_TITLE);
    await page.click('#p-refresh');
    await page.waitForFunction(() => document.getElementById('p-year-from')?.textContent === '读自:您填写的');
    expect(await page.inputValue('#p-title')).toBe(XSS_TITLE);
    await page.screenshot({ path: `${SHOTS}/console-preview.png`, fullPage: true });
    // Nothing was added by previewing.
    expect(web.library.list().map((e) => e.id)).toEqual(['guangdong-2026']);

    await page.click('#p-add');
    await page.waitForFunction(() => document.getElementById('status')?.textContent?.startsWith('已添加并上线'), undefined, { timeout: 120_000 });
    const row = page.locator('#reports-table tbody tr', { hasText: 'jilin-2025' });
    await row.waitFor();
    expect(await row.locator('td').nth(2).textContent()).toBe('2025');
    // The hostile title is shown as the words it is, and nothing of it ran or became an element.
    expect(await row.locator('td').first().locator('.strong').textContent()).toBe(XSS_TITLE);
    expect(await page.locator('#reports-table img, #reports-table script').count()).toBe(0);
    await noScriptRan(page);
    await page.screenshot({ path: `${SHOTS}/console-reports-added.png`, fullPage: true });

    // The same document again as 2025: the preview says it replaces the one just added, and adding asks first.
    await page.setInputFiles('#file', docxPath);
    await page.waitForFunction(() => (document.getElementById('p-year') as HTMLInputElement | null)?.value === '2026');
    await page.fill('#p-year', '2025');
    await page.click('#p-refresh');
    await page.waitForSelector('#p-replaced:not([hidden])');
    expect(await page.textContent('#p-replaced')).toBe(`添加后将替换已有的「${XSS_TITLE}」。`);
    await page.click('#p-add');
    await page.waitForSelector('#confirm[open]');
    expect(await page.textContent('#confirm-ok')).toBe('替换');
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => !(document.getElementById('confirm') as HTMLDialogElement).open);
    await page.click('#p-cancel');
    expect(web.library.list().find((e) => e.id === 'jilin-2025')?.title).toBe(XSS_TITLE);

    // The public API answers from it at once.
    const answer = (await (await fetch(`${web.url}/api/ask`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ question: '吉林地区生产总值增长目标是多少' }) })).json()) as any;
    expect(answer.found).toBe(true);
    expect(answer.citations[0].docId).toBe('jilin-2025');

    // Remove, with a confirmation the keyboard can answer.
    await row.locator('button', { hasText: '删除' }).click();
    await page.waitForSelector('#confirm[open]');
    await page.screenshot({ path: `${SHOTS}/console-remove-confirm.png` });
    await page.click('#confirm-ok');
    await page.waitForFunction(() => document.getElementById('status')?.textContent?.startsWith('已删除'), undefined, { timeout: 120_000 });
    await row.waitFor({ state: 'detached' });
    const after = (await (await fetch(`${web.url}/api/ask`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ question: '吉林地区生产总值增长目标是多少' }) })).json()) as any;
    expect(after.citations.every((c: any) => c.docId !== 'jilin-2025')).toBe(true);

    // Dropped onto the page instead of picked: a text whose heading is hostile; its outline stays text.
    const hostile = readFileSync(join(FIXTURES, '2026_吉林省_政府工作报告.txt'), 'utf8').replace('一、工作回顾', XSS_HEADING);
    const drop = await page.evaluateHandle((text) => {
      const dt = new DataTransfer();
      dt.items.add(new File([text], '吉林省政府工作报告.txt', { type: 'text/plain' }));
      return dt;
    }, hostile);
    await page.dispatchEvent('#drop', 'drop', { dataTransfer: drop });
    await page.waitForFunction(() => document.getElementById('preview-file')?.textContent === '吉林省政府工作报告.txt');
    expect(await page.locator('#p-outline li').allTextContents()).toContain(XSS_HEADING);
    expect(await page.locator('#preview img, #preview script, #preview a').count()).toBe(0);
    await noScriptRan(page);
    await page.click('#p-cancel');
    await page.waitForSelector('#preview', { state: 'hidden' });
    expect(web.library.list().map((e) => e.id)).toEqual(['guangdong-2026']);

    // The questions, hostile ones as plain text.
    await page.click('#tabs a[data-tab=questions]');
    await page.waitForSelector('#questions-table tbody td.question');
    const questions = await page.locator('#questions-table td.question summary').allTextContents();
    expect(questions).toContain(XSS_QUESTION);
    expect(questions).toContain(JS_LINK);
    expect(await page.locator('#questions-table img, #questions-table script, #questions-table a').count()).toBe(0);
    expect(await page.getAttribute('#q-csv', 'href')).toBe('/api/admin/questions?format=csv');
    // Each question opens to the answer as it was given and its quotes; the hostile one's as text too.
    const gd = page.locator('#questions-table details.given', { hasText: '广东今年地区生产总值增长目标是多少' }).first();
    await gd.locator('summary').focus();
    await page.keyboard.press('Enter');
    expect(await gd.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(true);
    expect(await gd.locator('p.answer').textContent()).toMatch(/^当时的回答:.+/);
    expect(await gd.locator('ol.quotes cite').first().textContent()).toContain('2026年广东省政府工作报告');
    const hostileRow = page.locator('#questions-table details.given', { hasText: '吉林今年目标' }).first();
    await hostileRow.locator('summary').click();
    expect(await hostileRow.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(true);
    expect(await hostileRow.locator('img, script, a').count()).toBe(0);
    await noScriptRan(page);
    // The per-day chart: one day so far, its bar and its summary for screen readers.
    expect(await page.locator('#q-chart svg rect.asked').count()).toBe(1);
    expect(await page.getAttribute('#q-chart svg', 'aria-label')).toMatch(/共 \d+ 个提问,\d+ 个未能回答/);
    await page.check('#q-refused');
    await page.click('#q-filters button[type=submit]');
    await page.waitForFunction(() => document.getElementById('q-csv')?.getAttribute('href')?.includes('refused=1'));
    await noScriptRan(page);
    await page.screenshot({ path: `${SHOTS}/console-questions.png`, fullPage: true });

    await page.click('#tabs a[data-tab=audit]');
    await page.waitForSelector('#audit-table tbody tr >> text=添加报告');
    expect(await page.locator('#audit-table tbody tr', { hasText: '删除报告' }).count()).toBe(1);
    await page.screenshot({ path: `${SHOTS}/console-audit.png`, fullPage: true });

    await page.click('#sign-out');
    await page.waitForURL(/\/admin\/signin$/);
    expect(problems).toEqual([]);
    await context.close();
  }, 240_000);

  it('a reviewer sees the questions only: no reports, no upload, no audit; the layout holds on a phone', async () => {
    problems = [];
    const { context, page } = await open(390, 844);
    await signInAs(page, '审核员', 'reviewer-password-1');
    await page.waitForSelector('#questions-table tbody td.question');
    expect(await page.locator('#tabs a').allTextContents()).toEqual(['提问记录']);
    expect(await page.isVisible('#drop')).toBe(false);
    expect(await page.isVisible('#view-reports')).toBe(false);
    // Asking for the reports by address changes nothing.
    await page.goto(`${web.url}/admin#reports`);
    await page.waitForSelector('#questions-table tbody td.question');
    expect(await page.isVisible('#drop')).toBe(false);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await noScriptRan(page);
    await page.screenshot({ path: `${SHOTS}/console-reviewer-phone.png`, fullPage: true });
    expect(problems).toEqual([]);
    await context.close();
  }, 120_000);
});
