import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/answer/index.ts';
import { answerer, ANSWER_PROMPT } from '../../src/bootstrap.ts';
import { createConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { createMetrics } from '../../src/observability/index.ts';
import { createChatModel, createPhraser, loadPrompt, withPhrasing } from '../../src/llm/index.ts';
import { testEngine } from '../helpers/engine.ts';
import { startFakeModelServer, type FakeModelServer } from './fakes.ts';

let engine: Engine;
let openai: FakeModelServer;
let ollama: FakeModelServer;
const logger = createLogger('silent');

beforeAll(async () => {
  engine = await testEngine();
  openai = await startFakeModelServer('openai');
  ollama = await startFakeModelServer('ollama');
});
afterAll(async () => {
  await openai.close();
  await ollama.close();
});
beforeEach(() => {
  openai.requests.length = 0;
  ollama.requests.length = 0;
  openai.delayMs = 0;
  ollama.delayMs = 0;
});

function setup(provider: 'openai' | 'ollama', timeoutMs?: number, report?: Parameters<typeof createPhraser>[0]['report']) {
  const server = provider === 'openai' ? openai : ollama;
  const config = createConfig({ LLM_PROVIDER: provider, LLM_BASE_URL: server.url, LLM_MODEL: 'fake-chat', LLM_API_KEY: 'sk-secret-key' });
  const metrics = createMetrics({ defaults: false });
  const model = createChatModel(config)!;
  const phraser = createPhraser({
    model,
    modelName: `${provider}:fake-chat`,
    prompt: loadPrompt(ANSWER_PROMPT),
    logger,
    metrics,
    ...(timeoutMs ? { timeoutMs: () => timeoutMs } : {}),
    report: report ?? { title: '市北区2025年政府工作报告', region: '市北区', year: 2025 },
  });
  return { server, metrics, ask: withPhrasing((q, o) => engine.ask(q, o), phraser) };
}

const fallbacks = async (metrics: ReturnType<typeof createMetrics>, reason: string) =>
  (await metrics.llmFallbacks.get()).values.find((v) => v.labels.reason === reason)?.value ?? 0;

describe('LLM phrasing behind the grounding guard', () => {
  it('serves a faithful phrasing, keeping the verbatim quotes', async () => {
    const { server, ask } = setup('openai');
    server.reply = '今年将增加普惠托位300个,每千人口托位数达到4.6个[1]。';
    const extractive = await engine.ask('今年新增多少托位');
    const a = await ask('今年新增多少托位');
    expect(a.answer).toBe(server.reply);
    expect(a.generatedBy).toBe('openai:fake-chat');
    expect(a.citations).toEqual(extractive.citations);
    // The request carried the passages and the question, delimited, and the key only as a header.
    const sent = server.requests.find((r) => r.path === '/v1/chat/completions')!;
    const user = sent.body.messages.at(-1).content as string;
    expect(user).toContain('<passages>');
    expect(user).toContain('增加普惠托位300个');
    expect(user).toContain('<question>\n今年新增多少托位\n</question>');
    expect(sent.headers.authorization).toBe('Bearer sk-secret-key');
  });

  it('describes, with many reports loaded, the report the answer cites', async () => {
    const seen: Array<string | undefined> = [];
    const { server, ask } = setup('openai', undefined, (docId) => {
      seen.push(docId);
      return { title: `《${docId}》`, region: '某地', year: 2025 };
    });
    server.reply = '今年将增加普惠托位300个[1]。';
    await ask('今年新增多少托位');
    expect(seen).toEqual(['shibei-2025']);
    const sent = server.requests.filter((r) => r.path === '/v1/chat/completions').at(-1)!;
    expect(sent.body.messages[0].content as string).toContain('《shibei-2025》');
  });

  it('rejects an invented figure and serves the extractive answer', async () => {
    const { server, ask, metrics } = setup('openai');
    server.reply = '今年将增加普惠托位500个[1]。';
    const a = await ask('今年新增多少托位');
    expect(a.generatedBy).toBeUndefined();
    expect(a.answer).toBe((await engine.ask('今年新增多少托位')).answer);
    expect(await fallbacks(metrics, 'rejected')).toBe(1);
  });

  it('rejects a citation to a passage that was not given', async () => {
    const { server, ask, metrics } = setup('openai');
    server.reply = '增加普惠托位300个[7]。';
    const a = await ask('今年新增多少托位');
    expect(a.generatedBy).toBeUndefined();
    expect(await fallbacks(metrics, 'rejected')).toBe(1);
  });

  it('keeps the extractive answer when the model says the report does not cover it', async () => {
    const { server, ask, metrics } = setup('openai');
    server.reply = '报告中未提及。';
    const a = await ask('加装电梯多少部');
    expect(a.answer).toContain('120部以上');
    expect(await fallbacks(metrics, 'declined')).toBe(1);
  });

  it('falls back on a timeout without showing an error', async () => {
    const { server, ask, metrics } = setup('openai', 150);
    server.reply = '增加普惠托位300个[1]。';
    server.delayMs = 1500;
    const a = await ask('今年新增多少托位');
    expect(a.found).toBe(true);
    expect(a.generatedBy).toBeUndefined();
    expect(a.answer).toContain('300个');
    expect(await fallbacks(metrics, 'timeout')).toBe(1);
  });

  it('stops calling a hanging model after repeated timeouts, serves at once, and probes again after the cooldown', async () => {
    const server = openai;
    const config = createConfig({ LLM_PROVIDER: 'openai', LLM_BASE_URL: server.url, LLM_MODEL: 'fake-chat', LLM_API_KEY: 'k' });
    const metrics = createMetrics({ defaults: false });
    const phraser = createPhraser({
      model: createChatModel(config)!,
      modelName: 'openai:fake-chat',
      prompt: loadPrompt(ANSWER_PROMPT),
      logger,
      metrics,
      timeoutMs: () => 300,
      circuit: { failures: 3, cooldownMs: 800 },
      report: { title: '市北区2025年政府工作报告', region: '市北区', year: 2025 },
    });
    const ask = withPhrasing((q, o) => engine.ask(q, o), phraser);
    server.reply = '增加普惠托位300个[1]。';
    server.delayMs = 5000;
    for (let i = 0; i < 3; i++) await ask('今年新增多少托位');
    expect(await fallbacks(metrics, 'timeout')).toBe(3);
    const sent = server.requests.length;
    // Open: answered without calling the model (so without waiting for its timeout).
    const fast = await ask('今年新增多少托位');
    expect(fast.answer).toContain('300个');
    expect(server.requests.length).toBe(sent);
    expect(await fallbacks(metrics, 'circuit-open')).toBe(1);
    // After the cooldown one call probes; the model is back, so phrasing resumes.
    server.delayMs = 0;
    await new Promise((r) => setTimeout(r, 900));
    const back = await ask('今年新增多少托位');
    expect(back.generatedBy).toBe('openai:fake-chat');
  }, 20_000);

  it('never sends refused questions to the model', async () => {
    const { server, ask } = setup('openai');
    server.reply = '崂山区增加托位300个[1]。';
    const a = await ask('崂山区今年新增多少托位');
    expect(a.found).toBe(false);
    expect(server.requests).toHaveLength(0);
  });

  it('works with an Ollama server too', async () => {
    const { server, ask } = setup('ollama');
    server.reply = '既有住宅加装电梯120部以上[1]。';
    const a = await ask('加装电梯多少部');
    expect(a.generatedBy).toBe('ollama:fake-chat');
    expect(a.answer).toBe(server.reply);
    expect(server.requests.some((r) => r.path === '/api/chat')).toBe(true);
  });

  it('the wired answerer uses the configured model, and none when LLM_PROVIDER=none', async () => {
    openai.reply = '增加普惠托位300个[1]。';
    const on = await answerer(createConfig({ LLM_PROVIDER: 'openai', LLM_BASE_URL: openai.url, LLM_MODEL: 'm' }), engine, { logger });
    expect((await on('今年新增多少托位')).generatedBy).toBe('openai:m');
    const off = await answerer(createConfig({}), engine, { logger });
    expect((await off('今年新增多少托位')).generatedBy).toBeUndefined();
  });
});
