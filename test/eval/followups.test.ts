import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evalFollowUps, readPairs } from '../../src/eval/followups.ts';
import { DICT_DIR, REPORTS_DIR, ROOT } from '../helpers/engine.ts';

/**
 * The follow-up gate: the pairs written from the reports (test/eval/followups), asked as an official
 * would, each in its own conversation. At least 90% answered right, and no silent misreading.
 */
describe('follow-up quality gate', () => {
  it('answers ≥ 90% of follow-ups right and never inherits silently', async () => {
    const pairs = readPairs(join(ROOT, 'test/eval/followups'));
    expect(pairs.length).toBeGreaterThanOrEqual(60);
    const rows = await evalFollowUps({ pairs, reportDirs: [join(ROOT, 'test/fixtures/provinces-2026'), REPORTS_DIR], dictDir: DICT_DIR });
    const right = rows.filter((r) => r.right).length / rows.length;
    expect(right, rows.filter((r) => !r.right).map((r) => `${r.pair.id} ${r.pair.next}: ${r.answer.slice(0, 40)}`).join('\n')).toBeGreaterThanOrEqual(0.9);
    expect(rows.filter((r) => r.silent).map((r) => r.pair.id)).toEqual([]);
    // A question that stands alone never says it was read against another.
    expect(rows.filter((r) => r.pair.inherits.length === 0 && r.interpretedAs)).toEqual([]);
  }, 240_000);
});
