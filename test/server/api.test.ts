import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Answer, Engine, OutlineNode } from '../../src/answer/index.ts';
import { createConfig } from '../../src/config.ts';
import { createMetrics, instrumentAsk } from '../../src/observability/index.ts';
import { apiMessages, MAX_API_QUESTION_CHARS, MAX_BODY_BYTES, type ApiErrorBody, type SectionView } from '../../src/server/index.ts';
import { Store } from '../../src/store/index.ts';
import { testEngine } from '../helpers/engine.ts';
import { buildApp, captureLogger, fromAddress, postJson, sample } from './support.ts';

let engine: Engine;
beforeAll(async () => {
  engine = await testEngine();
});

const QUESTION = '今年新增多少托位';

async function errorOf(res: Response): Promise<ApiErrorBody> {
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  return (await res.json()) as ApiErrorBody;
}

function stripTiming(a: Answer): Omit<Answer, 'latencyMs'> {
  const { latencyMs: _, ...rest } = a;
  return rest;
}

describe('POST /api/ask: the contract', () => {
  it('returns the Answer JSON the engine gives for the question', async () => {
    const { app } = buildApp(engine);
    const res = await postJson(app, '/api/ask', { question: QUESTION });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-request-id')).toBeTruthy();
    const body = (await res.json()) as Answer;
    const expected = await engine.ask(QUESTION, { channel: 'web' });
    expect(stripTiming(body)).toEqual(stripTiming(expected));
    // The ARCHITECTURE.md fields, with their types.
    expect(typeof body.question).toBe('string');
    expect(typeof body.found).toBe('boolean');
    expect(typeof body.answer).toBe('string');
    expect(typeof body.latencyMs).toBe('number');
    for (const c of body.citations) {
      expect(Object.keys(c)).toEqual(expect.arrayContaining(['doc', 'section', 'quote', 'score']));
      expect(c.context.text.slice(c.context.start, c.context.end)).toBe(c.quote);
    }
  });

  it('accepts a charset parameter and surrounding white space, and honours maxCitations', async () => {
    const { app } = buildApp(engine);
    const res = await postJson(app, '/api/ask', { question: `  ${QUESTION}\u3000`, maxCitations: 1 }, {
      headers: { 'Content-Type': 'application/json; charset=UTF-8' },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Answer;
    expect(body.question).toBe(QUESTION);
    expect(body.citations.length).toBeLessThanOrEqual(1);
  });

  it('answers 501–2000 characters, cut by the engine with a notice', async () => {
    const { app } = buildApp(engine);
    const long = QUESTION + '请'.repeat(1200);
    const res = await postJson(app, '/api/ask', { question: long });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Answer;
    const expected = await engine.ask(long);
    expect(body.notice).toBeTruthy();
    expect(body.notice).toBe(expected.notice);
    expect([...body.question].length).toBeLessThan([...long].length);
  });

  it('counts, times and logs each question under the web channel, with a hashed user', async () => {
    const metrics = createMetrics({ defaults: false });
    const file = join(mkdtempSync(join(tmpdir(), 'workplan-api-')), 'log.sqlite');
    const store = Store.open(file);
    const ask = instrumentAsk(engine.ask, { metrics, store });
    const { app } = buildApp(engine, { ask, metrics });
    await postJson(app, '/api/ask', { question: QUESTION }, { address: '203.0.113.9' });
    await postJson(app, '/api/ask', { question: '月球上建几个托儿所' }, { address: '203.0.113.9' });

    const text = await (await app.request('/metrics')).text();
    const found = await engine.ask(QUESTION);
    const other = await engine.ask('月球上建几个托儿所');
    const foundCount = (found.found ? 1 : 0) + (other.found ? 1 : 0);
    expect(sample(text, 'workplan_questions_total{channel="web",found="true"}') ?? 0).toBe(foundCount);
    expect(sample(text, 'workplan_questions_total{channel="web",found="false"}') ?? 0).toBe(2 - foundCount);
    expect(sample(text, 'workplan_answer_seconds_count{channel="web"}')).toBe(2);

    store.close();
    const db = new Database(file, { readonly: true });
    const rows = db.prepare('SELECT channel, question, found, user_hash AS userHash, section FROM queries ORDER BY id').all() as Array<{
      channel: string;
      question: string;
      found: number;
      userHash: string | null;
      section: string | null;
    }>;
    db.close();
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ channel: 'web', question: QUESTION, found: found.found ? 1 : 0 });
    expect(rows[0]!.section).toBe(found.citations[0]?.section ?? null);
    expect(rows[0]!.userHash).toMatch(/^[0-9a-f]{16}$/);
    expect(rows[0]!.userHash).not.toContain('203.0.113.9');
    expect(rows[1]!.userHash).toBe(rows[0]!.userHash);
  });
});

