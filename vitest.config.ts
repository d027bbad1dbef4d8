import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Native addons (hnswlib-node, jieba, better-sqlite3) are safest in child processes.
    pool: 'forks',
    // Both cores: most test files wait on servers, child processes and databases, and vitest's default
    // (cores − 1) runs them one at a time on a 2-core machine.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
