export { createMetrics, type Metrics } from './metrics.ts';
export { instrumentAsk } from './instrument.ts';
