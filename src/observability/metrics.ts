import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Prometheus metrics (prom-client) shared by every channel; `GET /metrics` serves `registry`.
 * One registry per app instance, so tests can build several without clashing.
 */
export interface Metrics {
  registry: Registry;
  questions: Counter<'channel' | 'found'>;
  latency: Histogram<'channel'>;
  errors: Counter<'channel' | 'kind'>;
  rateLimited: Counter<'channel'>;
  llmFallbacks: Counter<'reason'>;
  /** Reloads of the reports while running: swapped, unchanged or failed. */
  reloads: Counter<'outcome'>;
  reports: Gauge;
  /** Operations on shared state answered from memory because Redis failed. */
  sharedStateFallbacks: Counter<'op'>;
  /** Query-log and feedback writes that failed (the answer was still given). */
  queryLogFailures: Counter<'kind'>;
}

export function createMetrics(options: { defaults?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaults !== false) collectDefaultMetrics({ register: registry, prefix: 'workplan_' });
  return {
    registry,
    questions: new Counter({
      name: 'workplan_questions_total',
      help: 'Questions answered, by channel and whether the report held the answer',
      labelNames: ['channel', 'found'],
      registers: [registry],
    }),
    latency: new Histogram({
      name: 'workplan_answer_seconds',
      help: 'Time to answer a question in-process',
      labelNames: ['channel'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    errors: new Counter({
      name: 'workplan_errors_total',
      help: 'Errors while handling a request, by channel and kind',
      labelNames: ['channel', 'kind'],
      registers: [registry],
    }),
    rateLimited: new Counter({
      name: 'workplan_rate_limited_total',
      help: 'Requests refused by a rate limit, by channel',
      labelNames: ['channel'],
      registers: [registry],
    }),
    llmFallbacks: new Counter({
      name: 'workplan_llm_fallbacks_total',
      help: 'Generated answers replaced by the extractive answer, by reason',
      labelNames: ['reason'],
      registers: [registry],
    }),
    reloads: new Counter({
      name: 'workplan_reloads_total',
      help: 'Reloads of the reports while running, by outcome (swapped, unchanged, failed)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    reports: new Gauge({
      name: 'workplan_reports_loaded',
      help: 'Reports the serving engine holds',
      registers: [registry],
    }),
    sharedStateFallbacks: new Counter({
      name: 'workplan_shared_state_fallbacks_total',
      help: 'Shared-state operations served from process memory because Redis was unavailable, by operation',
      labelNames: ['op'],
      registers: [registry],
    }),
    queryLogFailures: new Counter({
      name: 'workplan_query_log_failures_total',
      help: 'Query-log and feedback writes that failed (answers were still given), by kind',
      labelNames: ['kind'],
      registers: [registry],
    }),
  };
}
