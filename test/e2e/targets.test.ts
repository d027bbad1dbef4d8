import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/answer/index.ts';
import { createConfig } from '../../src/config.ts';
import { createMetrics, instrumentAsk } from '../../src/observability/index.ts';
import { createApp, startServer, type RunningServer } from '../../src/server/index.ts';
import { Store } from '../../src/store/index.ts';
import { KIND_LABEL } from '../../src/targets/extract.ts';
import type { TargetView } from '../../src/targets/table.ts';
import { DICT_DIR, ROOT } from '../helpers/engine.ts';
import { silentLogger } from '../server/support.ts';

/**
 * The 目标一览 page (/targets) over several provincial reports: the real server on port 0, driven in
 * Debian's headless Chromium through playwright-core. Every figure checked comes from the engine or
 * the API, never written here. Screenshots go to test-artifacts/ (git-ignored).
 */
const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(ROOT, 'test-artifacts');
const FIXTURES = join(ROOT, 'test/fixtures/provinces-2026');
const PROVINCES = ['山东省', '江苏省', '吉林省', '广东省'];
const GDP = '地区生产总值';
/** What the page says, as the brief words it. */
const PICK_ONE = '选择一个指标即可查看对比图';
const NOTHING = '没有符合条件的目标';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  console.warn(`[e2e] targets page skipped: ${CHROMIUM} not found — install Debian's chromium (apt-get install chromium).`);
}

let tmp: string;
let engine: Engine;
let server: RunningServer;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'workplan-targets-'));
  const reportsDir = join(tmp, 'reports');
  mkdirSync(reportsDir);
  for (const p of PROVINCES) copyFileSync(join(FIXTURES, `2026_${p}_政府工作报告.txt`), join(reportsDir, `2026_${p}_政府工作报告.txt`));
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
});

