import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/answer/index.ts';
import { createConfig } from '../../src/config.ts';
import { createMetrics, instrumentAsk } from '../../src/observability/index.ts';
import { createApp, startServer, type RunningServer } from '../../src/server/index.ts';
import { Store } from '../../src/store/index.ts';
import type { Progress } from '../../src/targets/progress.ts';
import { DICT_DIR, ROOT } from '../helpers/engine.ts';
import { silentLogger } from '../server/support.ts';

/**
 * The 完成情况 tab of /targets and its trend chart, in Debian's headless Chromium over the real
 * server: 清苑区 2020–2025 (six consecutive reports) and 保定市 2021–2022 (two). What the page shows is
 * checked against GET /api/targets/progress, never against figures written here. Screenshots go to
 * /tmp/w/progress-*.png (looked at by hand) and test-artifacts/.
 */
const CHROMIUM = '/usr/bin/chromium';
const LEVELS = join(ROOT, 'test/fixtures/levels');
const SHOTS = existsSync('/tmp/w') ? '/tmp/w' : join(ROOT, 'test-artifacts');
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`[e2e] progress tab skipped: ${CHROMIUM} not found — install Debian's chromium (apt-get install chromium).`);

let tmp: string;
let engine: Engine;
let server: RunningServer;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'workplan-progress-e2e-'));
  const reportsDir = join(tmp, 'reports');
  mkdirSync(reportsDir);
  const files = [...[2020, 2021, 2022, 2023, 2024, 2025].map((y) => `${y}_清苑区_政府工作报告.txt`), '2021_保定市_政府工作报告.txt', '2022_保定市_政府工作报告.txt'];
  for (const f of files) copyFileSync(join(LEVELS, f), join(reportsDir, f));
  engine = await createEngine({ reportsDir, dictDir: DICT_DIR, indexDir: join(tmp, 'index'), readOnly: true });
  const metrics = createMetrics({ defaults: false });
  const store = Store.open(':memory:');
  const app = createApp({
    engine,
    ask: instrumentAsk(engine.ask, { metrics, store }),
    metrics,
    logger: silentLogger,
    config: createConfig({}),
    version: 'e2e',
    feedback: store,
    rateLimitPerMinute: 1000,
  });
  server = await startServer(app, { port: 0, host: '127.0.0.1', logger: silentLogger });
  mkdirSync(SHOTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  await server?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

async function progressOf(region: string): Promise<Progress[]> {
  const res = await fetch(`${server.url}/api/targets/progress?region=${encodeURIComponent(region)}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { progress: Progress[] }).progress;
}

const LABEL: Record<string, string> = { met: '完成', 'not-met': '未完成', unlike: '口径不同', undecidable: '不能判断', 'no-result': '未找到实际数', 'no-result-report': '下一年报告未加载', 'no-target-report': '当年报告未加载' };

describe.skipIf(!hasChromium)('the 完成情况 tab in headless Chromium', () => {
  let browser: Browser;
  let page: Page;
  let problems: string[];

  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });
  afterAll(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    problems = [];
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(`console: ${msg.text()}`);
    });
    page.on('request', (req) => {
      if (!req.url().startsWith(server.url) && !req.url().startsWith('data:')) problems.push(`external request: ${req.url()}`);
    });
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`));
    });
  });
  afterEach(async () => {
    await page.close();
    expect(problems).toEqual([]);
  });

  /** The table as shown: indicator, the target's and the result's spans, the verdict label. */
  async function shownRows(): Promise<Array<{ indicator: string; target: string; result: string; verdict: string }>> {
    return page.$$eval('table.progress tbody tr', (trs) =>
      trs.map((tr) => ({
        indicator: tr.getAttribute('data-indicator') ?? '',
        target: tr.querySelector('.p-target .p-span')?.textContent ?? '',
        result: tr.querySelector('.p-result .p-span')?.textContent ?? '',
        verdict: tr.querySelector('.verdict')?.textContent ?? '',
      })),
    );
  }

  it('opens from the tab, shows the newest year with both reports as the API joins it, and keeps its place in the URL', async () => {
    await page.goto(`${server.url}/targets`);
    await page.waitForSelector('body[data-ready="true"]');
    expect(await page.isVisible('#panel-progress')).toBe(false);
    await page.click('#tab-progress');
    await page.waitForSelector('body[data-progress="ready"]');
    expect(await page.getAttribute('#tab-progress', 'aria-selected')).toBe('true');
    expect(await page.isVisible('#panel-targets')).toBe(false);

    // The deployment's own region first (保定市, which holds 清苑区); then the district.
    expect(await page.inputValue('#p-region')).toBe(engine.info.defaultRegion);
    await page.selectOption('#p-region', '清苑区');
    await page.waitForSelector('tr[data-indicator]');
    const list = await progressOf('清苑区');
    const year = list.find((p) => p.targetReport && p.resultReport)!;
    expect(await page.inputValue('#p-year')).toBe(String(year.year));
    expect(await shownRows()).toEqual(
      year.rows.map((r) => ({ indicator: r.indicator, target: r.target?.span ?? '', result: r.result?.span ?? '', verdict: LABEL[r.verdict ?? r.open!] })),
    );
    // A verdict is shown with the figures it follows from.
    const missed = year.rows.find((r) => r.verdict === 'not-met')!;
    expect(await page.textContent(`tr[data-indicator="${missed.indicator}"] .basis`)).toBe(missed.basis);
    expect(await page.textContent('#p-notes')).toContain('0.5个百分点');
    expect(await page.getAttribute('#p-csv', 'href')).toBe(`/api/targets/progress?region=${encodeURIComponent('清苑区')}&format=csv&year=${year.year}`);
    await page.screenshot({ path: join(SHOTS, 'progress-table.png'), fullPage: true });

    // Another year: the figures that cannot be compared say so, and the report's own words are quoted.
    await page.selectOption('#p-year', '2022');
    const y2022 = list.find((p) => p.year === 2022)!;
    expect((await shownRows()).map((r) => r.verdict)).toEqual(y2022.rows.map((r) => LABEL[r.verdict ?? r.open!]));
    expect(await page.textContent('#p-said')).toContain(y2022.completion.find((c) => c.overall)!.phrase);
    expect(new URL(page.url()).hash).toBe(`#progress&region=${encodeURIComponent('清苑区')}&year=2022&indicator=${encodeURIComponent('地区生产总值')}`);
    await page.screenshot({ path: join(SHOTS, 'progress-2022.png'), fullPage: true });

    // A reload comes back to the same tab and year.
    await page.reload();
    await page.waitForSelector('body[data-progress="ready"]');
    expect(await page.isVisible('#panel-progress')).toBe(true);
    expect(await page.inputValue('#p-year')).toBe('2022');
  });

  it('draws the trend of GDP growth for six consecutive reports: targets dashed, results solid, each point its span', async () => {
    await page.goto(`${server.url}/targets#progress&region=${encodeURIComponent('清苑区')}`);
    await page.waitForSelector('body[data-progress="ready"]');
    await page.waitForSelector('svg.trend');
    const list = await progressOf('清苑区');
    const rate = (f?: { growth: boolean; unit: string }) => Boolean(f && f.growth && f.unit === '%');
    const expected = (side: 'target' | 'result') =>
      [...list]
        .sort((a, b) => a.year - b.year)
        .flatMap((p) => {
          const f = p.rows.filter((r) => r.indicator === '地区生产总值').map((r) => r[side]).find(rate);
          return f ? [`${p.year}年${side === 'target' ? '目标' : '实际'}：${f.span}（${f.reportYear}年报告）`] : [];
        });
    const titles = (side: string) => page.$$eval(`circle.trend-${side} title`, (ts) => ts.map((t) => t.textContent));
    expect(await titles('target')).toEqual(expected('target'));
    expect(await titles('result')).toEqual(expected('result'));
    expect(expected('target').length).toBeGreaterThanOrEqual(3);
    expect(expected('result').length).toBeGreaterThanOrEqual(3);
    const dash = (sel: string) => page.$eval(sel, (el) => getComputedStyle(el).strokeDasharray);
    expect(await dash('path.trend-target')).not.toBe('none');
    expect(await dash('path.trend-result')).toBe('none');
    await page.locator('#trend-box').screenshot({ path: join(SHOTS, 'progress-trend.png') });

    // Another indicator redraws it.
    await page.selectOption('#p-indicator', '规模以上工业增加值');
    expect(await page.textContent('#trend .chart-caption')).toContain('规模以上工业增加值');
  });

  it('has no trend chart for a region with two reports, and says which report is missing', async () => {
    await page.goto(`${server.url}/targets#progress&region=${encodeURIComponent('保定市')}&year=2022`);
    await page.waitForSelector('body[data-progress="ready"]');
    expect(await page.inputValue('#p-region')).toBe('保定市');
    expect(await page.isVisible('#trend-box')).toBe(false);
    expect(await page.textContent('#p-notes')).toContain('要看保定市2023年的政府工作报告，这份报告没有加载');
    expect(new Set((await shownRows()).map((r) => r.verdict))).toEqual(new Set(['下一年报告未加载']));
    await page.screenshot({ path: join(SHOTS, 'progress-one-report.png'), fullPage: true });
  });

  it('works on a phone-sized screen', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${server.url}/targets#progress&region=${encodeURIComponent('清苑区')}`);
    await page.waitForSelector('svg.trend');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(1);
    await page.screenshot({ path: join(SHOTS, 'progress-phone.png'), fullPage: true });
  });
});
