import { describe, expect, it } from 'vitest';
import { Bm25Index } from '../../src/search/index.ts';

const doc = (...terms: string[]) => terms.map((term) => ({ term, weight: 1 }));

describe('Bm25Index', () => {
  const index = new Bm25Index();
  index.add(doc('w:托位', 'w:增加', 'n:300'), 3);
  index.add(doc('w:电梯', 'w:加装', 'w:增加'), 3);
  index.add(doc('w:托位', 'w:托位', 'w:儿童'), 3);

  it('ranks rarer terms higher and repeats with diminishing returns', () => {
    const hits = index.search([{ term: 'w:托位', weight: 1 }, { term: 'w:增加', weight: 1 }]);
    expect(hits.map((h) => h.doc)).toEqual([0, 2, 1]);
    expect(index.idf('w:儿童')).toBeGreaterThan(index.idf('w:增加'));
  });

  it('weights query terms', () => {
    const light = index.search([{ term: 'w:电梯', weight: 0.1 }, { term: 'w:托位', weight: 1 }]);
    expect(light[0]!.doc).not.toBe(1);
  });

  it('survives a JSON round trip with identical scores', () => {
    const copy = Bm25Index.fromJSON(JSON.parse(JSON.stringify(index.toJSON())));
    const q = [{ term: 'w:托位', weight: 1 }, { term: 'n:300', weight: 0.5 }];
    expect(copy.search(q)).toEqual(index.search(q));
  });

  it('survives a binary round trip with identical scores, and rejects truncated postings', () => {
    const { meta, data } = index.toBinary();
    const copy = Bm25Index.fromBinary(JSON.parse(JSON.stringify(meta)), Buffer.from(data), index.size);
    const q = [{ term: 'w:托位', weight: 1 }, { term: 'w:增加', weight: 0.7 }];
    expect(copy.search(q)).toEqual(index.search(q));
    expect(copy.idf('w:儿童')).toBeCloseTo(index.idf('w:儿童'));
    expect(() => Bm25Index.fromBinary(meta, data.subarray(0, data.length - 4), index.size)).toThrow(/damaged/);
  });

  it('rejects damaged JSON', () => {
    expect(() => Bm25Index.fromJSON({ params: { k1: 1, b: 1 }, lengths: [1], terms: [['w:x', [0], []]] })).toThrow();
    expect(() => Bm25Index.fromJSON(null as never)).toThrow();
  });
});