describe('POST /api/ask: each error status', () => {
  it.each([
    ['missing', {}, 'question_empty', apiMessages.questionEmpty],
    ['null', { question: null }, 'question_empty', apiMessages.questionEmpty],
    ['blank', { question: ' \t\u3000 ' }, 'question_empty', apiMessages.questionEmpty],
    ['not text', { question: 42 }, 'question_not_text', apiMessages.questionNotText],
    ['over-long', { question: '托'.repeat(MAX_API_QUESTION_CHARS + 1) }, 'question_too_long', apiMessages.questionTooLong],
    ['not an object', ['今年新增多少托位'], 'invalid_body', apiMessages.invalidBody],
    ['bad maxCitations', { question: QUESTION, maxCitations: 9 }, 'invalid_body', apiMessages.invalidBody],
  ])('400 for a %s question', async (_name, body, code, message) => {
    const { app, metrics } = buildApp(engine);
    const res = await postJson(app, '/api/ask', body);
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toEqual({ error: { code, message } });
    // Refused input never reaches the engine.
    expect(sample(await metrics.registry.metrics(), 'workplan_answer_seconds_count{channel="web"}') ?? 0).toBe(0);
  });

  it('counts a 2000-character question as within the limit', async () => {
    const { app } = buildApp(engine);
    const res = await postJson(app, '/api/ask', { question: '托'.repeat(MAX_API_QUESTION_CHARS) });
    expect(res.status).toBe(200);
  });

  it('400 for a body that is not JSON', async () => {
    const { app } = buildApp(engine);
    const res = await postJson(app, '/api/ask', '{"question": "托位');
    expect(res.status).toBe(400);
    expect((await errorOf(res)).error).toEqual({ code: 'invalid_json', message: apiMessages.invalidJson });
  });

  it.each([
    ['text/plain', { 'Content-Type': 'text/plain' }],
    ['a form', { 'Content-Type': 'application/x-www-form-urlencoded' }],
    ['json-ish', { 'Content-Type': 'application/jsonp' }],
  ])('415 for %s', async (_name, headers) => {
    const { app } = buildApp(engine);
    const res = await postJson(app, '/api/ask', JSON.stringify({ question: QUESTION }), { headers });
    expect(res.status).toBe(415);
    expect((await errorOf(res)).error).toEqual({ code: 'unsupported_media_type', message: apiMessages.unsupportedMediaType });
  });

  it('415 without a content type', async () => {
    const { app } = buildApp(engine);
    const res = await app.request('/api/ask', { method: 'POST', body: new Blob([JSON.stringify({ question: QUESTION })]) }, fromAddress('198.51.100.1'));
    expect(res.status).toBe(415);
  });

  it('413 for a body over 16 KB, declared or streamed', async () => {
    const { app } = buildApp(engine);
    const big = JSON.stringify({ question: QUESTION, padding: 'x'.repeat(MAX_BODY_BYTES) });
    const declared = await postJson(app, '/api/ask', big);
    expect(declared.status).toBe(413);
    expect((await errorOf(declared)).error).toEqual({ code: 'payload_too_large', message: apiMessages.payloadTooLarge });

    const bytes = new TextEncoder().encode(big);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 4096) controller.enqueue(bytes.slice(i, i + 4096));
        controller.close();
      },
    });
    const streamed = await app.request(
      '/api/ask',
      { method: 'POST', headers: { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' }, body: stream, duplex: 'half' } as RequestInit,
      fromAddress('198.51.100.1'),
    );
    expect(streamed.status).toBe(413);
  });

  it('405 with Allow for GET /api/ask', async () => {
    const { app } = buildApp(engine);
    const res = await app.request('/api/ask');
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
    expect((await errorOf(res)).error.code).toBe('method_not_allowed');
  });

  it('404 JSON for an unknown route, inside and outside /api', async () => {
    const { app } = buildApp(engine);
    for (const path of ['/api/nope', '/nope', '/assets/nope.js', '/assets/index.html']) {
      const res = await app.request(path);
      expect(res.status, path).toBe(404);
      expect(await errorOf(res)).toEqual({ error: { code: 'not_found', message: apiMessages.notFound } });
    }
  });

  it('500 with a request id for an unexpected error: cause logged, never leaked', async () => {
    const { logger, lines } = captureLogger();
    const metrics = createMetrics({ defaults: false });
    const secret = 'hnsw segfault at /srv/secret/path';
    const ask = instrumentAsk(
      async () => {
        throw new Error(secret);
      },
      { metrics },
    );
    const { app } = buildApp(engine, { ask, metrics, logger });
    const res = await postJson(app, '/api/ask', { question: QUESTION });
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).not.toContain('secret');
    expect(text).not.toContain('Error');
    const body = JSON.parse(text) as ApiErrorBody;
    expect(body.error).toEqual({ code: 'internal_error', message: apiMessages.internal });
    expect(body.requestId).toBeTruthy();
    expect(res.headers.get('x-request-id')).toBe(body.requestId);

    const logged = lines.find((l) => l.msg === 'unhandled error');
    expect(logged).toBeDefined();
    expect(logged!.requestId).toBe(body.requestId);
    expect(JSON.stringify(logged!.err)).toContain(secret);

    const m = await metrics.registry.metrics();
    expect(sample(m, 'workplan_errors_total{channel="web",kind="ask"}')).toBe(1);
    expect(sample(m, 'workplan_errors_total{channel="web",kind="unhandled"}')).toBe(1);
  });
});