afterAll(async () => {
  await server?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

async function apiRows(query = ''): Promise<TargetView[]> {
  const res = await fetch(`${server.url}/api/targets${query ? `?${query}` : ''}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { targets: TargetView[] }).targets;
}

const rankOf = (r: Pick<TargetView, 'value' | 'high'>): number => (r.high !== undefined ? (r.value + r.high) / 2 : r.value);

/** RFC 4180 records (quoted fields with doubled quotes and line breaks inside). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

describe('the /targets page over HTTP', () => {
  it('is served as HTML with the same strict CSP as the main page, its script and styles as assets', async () => {
    const res = await fetch(`${server.url}/targets`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = res.headers.get('content-security-policy');
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toBe((await fetch(`${server.url}/`)).headers.get('content-security-policy'));
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const etag = res.headers.get('etag')!;
    const html = await res.text();
    expect(html).toContain('<html lang="zh-CN">');
    expect((await fetch(`${server.url}/targets`, { headers: { 'If-None-Match': etag } })).status).toBe(304);

    const all = [...html.matchAll(/\b(?:src|href)="([^"]+)"/g)].map((m) => m[1]!).filter((r) => !r.startsWith('#'));
    // Besides its assets, the page links only to the main page and to the API's CSV.
    const refs = all.filter((r) => r.startsWith('/assets/'));
    expect(all.filter((r) => !refs.includes(r)).sort()).toEqual(['/', '/api/targets?format=csv']);
    expect(refs).toEqual(expect.arrayContaining(['/assets/targets.js', '/assets/targets.css']));
    const types: Record<string, RegExp> = { js: /^text\/javascript/, css: /^text\/css/, svg: /^image\/svg\+xml/ };
    for (const ref of [...refs, '/assets/messages.js', '/assets/highlight.js']) {
      expect(ref).toMatch(/^\/assets\/[\w.-]+$/);
      const asset = await fetch(`${server.url}${ref}`);
      expect(asset.status, ref).toBe(200);
      expect(asset.headers.get('content-type'), ref).toMatch(types[ref.split('.').pop()!]!);
      const text = (await asset.text()).replace(/(?:xmlns=)?["']http:\/\/www\.w3\.org\/2000\/svg["']/g, '');
      expect(text.match(/https?:\/\/|\/\/cdn|@import|url\(\s*['"]?(?:https?:)?\/\//g), ref).toBeNull();
    }
    // A page is only served at its path, with its headers.
    expect((await fetch(`${server.url}/assets/targets.html`)).status).toBe(404);
    // The main page links to it.
    expect(await (await fetch(`${server.url}/`)).text()).toContain('href="/targets"');
  });
});

describe.skipIf(!hasChromium)('the /targets page in headless Chromium', () => {
  let browser: Browser;
  let page: Page;
  let problems: string[];
  /** Console errors a test expects (a request it made fail on purpose). */
  let expected: RegExp[];

  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    mkdirSync(ARTIFACTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
  });

  beforeEach(async () => {
    problems = [];
    expected = [];
    page = await browser.newPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    await watch(page);
  });

  afterEach(async () => {
    await page.close();
    expect(problems).toEqual([]);
  });

  /** Page errors, console errors, CSP violations and requests leaving the app all count as problems. */
  async function watch(p: Page): Promise<void> {
    p.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    p.on('console', (msg) => {
      if (msg.type() === 'error' && !expected.some((re) => re.test(msg.text()))) problems.push(`console: ${msg.text()}`);
    });
    p.on('request', (req) => {
      if (!req.url().startsWith(server.url) && !req.url().startsWith('data:')) problems.push(`external request: ${req.url()}`);
    });
    await p.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`));
    });
  }

  async function open(query = '', p: Page = page): Promise<void> {
    await p.goto(`${server.url}/targets${query}`);
    await p.waitForSelector('body[data-ready="true"]');
  }

  /** The rows of the table as shown: their index in the unfiltered API list and the cells' text. */
  async function tableRows(p: Page = page): Promise<Array<{ index: number; report: string; cells: string[]; value: string }>> {
    return p.$$eval('table.targets tbody tr', (trs) =>
      trs.map((tr) => ({
        index: Number(tr.getAttribute('data-index')),
        report: tr.getAttribute('data-report') ?? '',
        cells: [...tr.querySelectorAll(':scope > td')].map((td) => td.querySelector('summary')?.textContent ?? td.firstChild?.textContent ?? ''),
        value: tr.querySelector('td.col-value')?.textContent ?? '',
      })),
    );
  }

  /** What a row of the table says, from the API's own fields. */
  const expectedCells = (t: TargetView): string[] => [t.region, t.years, KIND_LABEL[t.kind], t.indicator, t.text, t.span];

  it('lists every target of the loaded reports, as the API gives them', async () => {
    const all = engine.targets();
    expect(all.length).toBeGreaterThan(0);
    expect(await apiRows()).toEqual(JSON.parse(JSON.stringify(all)));
    await open();
    const rows = await tableRows();
    expect(rows.map((r) => r.cells)).toEqual(all.map(expectedCells));
    // Under the year a figure is about, the report it stands in (2025's results in the 2026 report).
    expect(await page.$$eval('table.targets tbody td.col-year small', (els) => els.map((e) => e.textContent))).toEqual(all.map((t) => `${t.reportYear}年报告`));
    expect(all.some((t) => t.kind === 'result' && t.year === t.reportYear - 1)).toBe(true);
    expect(await page.textContent('#count')).toBe(`共 ${all.length} 条目标`);
    // Where the report words the indicator its own way, the wording is shown beside the canonical name.
    const worded = all.findIndex((t) => t.wording && t.wording !== t.indicator);
    if (worded >= 0) {
      expect(await page.textContent(`tr[data-index="${worded}"] .wording`)).toContain(all[worded]!.wording);
    }
    // The sentence opens under its span, the span marked inside it.
    const first = all[0]!;
    const row = page.locator('tr[data-index="0"]');
    expect(await row.locator('.source-body').isVisible()).toBe(false);
    await row.locator('summary').click();
    await row.locator('.source-body').waitFor({ state: 'visible' });
    expect(await row.locator('.quote').textContent()).toBe(first.quote);
    if (first.quote.includes(first.span)) expect(await row.locator('mark.quote-span').textContent()).toBe(first.span);
    // With rows of several indicators there is no chart, only the hint to pick one.
    expect(await page.textContent('#chart')).toBe(PICK_ONE);
    await page.screenshot({ path: join(ARTIFACTS, 'targets-all.png') });
  });

  it('compares one indicator: one row per report, a bar per row labelled with its verbatim figure, sortable', async () => {
    const want = engine.targets().filter((t) => t.indicator === GDP && t.kind === 'target');
    // The fixtures: each report sets one GDP target.
    expect(new Set(want.map((t) => t.report)).size).toBe(want.length);
    expect(want.length).toBe(engine.info.documents.length);

    await open();
    await page.selectOption('#f-indicator', GDP);
    await page.selectOption('#f-kind', 'target');
    await page.waitForFunction((n) => document.querySelectorAll('table.targets tbody tr').length === n, want.length);
    const rows = await tableRows();
    expect(rows.map((r) => r.report).sort()).toEqual(want.map((t) => t.report).sort());
    expect(rows.map((r) => r.cells)).toEqual(want.map(expectedCells));

    // The chart: as many bars as rows, largest first, each labelled with the row's text.
    await page.waitForSelector('#chart svg');
    const bars = await page.$$eval('#chart svg .bar-row', (gs) =>
      gs.map((g) => ({ report: g.getAttribute('data-report')!, label: g.querySelector('.bar-label')?.textContent ?? '', bars: g.querySelectorAll('.bar').length })),
    );
    expect(bars.length).toBe(want.length);
    expect(await page.locator('#chart svg .bar').count()).toBe(want.length);
    const byReport = new Map(want.map((t) => [t.report, t]));
    expect(bars.map((b) => b.label)).toEqual(bars.map((b) => byReport.get(b.report)!.text));
    const ranks = bars.map((b) => rankOf(byReport.get(b.report)!));
    expect(ranks).toEqual([...ranks].sort((a, b) => b - a));
    expect(new Set(bars.map((b) => b.report))).toEqual(new Set(want.map((t) => t.report)));
    // A range is drawn to its upper end, lighter.
    expect(await page.locator('#chart svg .bar-range').count()).toBe(want.filter((t) => t.high !== undefined && t.high > t.value).length);
    await page.screenshot({ path: join(ARTIFACTS, 'targets-gdp.png'), fullPage: true });

    // Sorting by 数值: first from the largest, then from the smallest (ranges by their midpoint).
    const all = engine.targets();
    const valueRanks = async (): Promise<number[]> => (await tableRows()).map((r) => rankOf(all[r.index]!));
    await page.click('th[data-col="value"] button');
    expect(await page.getAttribute('th[data-col="value"]', 'aria-sort')).toBe('descending');
    const down = await valueRanks();
    expect(down).toEqual([...down].sort((a, b) => b - a));
    expect((await tableRows()).map((r) => r.value)).toEqual((await tableRows()).map((r) => all[r.index]!.text));
    await page.click('th[data-col="value"] button');
    expect(await page.getAttribute('th[data-col="value"]', 'aria-sort')).toBe('ascending');
    const up = await valueRanks();
    expect(up).toEqual([...up].sort((a, b) => a - b));
    expect(up.length).toBe(want.length);

    // The state is in the URL, and a reload restores it.
    const url = new URL(page.url());
    expect(url.pathname).toBe('/targets');
    expect(url.searchParams.get('indicator')).toBe(GDP);
    expect(url.searchParams.get('kind')).toBe('target');
    expect(url.searchParams.get('sort')).toBe('value');
    expect(url.searchParams.get('order')).toBe('asc');
    const before = await tableRows();
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    expect(await page.inputValue('#f-indicator')).toBe(GDP);
    expect(await page.inputValue('#f-kind')).toBe('target');
    expect(await page.getAttribute('th[data-col="value"]', 'aria-sort')).toBe('ascending');
    expect(await tableRows()).toEqual(before);
    expect(await page.locator('#chart svg .bar').count()).toBe(want.length);

    // A shared link opens the same view in a fresh page.
    const other = await browser.newPage();
    await watch(other);
    try {
      await other.goto(page.url());
      await other.waitForSelector('body[data-ready="true"]');
      expect(await tableRows(other)).toEqual(before);
    } finally {
      await other.close();
    }
  });

  it('sorts from the keyboard: Enter and Space on a focused header', async () => {
    const all = engine.targets();
    await open();
    await page.focus('th[data-col="region"] button');
    await page.keyboard.press('Enter');
    expect(await page.getAttribute('th[data-col="region"]', 'aria-sort')).toBe('ascending');
    const regions = (await tableRows()).map((r) => all[r.index]!.region);
    expect(regions).toEqual([...regions].sort(new Intl.Collator('zh-CN').compare));
    await page.keyboard.press('Space');
    expect(await page.getAttribute('th[data-col="region"]', 'aria-sort')).toBe('descending');
    // Tab walks the headers in order: 报告年份, 类别, 指标, 数值.
    for (let i = 0; i < 4; i++) await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-sort'))).toBe('value');
    await page.keyboard.press('Enter');
    expect(await page.getAttribute('th[data-col="value"]', 'aria-sort')).toBe('descending');
    expect(await page.getAttribute('th[data-col="region"]', 'aria-sort')).toBe('none');
    const ranks = (await tableRows()).map((r) => rankOf(all[r.index]!));
    expect(ranks).toEqual([...ranks].sort((a, b) => b - a));
  });

  it('downloads the CSV of the current filters', async () => {
    const header = ['报告', '地区', '年份', '时段', '报告年份', '类别', '指标', '报告用语', '数值', '上限', '单位', '限定', '原文数值', '原句'];
    const download = async (): Promise<string[][]> => {
      const [file] = await Promise.all([page.waitForEvent('download'), page.click('#csv')]);
      const path = await file.path();
      const text = readFileSync(path, 'utf8');
      expect(text.startsWith('\ufeff')).toBe(true);
      const [head, ...records] = parseCsv(text.slice(1));
      expect(head).toEqual(header);
      return records;
    };
    const asRecord = (t: TargetView): string[] => [t.title, t.region, String(t.year), t.years, String(t.reportYear), KIND_LABEL[t.kind], t.indicator, t.wording, String(t.value), t.high === undefined ? '' : String(t.high), t.unit, t.qualifier, t.text, t.quote];

    await open(`?indicator=${encodeURIComponent(GDP)}&kind=target`);
    const query = `indicator=${encodeURIComponent(GDP)}&kind=target`;
    expect(new URL((await page.getAttribute('#csv', 'href'))!, server.url).search).toBe(`?${query}&format=csv`);
    const filtered = await apiRows(query);
    const records = await download();
    expect(records).toEqual(filtered.map(asRecord));
    // Every row of the table is in the file.
    const shown = (await tableRows()).map((r) => asRecord(engine.targets()[r.index]!));
    for (const row of shown) expect(records).toContainEqual(row);

    // Region, year, kind and main are filtered the same way in the page and by the API: same rows.
    const region = PROVINCES[0]!;
    const year = String(engine.targets().find((t) => t.kind === 'target')!.year);
    await open(`?region=${encodeURIComponent(region)}&year=${year}&kind=target`);
    expect(await page.inputValue('#f-region')).toBe(region);
    await page.check('#f-main');
    await page.waitForFunction(() => new URL(location.href).searchParams.get('main') === '1');
    const mainRows = await apiRows(`region=${encodeURIComponent(region)}&year=${year}&kind=target&main=1`);
    expect(mainRows.length).toBeGreaterThan(0);
    expect(await download()).toEqual(mainRows.map(asRecord));
    expect((await tableRows()).map((r) => asRecord(engine.targets()[r.index]!))).toEqual(mainRows.map(asRecord));
  });

  it('filters by words, says when nothing matches, and clears from the keyboard', async () => {
    const all = engine.targets();
    const word = all.find((t) => t.indicator !== GDP)!.indicator;
    const want = all.filter((t) => [t.region, t.title, t.indicator, t.wording, t.text, t.span, t.quote, t.section].some((x) => x.includes(word)));
    await open();
    await page.locator('h1').click();
    await page.keyboard.press('/');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('words');
    await page.keyboard.type(word);
    await page.waitForFunction((q) => new URL(location.href).searchParams.get('q') === q, word);
    expect((await tableRows()).map((r) => r.index)).toEqual(want.map((t) => all.indexOf(t)));
    // The download cannot carry the words: the page says so.
    expect(await page.isVisible('#csv-note')).toBe(true);

    await page.keyboard.type(' 月球基地');
    await page.waitForSelector('.empty:not([hidden])');
    expect(await page.textContent('.empty-title')).toBe(NOTHING);
    expect(await page.isVisible('table.targets')).toBe(false);
    expect(await page.isVisible('#chart-box')).toBe(false);
    await page.screenshot({ path: join(ARTIFACTS, 'targets-empty.png') });

    await page.keyboard.press('Escape');
    await page.waitForFunction((n) => document.querySelectorAll('table.targets tbody tr').length === n, all.length);
    expect(new URL(page.url()).searchParams.has('q')).toBe(false);
  });

  it('is reached from the main page and links back', async () => {
    await page.goto(server.url);
    await page.waitForSelector('body[data-ready="true"]');
    await Promise.all([page.waitForURL(`${server.url}/targets`), page.click('#targets-link')]);
    await page.waitForSelector('body[data-ready="true"]');
    expect(await page.textContent('h1')).toBe('目标一览');
    await Promise.all([page.waitForURL(`${server.url}/`), page.click('#back-link')]);
    await page.waitForSelector('#q');
  });

  it('says so politely when the targets cannot be loaded', async () => {
    expected = [/Failed to load resource/];
    await page.route('**/api/targets', (route) => route.fulfill({ status: 500, contentType: 'application/json', body: '{}' }));
    await open();
    expect(await page.textContent('[role="alert"]')).toMatch(/^[^A-Za-z]*无法加载[^A-Za-z]*$/);
    expect(await page.isVisible('#csv')).toBe(false);
    expect(await page.isVisible('#chart-box')).toBe(false);
  });

  it('fits a phone: no sideways scrolling of the page', async () => {
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    await watch(phone);
    try {
      await open(`?indicator=${encodeURIComponent(GDP)}&kind=target`, phone);
      await phone.waitForSelector('#chart svg');
      const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      await phone.screenshot({ path: join(ARTIFACTS, 'targets-phone.png'), fullPage: true });
    } finally {
      await phone.close();
    }
  });
});
