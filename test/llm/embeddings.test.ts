import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/answer/index.ts';
import { createConfig } from '../../src/config.ts';
import { createEmbeddings } from '../../src/llm/index.ts';
import { DICT_DIR, REPORTS_DIR } from '../helpers/engine.ts';
import { startFakeModelServer, type FakeModelServer } from './fakes.ts';

let openai: FakeModelServer;
let ollama: FakeModelServer;
beforeAll(async () => {
  openai = await startFakeModelServer('openai');
  ollama = await startFakeModelServer('ollama');
});
afterAll(async () => {
  await openai.close();
  await ollama.close();
});

const open = (provider: 'openai' | 'ollama', indexDir: string, logger?: Parameters<typeof createEngine>[0]['logger']) => {
  const server = provider === 'openai' ? openai : ollama;
  const embeddings = createEmbeddings(createConfig({ EMBEDDINGS_PROVIDER: provider, EMBEDDINGS_BASE_URL: server.url, EMBEDDINGS_MODEL: 'fake-embed' }))!;
  return createEngine({ reportsDir: REPORTS_DIR, dictDir: DICT_DIR, indexDir, embeddings: () => embeddings, ...(logger ? { logger } : {}) });
};

describe('neural embeddings through a provider', () => {
  it.each(['openai', 'ollama'] as const)('%s: builds the index with the provider, records it, and retrieves', async (provider) => {
    const server = provider === 'openai' ? openai : ollama;
    server.dimensions = 64;
    const indexDir = join(mkdtempSync(join(tmpdir(), 'workplan-emb-')), 'index');
    const engine = await open(provider, indexDir);
    expect(engine.info.embedder).toBe(`${provider}:fake-embed`);
    expect(server.requests.some((r) => r.path === (provider === 'openai' ? '/v1/embeddings' : '/api/embed'))).toBe(true);
    const a = await engine.ask('今年新增多少托位');
    expect(a.answer).toContain('300个');
    // Reopening reuses the index built with the same embedder.
    expect((await open(provider, indexDir)).info.rebuilt).toBe(false);
  });

  it('switching embedder rebuilds; a dimension change is detected and rebuilt; a mismatch mid-run is logged and answered lexically', async () => {
    openai.dimensions = 64;
    const indexDir = join(mkdtempSync(join(tmpdir(), 'workplan-emb-')), 'index');
    await createEngine({ reportsDir: REPORTS_DIR, dictDir: DICT_DIR, indexDir });
    const switched = await open('openai', indexDir);
    expect(switched.info.rebuildReason).toMatch(/embedder changed/);

    openai.dimensions = 32;
    const resized = await open('openai', indexDir);
    expect(resized.info.rebuildReason).toBe('embedder dimensions changed (64 → 32)');

    const errors: string[] = [];
    const logger = { info() {}, warn() {}, error: (o: object | string) => void errors.push(JSON.stringify(o)) };
    openai.dimensions = 32;
    const engine = await open('openai', indexDir, logger);
    openai.dimensions = 48;
    const a = await engine.ask('加装电梯多少部');
    expect(a.answer).toContain('120部以上');
    expect(errors.join('\n')).toMatch(/48-dimensional vectors but the index holds 32/);
  });
});
