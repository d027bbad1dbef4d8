import type { Metrics } from '../../src/observability/metrics.ts';

/** queryLogFailures by kind, e.g. { query: 2, choice: 1 }. */
export async function failures(metrics: Metrics): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const v of (await metrics.queryLogFailures.get()).values) out[String(v.labels.kind)] = v.value;
  return out;
}

/** Polls `check` until it is true (or throws after `ms`). */
export async function eventually(check: () => boolean | Promise<boolean>, ms = 10_000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    if (await check()) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
