import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createConfig, type Config } from '../../src/config.ts';
import { PortInUseError, runWeb, startServer, type WebServices } from '../../src/server/index.ts';
import { Store } from '../../src/store/index.ts';
import { ROOT } from '../helpers/engine.ts';
import { captureLogger, silentLogger } from './support.ts';

/** The real data, with the index and the query log in a private directory. */
function testConfig(env: Record<string, string> = {}): Config {
  const dir = mkdtempSync(join(tmpdir(), 'workplan-web-'));
  const config = createConfig({ DATA_DIR: join(ROOT, 'data'), PORT: '0', HOST: '127.0.0.1', ...env });
  return { ...config, paths: { ...config.paths, index: join(dir, 'index'), database: join(dir, 'workplan.sqlite') } };
}

describe('runWeb', () => {
  it('starts everything, lets channels mount, logs the URL, prunes the log, and stops cleanly', async () => {
    const config = testConfig({ QUERY_LOG_RETENTION_DAYS: '30' });
    const seed = Store.open(config.paths.database);
    seed.recordQuery({ question: '很久以前的问题', channel: 'web', found: true, latencyMs: 1, at: Date.now() - 40 * 86_400_000 });
    seed.recordQuery({ question: '上周的问题', channel: 'telegram', found: false, latencyMs: 1, at: Date.now() - 7 * 86_400_000 });
    seed.close();

    const { logger, lines } = captureLogger('info');
    const signals = { int: process.listenerCount('SIGINT'), term: process.listenerCount('SIGTERM') };
    let services: WebServices | undefined;
    let stopped = 0;
    const web = await runWeb(config, logger, {
      mount(app, s) {
        services = s;
        app.get('/channel-probe', (c) => c.text('mounted'));
      },
      async onStop() {
        stopped++;
      },
    });
    try {
      expect(process.listenerCount('SIGINT')).toBe(signals.int + 1);
      expect(process.listenerCount('SIGTERM')).toBe(signals.term + 1);
      expect(web.url).toBe(`http://127.0.0.1:${web.port}`);
      expect(lines.some((l) => l.msg === `ready: web page and API at ${web.url}`)).toBe(true);
      expect(lines.some((l) => l.msg === 'query log pruned' && l.removed === 1)).toBe(true);
      expect(services?.engine.info.documents.length).toBeGreaterThan(0);

      expect(await (await fetch(`${web.url}/channel-probe`)).text()).toBe('mounted');
      expect((await fetch(`${web.url}/healthz`)).status).toBe(200);
      expect((await fetch(`${web.url}/`)).headers.get('content-type')).toMatch(/^text\/html/);
      const res = await fetch(`${web.url}/api/ask`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ question: '今年新增多少托位' }),
      });
      expect(res.status).toBe(200);
      // A channel's question goes through the same instrumented ask and query log.
      await services!.ask('加装电梯多少部', { channel: 'telegram', userId: 'abc' });
    } finally {
      await web.stop();
      await web.stop();
    }
    expect(stopped).toBe(1);
    expect(process.listenerCount('SIGINT')).toBe(signals.int);
    expect(process.listenerCount('SIGTERM')).toBe(signals.term);

    const store = Store.open(config.paths.database);
    try {
      expect(store.countQueries()).toBe(3);
      const asked = store.topQuestions(10).map((q) => q.question);
      expect(asked).toEqual(expect.arrayContaining(['上周的问题', '今年新增多少托位', '加装电梯多少部']));
      expect(asked).not.toContain('很久以前的问题');
    } finally {
      store.close();
    }
  });

  it('keys the API rate limit on X-Forwarded-For when TRUST_PROXY is set', async () => {
    const web = await runWeb(testConfig({ TRUST_PROXY: 'true', API_RATE_LIMIT_PER_MINUTE: '1' }), silentLogger);
    try {
      const ask = (forwardedFor: string) =>
        fetch(`${web.url}/api/ask`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': forwardedFor },
          body: JSON.stringify({ question: '今年新增多少托位' }),
        });
      expect((await ask('203.0.113.1')).status).toBe(200);
      // Same socket address, another forwarded client: its own allowance.
      expect((await ask('203.0.113.2')).status).toBe(200);
      expect((await ask('203.0.113.2')).status).toBe(429);
    } finally {
      await web.stop();
    }
  });

  it('fails with PortInUseError when the port is taken, after stopping what it started', async () => {
    const blocker = await startServer(
      { fetch: () => new Response('busy') } as never,
      { port: 0, host: '127.0.0.1', logger: silentLogger },
    );
    try {
      const config = { ...testConfig(), PORT: blocker.port };
      const signals = process.listenerCount('SIGINT');
      let stopped = false;
      const start = runWeb(config, silentLogger, {
        async onStop() {
          stopped = true;
        },
      });
      await expect(start).rejects.toBeInstanceOf(PortInUseError);
      await expect(start).rejects.toThrow(String(blocker.port));
      expect(stopped).toBe(true);
      expect(process.listenerCount('SIGINT')).toBe(signals);
    } finally {
      await blocker.close();
    }
  });
});