describe('errors in mounted channel routes', () => {
  it('are 500 JSON too, and a secret in the path never reaches the log', async () => {
    const { logger, lines } = captureLogger();
    const { app } = buildApp(engine, { logger });
    const token = '123456:AAHsecretsecretsecretsecret';
    app.post(`/bot${token}`, () => {
      throw new Error('grammY blew up');
    });
    app.post(`/telegram/${token}`, () => {
      throw new Error('grammY blew up');
    });
    for (const path of [`/bot${token}`, `/telegram/${token}`]) {
      const res = await app.request(path, { method: 'POST' });
      expect(res.status).toBe(500);
      expect((await errorOf(res)).error.code).toBe('internal_error');
    }
    const logged = lines.filter((l) => l.msg === 'unhandled error');
    expect(logged.map((l) => l.path)).toEqual(['/…', '/telegram/…']);
    expect(JSON.stringify(lines)).not.toContain('secretsecret');
  });
});

describe('POST /api/ask: the per-address rate limit', () => {
  it('refuses the (limit+1)th question in a minute with 429 and Retry-After, and still serves other addresses', async () => {
    const { app, metrics } = buildApp(engine, { rateLimitPerMinute: 3 });
    const ask = (address = '192.0.2.10') => postJson(app, '/api/ask', { question: QUESTION }, { address });

    const remaining: Array<string | null> = [];
    for (let i = 0; i < 3; i++) {
      const res = await ask();
      expect(res.status).toBe(200);
      expect(res.headers.get('ratelimit-limit')).toBe('3');
      remaining.push(res.headers.get('ratelimit-remaining'));
    }
    expect(remaining).toEqual(['2', '1', '0']);

    const refused = await ask();
    expect(refused.status).toBe(429);
    expect(refused.headers.get('ratelimit-remaining')).toBe('0');
    const retryAfter = refused.headers.get('retry-after') ?? '';
    expect(retryAfter).toMatch(/^\d+$/);
    const seconds = Number(retryAfter);
    expect(seconds).toBeGreaterThanOrEqual(1);
    expect(seconds).toBeLessThanOrEqual(60);
    const body = await errorOf(refused);
    expect(body.error).toEqual({ code: 'rate_limited', message: apiMessages.rateLimited(seconds) });
    expect(sample(await metrics.registry.metrics(), 'workplan_rate_limited_total{channel="web"}')).toBe(1);

    // Another address has its own allowance.
    expect((await ask('192.0.2.11')).status).toBe(200);

    // Invalid requests count too (they cost the server as much to refuse).
    for (let i = 0; i < 3; i++) expect((await postJson(app, '/api/ask', {}, { address: '192.0.2.12' })).status).toBe(400);
    expect((await ask('192.0.2.12')).status).toBe(429);
  });

  it('limits /api/feedback separately from /api/ask', async () => {
    const { app } = buildApp(engine, { rateLimitPerMinute: 1 });
    const address = '192.0.2.30';
    const vote = () => postJson(app, '/api/feedback', { question: QUESTION, vote: 'up' }, { address });
    expect((await postJson(app, '/api/ask', { question: QUESTION }, { address })).status).toBe(200);
    expect((await vote()).status).toBe(200);
    const refused = await vote();
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });

  it('keys on the socket address, ignoring X-Forwarded-For unless told to trust a proxy', async () => {
    const { app } = buildApp(engine, { rateLimitPerMinute: 1 });
    const spoof = (n: number) => ({ address: '192.0.2.20', headers: { 'X-Forwarded-For': `10.0.0.${n}` } });
    expect((await postJson(app, '/api/ask', { question: QUESTION }, spoof(1))).status).toBe(200);
    expect((await postJson(app, '/api/ask', { question: QUESTION }, spoof(2))).status).toBe(429);

    const proxied = buildApp(engine, { rateLimitPerMinute: 1, trustProxy: true }).app;
    expect((await postJson(proxied, '/api/ask', { question: QUESTION }, spoof(1))).status).toBe(200);
    expect((await postJson(proxied, '/api/ask', { question: QUESTION }, spoof(2))).status).toBe(200);
    expect((await postJson(proxied, '/api/ask', { question: QUESTION }, spoof(2))).status).toBe(429);
  });

  it('trusts the proxy when TRUST_PROXY is set in the configuration, unless told otherwise', async () => {
    const spoof = (n: number) => ({ address: '192.0.2.21', headers: { 'X-Forwarded-For': `10.0.0.${n}` } });
    const config = createConfig({ TRUST_PROXY: 'true' });
    const fromConfig = buildApp(engine, { rateLimitPerMinute: 1, config }).app;
    expect((await postJson(fromConfig, '/api/ask', { question: QUESTION }, spoof(1))).status).toBe(200);
    expect((await postJson(fromConfig, '/api/ask', { question: QUESTION }, spoof(2))).status).toBe(200);

    const overridden = buildApp(engine, { rateLimitPerMinute: 1, config, trustProxy: false }).app;
    expect((await postJson(overridden, '/api/ask', { question: QUESTION }, spoof(1))).status).toBe(200);
    expect((await postJson(overridden, '/api/ask', { question: QUESTION }, spoof(2))).status).toBe(429);
  });

  it('treats one IPv6 /64 as one client', async () => {
    const { app } = buildApp(engine, { rateLimitPerMinute: 1 });
    expect((await postJson(app, '/api/ask', { question: QUESTION }, { address: '2001:db8:5:6::1' })).status).toBe(200);
    expect((await postJson(app, '/api/ask', { question: QUESTION }, { address: '2001:db8:5:6:ffff::2' })).status).toBe(429);
    expect((await postJson(app, '/api/ask', { question: QUESTION }, { address: '2001:db8:5:7::1' })).status).toBe(200);
  });

  it('defaults to API_RATE_LIMIT_PER_MINUTE from the configuration', async () => {
    const { app } = buildApp(engine);
    const res = await postJson(app, '/api/ask', { question: QUESTION });
    expect(res.headers.get('ratelimit-limit')).toBe('30');
  });
});

