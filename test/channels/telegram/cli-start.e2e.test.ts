import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ROOT } from '../../helpers/engine.ts';
import { BlackHole } from './helpers/black-hole.ts';

/**
 * `npm start` as a real process, with a Telegram token and a Bot API that never answers: the web
 * page and the API are up and every channel's status is logged within seconds, and one SIGINT ends
 * the process within 5 s.
 */

const TOKEN = '123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ-e2e';

interface Line {
  at: number;
  json: Record<string, any>;
}

let child: ChildProcess | undefined;
let hole: BlackHole | undefined;
let dir: string | undefined;
afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  child = undefined;
  await hole?.close();
  hole = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/** The environment without the caller's channel, model and storage settings, so only ours count. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(TELEGRAM_|WECHAT_|WECOM_|LLM_|EMBEDDINGS_|REDIS_URL|DATABASE_URL|PUBLIC_URL|ADMIN_IDS|DATA_DIR|REPORTS_DIR|DICT_DIR|INDEX_DIR|PORT|HOST)/.test(k)) env[k] = v;
  }
  return env;
}

describe('npm start with an unreachable Bot API', () => {
  it('serves the web page at once, logs every channel’s status, and exits within 5 s of one SIGINT', async () => {
    hole = await BlackHole.start();
    dir = mkdtempSync(join(tmpdir(), 'workplan-tg-start-'));
    const lines: Line[] = [];
    const proc = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli.ts'), 'start'], {
      cwd: ROOT,
      env: {
        ...cleanEnv(),
        TELEGRAM_BOT_TOKEN: TOKEN,
        TELEGRAM_API_ROOT: hole.url,
        // Empty values win over a developer's .env (values already in the environment are kept).
        TELEGRAM_WEBHOOK_URL: '',
        REDIS_URL: '',
        DATABASE_URL: '',
        LLM_PROVIDER: 'none',
        EMBEDDINGS_PROVIDER: 'local',
        PORT: '0',
        HOST: '127.0.0.1',
        DATA_DIR: dir,
        REPORTS_DIR: join(ROOT, 'data/reports'),
        DICT_DIR: join(ROOT, 'data/dict'),
        INDEX_DIR: join(dir, 'index'),
        WATCH_REPORTS: 'false',
        LOG_LEVEL: 'info',
        NO_COLOR: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    let stderr = '';
    let buffered = '';
    const onData = (chunk: Buffer): void => {
      const text = chunk.toString('utf8');
      stderr += text;
      buffered += text;
      const parts = buffered.split('\n');
      buffered = parts.pop()!;
      for (const p of parts) {
        try {
          lines.push({ at: Date.now(), json: JSON.parse(p) as Record<string, any> });
        } catch {
          // not a log line
        }
      }
    };
    // pino writes to standard error; standard output is watched too, in case that changes.
    proc.stderr!.on('data', onData);
    proc.stdout!.on('data', onData);
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
      proc.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
    );

    const waitFor = async (match: (l: Record<string, any>) => boolean, timeoutMs: number): Promise<Line> => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const line = lines.find((l) => match(l.json));
        if (line) return line;
        if (Date.now() > deadline || proc.exitCode !== null) throw new Error(`no such line; output so far:\n${stderr}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    };
    const msg = (prefix: string) => (l: Record<string, any>) => typeof l.msg === 'string' && l.msg.startsWith(prefix);

    const ready = await waitFor(msg('ready: web page and API at'), 60_000);
    const url = String(ready.json.url);
    const connecting = await waitFor((l) => l.msg === 'Telegram: connecting…', 3000);
    expect(connecting.at - ready.at).toBeLessThan(2000);
    // Every channel's status, within a few seconds, while Telegram is still connecting.
    for (const prefix of ['WeChat Official Account:', 'WeCom:', 'LLM phrasing:', 'Embeddings:']) {
      const line = await waitFor(msg(prefix), 3000);
      expect(line.at - ready.at).toBeLessThan(3000);
    }
    expect(lines.some((l) => msg('Telegram: on')(l.json))).toBe(false);

    // The web page and the API answer meanwhile.
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const asked = await fetch(`${url}/api/ask`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ question: '今年新增多少托位' }),
    });
    expect(asked.status).toBe(200);

    // A getMe is held open by the black hole right now.
    for (let i = 0; hole.open === 0 && i < 200; i++) await new Promise((r) => setTimeout(r, 25));
    expect(hole.open).toBeGreaterThan(0);

    const signalled = Date.now();
    proc.kill('SIGINT');
    const exit = await Promise.race([exited, new Promise<undefined>((r) => setTimeout(() => r(undefined), 8000))]);
    expect(exit, `still running 8 s after SIGINT; output:\n${stderr}`).toBeDefined();
    expect(exit!.at - signalled).toBeLessThan(5000);
    expect(exit!.code).toBe(0);
    expect(lines.some((l) => l.json.msg === 'stopped')).toBe(true);
    expect(stderr).not.toContain(TOKEN);
  }, 90_000);
});
