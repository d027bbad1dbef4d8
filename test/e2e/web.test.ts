import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Answer, Engine, OutlineNode } from '../../src/answer/index.ts';
import { createConfig } from '../../src/config.ts';
import { createMetrics, instrumentAsk } from '../../src/observability/index.ts';
import { createApp, startServer, type RunningServer } from '../../src/server/index.ts';
import { Store } from '../../src/store/index.ts';
import { breadcrumb } from '../../web/highlight.js';
import { ROOT, testEngine } from '../helpers/engine.ts';
import { silentLogger } from '../server/support.ts';

/**
 * The real server on port 0, driven in Debian's headless Chromium through playwright-core.
 * Screenshots go to test-artifacts/ (git-ignored). Only waits on selectors: no timed assertions.
 */
const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(ROOT, 'test-artifacts');
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  console.warn(`[e2e] skipped: ${CHROMIUM} not found — install Debian's chromium (apt-get install chromium; .ci/run does this).`);
}

describe.skipIf(!hasChromium)('the web page in headless Chromium', () => {
  let engine: Engine;
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let problems: string[];

  /** The first example question the engine answers with a figure and a quote (never hard-coded). */
  let figureQuestion: { q: string; a: Answer };
  /** A question the report does not answer, with related passages when the engine finds some. */
  let missingQuestion: { q: string; a: Answer };

  beforeAll(async () => {
    engine = await testEngine();
    const metrics = createMetrics({ defaults: false });
    const store = Store.open(':memory:');
    const ask = instrumentAsk(engine.ask, { metrics, store });
    const app = createApp({
      engine,
      ask,
      metrics,
      logger: silentLogger,
      config: createConfig({}),
      version: 'e2e',
      feedback: store,
      rateLimitPerMinute: 1000,
    });
    server = await startServer(app, { port: 0, host: '127.0.0.1', logger: silentLogger });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    mkdirSync(ARTIFACTS, { recursive: true });

    for (const q of [...engine.examples, '今年新增多少托位', '加装电梯多少部']) {
      const a = await engine.ask(q);
      if (a.found && a.highlights.length > 0 && a.citations.length > 0) {
        figureQuestion = { q, a };
        break;
      }
    }
    const candidates = ['崂山区今年新增多少托位', '月球上建几个托儿所', '托位每月收费多少', '地铁票价多少钱'];
    const answers = await Promise.all(candidates.map(async (q) => ({ q, a: await engine.ask(q) })));
    const refusals = answers.filter(({ a }) => !a.found && a.reason !== 'chitchat');
    missingQuestion = refusals.find(({ a }) => a.citations.length > 0) ?? refusals[0]!;
    expect(figureQuestion, 'an example question with a figure').toBeDefined();
    expect(missingQuestion, 'a question the report does not answer').toBeDefined();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  beforeEach(async () => {
    problems = [];
    page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(`console: ${msg.text()}`);
    });
    // Everything must come from the app itself: no CDN, no web font, nothing else.
    page.on('request', (req) => {
      if (!req.url().startsWith(server.url) && !req.url().startsWith('data:')) problems.push(`external request: ${req.url()}`);
    });
  });

  afterEach(async () => {
    await page.close();
    expect(problems).toEqual([]);
  });

  async function open(p: Page = page): Promise<void> {
    await p.goto(server.url);
    await p.waitForSelector('body[data-ready="true"]');
  }

  async function ask(question: string): Promise<void> {
    await page.fill('#q', question);
    await page.press('#q', 'Enter');
    await page.waitForFunction((q) => document.querySelector('.answer .asked span')?.textContent === q, question.trim());
  }

  it('answers a question: figure highlighted, quote card with its location, the quoted span inside its paragraph', async () => {
    const { q, a } = figureQuestion;
    await open();
    // The search box has the focus on load: typing goes straight in.
    await page.waitForFunction(() => document.activeElement?.id === 'q');
    await page.keyboard.type(q);
    await page.keyboard.press('Enter');
    await page.waitForSelector('.answer[data-found="true"]');

    expect(await page.textContent('.answer-text')).toBe(a.answer);
    const figures = await page.$$eval('.answer-text mark.fig', (els) => els.map((e) => e.textContent));
    expect(figures.length).toBeGreaterThan(0);
    expect(new Set(figures)).toEqual(new Set(a.highlights));

    const cards = page.locator('.card');
    expect(await cards.count()).toBe(a.citations.length);
    const top = a.citations[0]!;
    expect(await cards.first().locator('.crumbs li').allTextContents()).toEqual(breadcrumb(top.doc, top.section));
    expect(await cards.first().locator('.quote').textContent()).toBe(top.quote);

    const context = cards.first().locator('.context');
    expect(await context.isHidden()).toBe(true);
    await cards.first().locator('button.expand').click();
    await context.waitFor({ state: 'visible' });
    expect(await cards.first().locator('button.expand').getAttribute('aria-expanded')).toBe('true');
    expect(await context.locator('p').textContent()).toBe(top.context.text);
    expect(await context.locator('mark.quote-span').textContent()).toBe(top.quote);

    await page.screenshot({ path: join(ARTIFACTS, 'web-answer.png'), fullPage: true });

    // "在报告中阅读" opens the paragraph in its section with the same span marked.
    await cards.first().locator('button.read').click();
    await page.waitForSelector(`.reader #paragraph-${top.paragraph}.focus mark.quote-span`);
    expect(await page.textContent(`#paragraph-${top.paragraph} mark.quote-span`)).toBe(top.quote);
    await page.click('.reader button.back');
    await page.waitForSelector('.answer[data-found="true"]');
  });

  it('shows "not found" honestly, with related passages and no highlighted figure', async () => {
    const { q, a } = missingQuestion;
    await open();
    await ask(q);
    const answer = page.locator('.answer');
    expect(await answer.getAttribute('data-kind')).toBe('not-found');
    expect(await answer.getAttribute('data-found')).toBe('false');
    expect(await page.textContent('.answer-text')).toBe(a.answer);
    expect(await page.locator('.answer mark.fig').count()).toBe(0);
    expect(await page.locator('.card').count()).toBe(a.citations.length);
    if (a.citations.length) expect(await page.textContent('.cards-heading')).toBeTruthy();
    await page.screenshot({ path: join(ARTIFACTS, 'web-not-found.png'), fullPage: true });
  });

  it('offers the example questions as chips that ask when clicked', async () => {
    await open();
    const chips = page.locator('#chips .chip');
    expect(await chips.allTextContents()).toEqual([...engine.examples]);
    const example = engine.examples[1] ?? engine.examples[0]!;
    await chips.filter({ hasText: example }).click();
    await page.waitForFunction((q) => document.querySelector('.answer .asked span')?.textContent === q, example);
    expect(new URL(page.url()).searchParams.get('q')).toBe(example);
  });

  it('opens a section from the outline and shows its paragraphs', async () => {
    const [doc] = engine.outline();
    const chapter = doc!.children.flatMap((n) => n.children).find((n) => n.level === 2 && n.children.some((c) => c.level === 3))!;
    const topic = chapter.children.find((c): c is OutlineNode & { paragraph: number } => c.level === 3 && c.paragraph !== undefined)!;
    const paragraph = engine.paragraph(topic.docId, topic.paragraph)!;

    await open();
    const node = page.locator('#outline-tree button.node', { hasText: chapter.title }).first();
    await node.click();
    await page.waitForSelector('.reader');
    expect(await page.textContent('.reader-title')).toBe(chapter.title);
    expect(await node.getAttribute('aria-current')).toBe('location');
    expect(await page.textContent(`.reader #paragraph-${topic.paragraph}`)).toBe(paragraph.text);
    expect(await page.textContent(`.reader #paragraph-${topic.paragraph} .topic`)).toBe(topic.title);

    // A topic goes to its paragraph inside the section.
    await page.locator('#outline-tree button.node', { hasText: topic.title }).first().click();
    await page.waitForSelector(`.reader #paragraph-${topic.paragraph}.focus`);
    await page.screenshot({ path: join(ARTIFACTS, 'web-outline.png') });
  });

  it('works on a phone: the outline is a drawer', async () => {
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    phone.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    try {
      await open(phone);
      expect(await phone.locator('#outline').isVisible()).toBe(false);
      expect(await phone.getAttribute('#outline-toggle', 'aria-expanded')).toBe('false');
      await phone.click('#outline-toggle');
      await phone.locator('#outline-tree button.node').first().waitFor({ state: 'visible' });
      const [doc] = engine.outline();
      const part = doc!.children[doc!.children.length - 1]!;
      await phone.locator('#outline-tree button.node', { hasText: part.title }).first().click();
      await phone.waitForSelector('.reader');
      await phone.locator('#outline').waitFor({ state: 'hidden' });

      await phone.fill('#q', figureQuestion.q);
      await phone.press('#q', 'Enter');
      await phone.waitForSelector('.answer[data-found="true"]');
      const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      await phone.screenshot({ path: join(ARTIFACTS, 'web-phone.png'), fullPage: true });
    } finally {
      await phone.close();
    }
  });

  it('keyboard: "/" focuses the search box, arrows move through chips and cards, Esc clears', async () => {
    await open();
    await page.locator('h1').click();
    expect(await page.evaluate(() => document.activeElement?.id)).not.toBe('q');
    await page.keyboard.press('/');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('q');
    expect(await page.inputValue('#q')).toBe('');

    await page.focus('#chips .chip >> nth=0');
    await page.keyboard.press('ArrowRight');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe(engine.examples[1]);
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe(engine.examples[engine.examples.length - 1]);

    await ask(figureQuestion.q);
    await page.focus('#q');
    await page.keyboard.press('ArrowDown');
    expect(await page.evaluate(() => document.activeElement?.classList.contains('card'))).toBe(true);
    if (figureQuestion.a.citations.length > 1) {
      await page.keyboard.press('ArrowDown');
      expect(await page.evaluate(() => Array.from(document.querySelectorAll('.card')).indexOf(document.activeElement as Element))).toBe(1);
    }
    await page.keyboard.press('Enter');
    await page.waitForSelector('.card:focus .context:not([hidden])');

    await page.keyboard.press('Escape');
    await page.waitForFunction(() => document.querySelector('#result')?.childElementCount === 0);
    expect(await page.inputValue('#q')).toBe('');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('q');
  });

  it('remembers the large-text setting', async () => {
    await open();
    expect(await page.getAttribute('html', 'data-text')).toBeNull();
    const before = await page.evaluate(() => parseFloat(getComputedStyle(document.documentElement).fontSize));
    await page.click('#large-text');
    expect(await page.getAttribute('#large-text', 'aria-pressed')).toBe('true');
    expect(await page.getAttribute('html', 'data-text')).toBe('large');
    const after = await page.evaluate(() => parseFloat(getComputedStyle(document.documentElement).fontSize));
    expect(after).toBeGreaterThan(before);
    await open();
    expect(await page.getAttribute('html', 'data-text')).toBe('large');
    expect(await page.getAttribute('#large-text', 'aria-pressed')).toBe('true');
    await page.click('#large-text');
    expect(await page.getAttribute('html', 'data-text')).toBeNull();
  });

  it('renders every dynamic string as text, never as markup', async () => {
    await open();
    const hostile = '<img src=x onerror="window.__pwned=1"> 托位<b>多少</b>';
    await ask(hostile);
    expect(await page.textContent('.answer .asked span')).toBe(hostile);
    expect(await page.locator('#result img, #result b').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  });

  it('is labelled for assistive technology', async () => {
    await open();
    await ask(figureQuestion.q);
    expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');
    expect(await page.textContent('label[for="q"]')).toBeTruthy();
    const unnamed = await page.$$eval('button', (buttons) =>
      buttons.filter((b) => !(b.getAttribute('aria-label') || b.textContent?.trim())).map((b) => b.outerHTML),
    );
    expect(unnamed).toEqual([]);
    expect(await page.getAttribute('#status', 'role')).toBe('status');
    expect(await page.textContent('#status')).toContain(figureQuestion.a.answer);
  });
});
