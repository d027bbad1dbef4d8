/**
 * One Official Account replica in its own process, for tests that kill it (`kill -9`) while it holds a
 * delivery: the real routes on 127.0.0.1:0 and a real Redis-backed shared state, with an ask() that
 * never answers. It prints JSON lines on stdout: `{"ready": url}` once listening, `{"asked": question}`
 * each time ask() is called (so the test knows the delivery is claimed and being answered).
 *
 * Settings come from the environment: REDIS_URL, STATE_PREFIX, and the WECHAT_* variables.
 */
import type { AskFn } from '../../../src/answer/types.ts';
import { createConfig } from '../../../src/config.ts';
import { createSharedState } from '../../../src/shared/state.ts';
import { silentLogger, startApp } from './helpers.ts';

const say = (line: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(line)}\n`);

const ask: AskFn = (question) => {
  say({ asked: question });
  return new Promise(() => {});
};

const env = process.env;
const config = createConfig(Object.fromEntries(Object.entries(env).filter(([name]) => name.startsWith('WECHAT_'))));
const state = createSharedState({ redisUrl: env['REDIS_URL'], prefix: env['STATE_PREFIX'] ?? 'child:', logger: silentLogger });
const app = await startApp({ ask, config, logger: silentLogger, examples: [], state });
say({ ready: app.url });