describe('GET routes for the page', () => {
  it('/api/outline is the engine outline', async () => {
    const { app } = buildApp(engine);
    const res = await app.request('/api/outline');
    expect(res.status).toBe(200);
    expect((await res.json()) as OutlineNode[]).toEqual(engine.outline());
  });

  it('/api/paragraph/:docId/:n is the engine paragraph, 404 otherwise', async () => {
    const { app } = buildApp(engine);
    const docId = engine.info.documents[0]!.id;
    const res = await app.request(`/api/paragraph/${docId}/3`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(engine.paragraph(docId, 3));
    for (const path of [`/api/paragraph/${docId}/99999`, `/api/paragraph/${docId}/-1`, `/api/paragraph/${docId}/x`, '/api/paragraph/nope/1']) {
      const miss = await app.request(path);
      expect(miss.status, path).toBe(404);
      expect((await errorOf(miss)).error).toEqual({ code: 'not_found', message: apiMessages.paragraphNotFound });
    }
  });

  it('/api/section finds a section by path and by paragraph', async () => {
    const { app } = buildApp(engine);
    const [doc] = engine.outline();
    const part = doc!.children.find((n) => n.children.some((c) => c.level === 2))!;
    const chapter = part.children.find((c) => c.level === 2 && c.paragraph !== undefined)!;
    const path = `${part.title} › ${chapter.title}`;

    const byPath = (await (await app.request(`/api/section/${doc!.docId}?path=${encodeURIComponent(path)}`)).json()) as SectionView;
    expect(byPath.path).toEqual([part.title, chapter.title]);
    expect(byPath.paragraphs.length).toBeGreaterThan(1);
    for (const p of byPath.paragraphs) expect(p.section.startsWith(path)).toBe(true);
    expect(byPath.paragraphs.find((p) => p.paragraph === chapter.paragraph)?.heading).toBe(true);

    const topic = chapter.children.find((c) => c.level === 3)!;
    const byParagraph = (await (await app.request(`/api/section/${doc!.docId}?paragraph=${topic.paragraph}`)).json()) as SectionView;
    expect(byParagraph.focus).toBe(topic.paragraph);
    expect(byParagraph.path).toEqual([part.title, chapter.title]);
    expect(byParagraph.paragraphs.map((p) => p.paragraph)).toEqual(byPath.paragraphs.map((p) => p.paragraph));

    for (const q of ['?path=no%20such%20section', '?paragraph=99999', '?paragraph=x', '']) {
      expect((await app.request(`/api/section/${doc!.docId}${q}`)).status, q).toBe(404);
    }
    expect((await app.request('/api/section/nope?paragraph=1')).status).toBe(404);
  });

  it('/api/examples and /api/meta describe what the page shows first', async () => {
    const { app } = buildApp(engine);
    expect(await (await app.request('/api/examples')).json()).toEqual({ examples: [...engine.examples] });
    const meta = (await (await app.request('/api/meta')).json()) as Record<string, unknown>;
    expect(meta).toMatchObject({
      version: '9.9.9-test',
      title: engine.info.title,
      defaultRegion: '市北区',
      examples: [...engine.examples],
      examplesByReport: { 'shibei-2025': [...engine.examplesFor('shibei-2025')] },
      feedback: true,
      maxQuestionChars: MAX_API_QUESTION_CHARS,
    });
  });
});

describe('reports: what is loaded and the report filter', () => {
  it('/api/reports lists every loaded report with what it covers', async () => {
    const { app } = buildApp(engine);
    const res = await app.request('/api/reports');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { reports: Array<Record<string, unknown>>; defaultRegion?: string };
    expect(body.reports.map((r) => r.id)).toEqual(engine.info.documents.map((d) => d.id));
    expect(body.reports[0]).toMatchObject({ id: 'shibei-2025', region: '市北区', year: 2025 });
    expect(body.reports[0]!.periods).toEqual(expect.arrayContaining(['current', 'last-year']));
    expect(body.defaultRegion).toBe('市北区');
  });

  it('POST /api/ask takes a report id or a region in any usual form, and answers from it', async () => {
    const { app } = buildApp(engine);
    for (const scope of [{ report: 'shibei-2025' }, { region: '市北' }, { region: '市北区' }]) {
      const res = await postJson(app, '/api/ask', { question: QUESTION, ...scope });
      expect(res.status, JSON.stringify(scope)).toBe(200);
      const body = (await res.json()) as Answer;
      expect(body.found).toBe(true);
      expect(body.citations.every((c) => c.docId === 'shibei-2025')).toBe(true);
    }
  });

  it('refuses an unknown report or region with a clear message, and does not answer', async () => {
    const { app } = buildApp(engine);
    const unknownReport = await postJson(app, '/api/ask', { question: QUESTION, report: 'nope-2026' });
    expect(unknownReport.status).toBe(400);
    expect((await errorOf(unknownReport)).error).toEqual({ code: 'unknown_report', message: apiMessages.unknownReport });
    const unknownRegion = await postJson(app, '/api/ask', { question: QUESTION, region: '浙江' });
    expect(unknownRegion.status).toBe(400);
    const body = await errorOf(unknownRegion);
    expect(body.error.code).toBe('unknown_region');
    expect(body.error.message).toContain('浙江');
    for (const bad of [{ report: '' }, { report: 5 }, { region: 'x'.repeat(51) }]) {
      expect((await postJson(app, '/api/ask', { question: QUESTION, ...bad })).status, JSON.stringify(bad)).toBe(400);
    }
  });

  it('/api/examples?report= gives that report’s examples, each one the report answers', async () => {
    const { app } = buildApp(engine);
    const { examples } = (await (await app.request('/api/examples?report=shibei-2025')).json()) as { examples: string[] };
    expect(examples.length).toBeGreaterThan(2);
    for (const q of examples) expect((await engine.ask(q)).found, q).toBe(true);
  });
});

describe('operations', () => {
  it('/healthz reports the loaded index, the documents and the version', async () => {
    const { app } = buildApp(engine);
    const res = await app.request('/healthz');
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, any>;
    expect(body.status).toBe('ok');
    expect(body.version).toBe('9.9.9-test');
    expect(body.index.loaded).toBe(true);
    expect(body.index.units).toBe(engine.info.units);
    expect(body.documents.map((d: { id: string }) => d.id)).toEqual(engine.info.documents.map((d) => d.id));
  });

  it('/metrics serves Prometheus text with every series the issue asks for', async () => {
    const { app } = buildApp(engine);
    await postJson(app, '/api/ask', { question: QUESTION });
    const res = await app.request('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    for (const name of ['workplan_questions_total', 'workplan_answer_seconds_bucket', 'workplan_errors_total', 'workplan_rate_limited_total']) {
      expect(text).toContain(name);
    }
  });
});

describe('feedback', () => {
  it('records 👍/👎 in the store', async () => {
    const { app, store } = buildApp(engine);
    const ok = await postJson(app, '/api/feedback', { question: QUESTION, vote: 'up', section: 's', quote: 'q' });
    expect(ok.status).toBe(200);
    await postJson(app, '/api/feedback', { question: QUESTION, vote: 'down' });
    expect(store.feedbackCounts()).toMatchObject({ up: 1, down: 1 });
    expect((await postJson(app, '/api/feedback', { question: QUESTION, vote: 'meh' })).status).toBe(400);
    expect((await postJson(app, '/api/feedback', { vote: 'up' })).status).toBe(400);
  });

  it('answers 404 when no store is given', async () => {
    const { app } = buildApp(engine, { feedback: undefined });
    const res = await postJson(app, '/api/feedback', { question: QUESTION, vote: 'up' });
    expect(res.status).toBe(404);
    expect((await errorOf(res)).error.code).toBe('feedback_unavailable');
  });
});

describe('channels mounted afterwards', () => {
  it('keep working: the 404 fallback, body limit and JSON rule do not reach them', async () => {
    const { app } = buildApp(engine);
    // What the lead does with the WeChat routes and the Telegram webhook.
    app.post('/wechat', async (c) => c.text(`got ${(await c.req.text()).length}`, 200));
    app.get('/wechat', (c) => c.text('echostr'));
    const xml = `<xml>${'x'.repeat(MAX_BODY_BYTES * 2)}</xml>`;
    const post = await app.request('/wechat', { method: 'POST', headers: { 'Content-Type': 'text/xml' }, body: xml });
    expect(post.status).toBe(200);
    expect(await post.text()).toBe(`got ${xml.length}`);
    expect(await (await app.request('/wechat')).text()).toBe('echostr');
    expect((await app.request('/still-unknown')).status).toBe(404);
  });
});

describe('the page and its assets', () => {
  it('serves / as HTML with a strict CSP, an ETag and revalidation', async () => {
    const { app } = buildApp(engine);
    const res = await app.request('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const etag = res.headers.get('etag')!;
    expect(etag).toMatch(/^"[\w-]+"$/);
    expect(await res.text()).toContain('<html lang="zh-CN">');

    const again = await app.request('/', { headers: { 'If-None-Match': etag } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    expect((await app.request('/', { method: 'HEAD' })).status).toBe(200);
  });

  it('serves every file the page references, with its content type, and nothing from elsewhere', async () => {
    const { app } = buildApp(engine);
    const html = await (await app.request('/')).text();
    const all = [...html.matchAll(/\b(?:src|href)="([^"]+)"/g)].map((m) => m[1]!).filter((r) => !r.startsWith('#'));
    // Links to the app's other pages are pages (HTML with the CSP), everything else is an asset.
    const pages: string[] = all.filter((r) => r === '/targets');
    for (const path of pages) {
      const res = await app.request(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type'), path).toBe('text/html; charset=utf-8');
      expect(res.headers.get('content-security-policy'), path).toContain("script-src 'self'");
    }
    const refs = all.filter((r) => !pages.includes(r));
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) expect(ref, ref).toMatch(/^\/assets\/[\w.-]+$/);

    const types: Record<string, RegExp> = { js: /^text\/javascript/, css: /^text\/css/, svg: /^image\/svg\+xml/ };
    const assets = new Set([...refs, '/assets/highlight.js', '/assets/messages.js']);
    for (const path of assets) {
      const res = await app.request(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type'), path).toMatch(types[path.split('.').pop()!]!);
      const text = await res.text();
      // No CDN, no web font, no remote import: the page must work without a network.
      const remote = text.replace(/xmlns="http:\/\/www\.w3\.org\/2000\/svg"/g, '').match(/https?:\/\/|\/\/cdn|@import|url\(\s*['"]?(?:https?:)?\/\//g);
      expect(remote, path).toBeNull();
    }
    // Type declarations for the tests are not served.
    expect((await app.request('/assets/highlight.d.ts')).status).toBe(404);
  });
});
