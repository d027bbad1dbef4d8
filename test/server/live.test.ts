import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConfig } from '../../src/config.ts';
import { runWeb, type RunningWeb } from '../../src/server/index.ts';
import { ROOT } from '../helpers/engine.ts';
import { makeDocx, paragraphsOf } from '../helpers/documents.ts';
import { captureLogger } from './support.ts';

/**
 * A running server picks up reports added, changed and removed in its reports directory without a
 * restart: the new engine is built beside the serving one and swapped in while questions keep
 * arriving; a directory that cannot be served leaves the old engine serving.
 */

const FIXTURES = join(ROOT, 'test/fixtures/provinces-2026');
const dir = mkdtempSync(join(tmpdir(), 'wp-live-'));
const reports = join(dir, 'reports');
let web: RunningWeb;
const { logger, lines } = captureLogger('info');

async function waitFor<T>(probe: () => Promise<T | undefined>, what: string, ms = 60_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(lines.filter((l) => /reload|added|watch/.test(String(l.msg))).map((l) => [l.msg, l.reason, l.err, l.generation]))} ${JSON.stringify((await health()).reloads)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const health = async (): Promise<any> => (await fetch(`${web.url}/healthz`)).json();
const ask = async (question: string): Promise<{ status: number; body: any }> => {
  const res = await fetch(`${web.url}/api/ask`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ question }) });
  return { status: res.status, body: await res.json() };
};

beforeAll(async () => {
  mkdirSync(reports, { recursive: true });
  copyFileSync(join(FIXTURES, '2026_广东省_政府工作报告.txt'), join(reports, 'guangdong.txt'));
  const config = createConfig({ DATA_DIR: dir, DICT_DIR: join(ROOT, 'data/dict'), PORT: '0', HOST: '127.0.0.1', API_RATE_LIMIT_PER_MINUTE: '100000' });
  web = await runWeb(config, logger);
}, 60_000);

afterAll(async () => {
  await web?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('reports change while the server runs', () => {
  it('a DOCX dropped into the directory goes live while questions are being answered, none of them failing', async () => {
    const before = await ask('吉林今年地区生产总值增长目标是多少');
    expect(before.body.found).toBe(false);
    const guangdong = (await ask('广东今年地区生产总值增长目标是多少')).body;
    expect(guangdong.found).toBe(true);

    // Questions in flight the whole time the new engine is built and swapped in.
    let loading = true;
    const outcomes: Array<{ status: number; answer: string }> = [];
    const worker = async (): Promise<void> => {
      while (loading) {
        const r = await ask('广东今年地区生产总值增长目标是多少');
        outcomes.push({ status: r.status, answer: r.body.answer });
      }
    };
    const workers = [worker(), worker(), worker()];

    const jilin = paragraphsOf(readFileSync(join(FIXTURES, '2026_吉林省_政府工作报告.txt'), 'utf8'));
    writeFileSync(join(reports, '吉林省政府工作报告.docx'), await makeDocx(jilin));
    const h = await waitFor(async () => {
      const x = await health();
      return x.documents.some((d: any) => d.id === 'jilin-2026') ? x : undefined;
    }, 'the DOCX to go live');
    loading = false;
    await Promise.all(workers);

    expect(outcomes.length).toBeGreaterThan(10);
    expect(outcomes.every((o) => o.status === 200 && o.answer === guangdong.answer)).toBe(true);
    expect(h.reloads).toMatchObject({ generation: 2, building: false });
    expect(h.reloads.lastError).toBeUndefined();

    const after = await ask('吉林今年地区生产总值增长目标是多少');
    expect(after.body.found).toBe(true);
    expect(after.body.citations[0].doc).toBe('2026年吉林省政府工作报告');
    const listed = (await (await fetch(`${web.url}/api/reports`)).json()) as any;
    expect(listed.reports.map((d: any) => d.id).sort()).toEqual(['guangdong-2026', 'jilin-2026']);
    const metrics = await (await fetch(`${web.url}/metrics`)).text();
    expect(metrics).toMatch(/workplan_reloads_total\{outcome="swapped"\} 1/);
    expect(metrics).toMatch(/workplan_reports_loaded 2/);
    expect(lines.some((l) => /report added from the reports directory/.test(String(l.msg)))).toBe(true);
  }, 90_000);

  it('a directory that cannot be served leaves the old engine serving, and the next good change recovers', async () => {
    const generation = (await health()).reloads.generation;
    writeFileSync(join(reports, 'guangdong.json'), '{ not json');
    const failed = await waitFor(async () => {
      const x = await health();
      return x.reloads.lastError ? x : undefined;
    }, 'the failed reload');
    expect(failed.reloads.generation).toBe(generation);
    expect(failed.documents).toHaveLength(2);
    expect((await ask('广东今年地区生产总值增长目标是多少')).body.found).toBe(true);
    expect(lines.some((l) => /reloading the reports failed/.test(String(l.msg)))).toBe(true);

    unlinkSync(join(reports, 'guangdong.json'));
    const recovered = await waitFor(async () => {
      const x = await health();
      return x.reloads.generation > generation && !x.reloads.lastError ? x : undefined;
    }, 'the recovery');
    expect(recovered.documents).toHaveLength(2);
  }, 90_000);

  it('a removed report stops being answered', async () => {
    unlinkSync(join(reports, 'jilin-2026.txt'));
    await waitFor(async () => ((await health()).documents.length === 1 ? true : undefined), 'the removal');
    expect((await ask('吉林今年地区生产总值增长目标是多少')).body.found).toBe(false);
    const etag = (await fetch(`${web.url}/api/reports`)).headers.get('etag');
    expect(etag).toBeTruthy();
    // The list is revalidated, never served stale from a cache.
    expect((await fetch(`${web.url}/api/reports`, { headers: { 'If-None-Match': etag! } })).status).toBe(304);
  }, 90_000);
});
