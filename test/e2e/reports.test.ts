import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/answer/index.ts';
import { createConfig } from '../../src/config.ts';
import { createMetrics, instrumentAsk } from '../../src/observability/index.ts';
import { createApp, startServer, type RunningServer } from '../../src/server/index.ts';
import { DICT_DIR, REPORTS_DIR, ROOT } from '../helpers/engine.ts';
import { silentLogger } from '../server/support.ts';

/**
 * The report selector in Debian's headless Chromium, on a deployment of three reports: it lists them,
 * scopes questions to the one chosen, shows that report's examples and outline, and is remembered.
 */
const CHROMIUM = '/usr/bin/chromium';
const FIXTURES = join(ROOT, 'test/fixtures/provinces-2026');
const hasChromium = existsSync(CHROMIUM);

describe.skipIf(!hasChromium)('the report selector in headless Chromium', () => {
  const work = mkdtempSync(join(tmpdir(), 'workplan-e2e-reports-'));
  let engine: Engine;
  let server: RunningServer;
  let browser: Browser;

  beforeAll(async () => {
    const dir = join(work, 'reports');
    mkdirSync(dir, { recursive: true });
    for (const f of ['2026_山东省_政府工作报告.txt', '2026_江苏省_政府工作报告.txt']) copyFileSync(join(FIXTURES, f), join(dir, f));
    for (const f of ['qingdao-shibei-2025-work-report.txt', 'qingdao-shibei-2025-work-report.json']) copyFileSync(join(REPORTS_DIR, f), join(dir, f));
    engine = await createEngine({ reportsDir: dir, dictDir: DICT_DIR, indexDir: join(work, 'index'), readOnly: true });
    const metrics = createMetrics({ defaults: false });
    const app = createApp({ engine, ask: instrumentAsk(engine.ask, { metrics }), metrics, logger: silentLogger, config: createConfig({}), version: 'e2e', rateLimitPerMinute: 1000 });
    server = await startServer(app, { port: 0, host: '127.0.0.1', logger: silentLogger });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    rmSync(work, { recursive: true, force: true });
  });

  async function open(page: Page): Promise<void> {
    await page.goto(server.url);
    await page.waitForSelector('body[data-ready="true"]');
  }

  it('lists the reports, scopes a question to the one chosen, and remembers the choice', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(err.message));
    await open(page);

    expect(await page.isVisible('#report')).toBe(true);
    const options = await page.locator('#report option').allTextContents();
    expect(options.slice(1).sort()).toEqual(engine.info.documents.map((d) => d.title).sort());
    expect(await page.textContent('#title')).toBe(engine.info.title);

    const jiangsu = engine.info.documents.find((d) => d.region === '江苏省')!;
    await page.selectOption('#report', jiangsu.id);
    // That report's examples and outline.
    await page.waitForFunction((first) => document.querySelector('#chips .chip')?.textContent === first, engine.examplesFor(jiangsu.id)[0]!);
    const roots = await page.locator('#outline-tree .node-l0').allTextContents();
    expect(roots).toEqual([jiangsu.title]);

    await page.fill('#q', '今年GDP增长目标是多少');
    await page.press('#q', 'Enter');
    await page.waitForSelector('.answer[data-found="true"]');
    const cards = await page.locator('.card').allTextContents();
    expect(cards.length).toBeGreaterThan(0);
    expect(cards.every((c) => c.includes(jiangsu.title))).toBe(true);

    // A reload keeps the choice.
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    expect(await page.inputValue('#report')).toBe(jiangsu.id);

    // All reports: a question that names no place is asked which.
    await page.selectOption('#report', '');
    await page.fill('#q', '今年GDP增长目标是多少');
    await page.press('#q', 'Enter');
    await page.waitForSelector('.answer[data-found="false"]');
    expect(await page.textContent('.answer')).toMatch(/请在问题里说明是哪个地区/);
    expect(problems).toEqual([]);
    await context.close();
  });
});
