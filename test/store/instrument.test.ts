import { describe, expect, it } from 'vitest';
import type { Answer } from '../../src/answer/types.ts';
import { createMetrics } from '../../src/observability/metrics.ts';
import { instrumentAsk } from '../../src/observability/instrument.ts';
import type { QueryRecord } from '../../src/store/store.ts';
import { captureLogger } from '../server/support.ts';
import { failures } from './support.ts';

/** instrumentAsk waits for the query log, within a limit, and never fails an answer for it. */

const answer = (question: string, extra: Partial<Answer> = {}): Answer => ({
  question,
  found: true,
  answer: '4000个',
  citations: [],
  latencyMs: 1,
  intent: 'number',
  highlights: [],
  ...extra,
});
const engine = async (q: string): Promise<Answer> => answer(q);

describe('instrumentAsk and the query log', () => {
  it('logs the refusal rule and its reason code', async () => {
    const seen: QueryRecord[] = [];
    const ask = instrumentAsk(async (q) => answer(q, { found: false, reason: 'opinion', refusal: { rule: 'opinion', reason: 'opinion' } }), { store: { recordQuery: (r) => void seen.push(r) } });
    await ask('你怎么看', { channel: 'web' });
    expect(seen[0]).toMatchObject({ question: '你怎么看', found: false, reason: 'opinion', rule: 'opinion' });
  });

  it('returns the answer after the write has finished', async () => {
    const events: string[] = [];
    const store = {
      async recordQuery(r: QueryRecord) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        events.push(`written ${r.question}`);
      },
    };
    const ask = instrumentAsk(engine, { store });
    await ask('托位', { channel: 'web' });
    events.push('answered');
    expect(events).toEqual(['written 托位', 'answered']);
  });

  it('answers after writeTimeoutMs when the write hangs, and says so once', async () => {
    const { logger, lines } = captureLogger('info');
    const store = { recordQuery: () => new Promise<void>(() => {}) };
    const ask = instrumentAsk(engine, { store, logger, writeTimeoutMs: 100 });
    const started = Date.now();
    expect((await ask('托位', { channel: 'web' })).answer).toBe('4000个');
    await ask('电梯', { channel: 'web' });
    expect(Date.now() - started).toBeLessThan(1500);
    expect(lines.filter((l) => /query log write slow/.test(String(l.msg)))).toHaveLength(1);
  });

  it('a store that throws (the synchronous Store on a broken file) never fails the answer; it is counted', async () => {
    const metrics = createMetrics({ defaults: false });
    const store = {
      recordQuery(): void {
        throw Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR' });
      },
    };
    const ask = instrumentAsk(engine, { store, metrics });
    expect((await ask('托位', { channel: 'telegram' })).found).toBe(true);
    expect(await failures(metrics)).toEqual({ query: 1 });
  });

  it('does not log empty questions', async () => {
    const seen: string[] = [];
    const ask = instrumentAsk(async (q) => answer(q, { found: false, reason: 'empty' }), { store: { recordQuery: (r) => void seen.push(r.question) } });
    await ask('', { channel: 'web' });
    expect(seen).toEqual([]);
  });
});
