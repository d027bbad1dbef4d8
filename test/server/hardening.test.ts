import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/answer/index.ts';
import { startServer, type RunningServer } from '../../src/server/index.ts';
import { testEngine } from '../helpers/engine.ts';
import { buildApp, captureLogger, sample } from './support.ts';

/**
 * Hostile requests over a real socket: huge, broken, abandoned and trickled bodies. None may be read
 * to the end, hold a connection for long, or count as a server error.
 */
let engine: Engine;
let server: RunningServer;
let built: ReturnType<typeof buildApp>;
const { logger, lines } = captureLogger('info');

beforeAll(async () => {
  engine = await testEngine();
  built = buildApp(engine, { logger });
  server = await startServer(built.app, { port: 0, host: '127.0.0.1', logger, requestTimeoutMs: 1000, headersTimeoutMs: 1000 });
});
afterAll(async () => {
  await server?.close();
});

/** Writes raw bytes; resolves with what came back when the server closes the connection (or after `ms`). */
function raw(chunks: Array<string | Buffer>, ms = 5000, gapMs = 0): Promise<{ text: string; closedByServer: boolean; sentBytes: number }> {
  return new Promise((resolve) => {
    let text = '';
    let closedByServer = false;
    let sentBytes = 0;
    const socket = connect(server.port, '127.0.0.1', async () => {
      for (const c of chunks) {
        if (socket.destroyed) break;
        socket.write(c);
        sentBytes += Buffer.byteLength(c);
        if (gapMs) await new Promise((r) => setTimeout(r, gapMs));
      }
    });
    const timer = setTimeout(() => socket.destroy(), ms);
    socket.on('data', (d) => (text += d));
    socket.on('end', () => (closedByServer = true));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ text, closedByServer, sentBytes });
    });
  });
}

const errorsCounted = async (): Promise<number> => {
  const text = await built.metrics.registry.metrics();
  return text.split('\n').filter((l) => l.startsWith('workplan_errors_total{')).reduce((a, l) => a + Number(l.split(' ').pop()), 0);
};

describe('hostile request bodies', () => {
  it('a declared 100 MB body is refused with 413 before it is read, and the connection closed', async () => {
    for (const path of ['/nowhere', '/api/ask', '/wechat']) {
      const r = await raw([`POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 104857600\r\n\r\n`, Buffer.alloc(64 * 1024, 0x61)]);
      expect(r.text).toMatch(/^HTTP\/1\.1 413/);
      expect(r.text.toLowerCase()).toContain('connection: close');
      expect(r.closedByServer).toBe(true);
    }
  });

  it('an unknown route with a body answers 404 and closes rather than reading the rest', async () => {
    const r = await raw([`POST /nowhere HTTP/1.1\r\nHost: x\r\nContent-Length: 900000\r\n\r\n`, Buffer.alloc(1000, 0x61)]);
    expect(r.text).toMatch(/^HTTP\/1\.1 404/);
    expect(r.closedByServer).toBe(true);
  });

  it('a malformed chunked body and an abandoned one are client faults: no 500, no error counted, no stack logged', async () => {
    const before = await errorsCounted();
    const broken = await raw(['POST /api/ask HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nZZZ\r\n{"question":"x"}\r\n0\r\n\r\n']);
    expect(broken.text).toMatch(/^HTTP\/1\.1 400/);
    await raw(['POST /api/ask HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{"question":"今年'], 200);
    await new Promise((r) => setTimeout(r, 100));
    expect(await errorsCounted()).toBe(before);
    expect(lines.filter((l) => l.level === 50)).toEqual([]);
  });

  it('a body trickled byte by byte is cut off at the request timeout', async () => {
    const body = JSON.stringify({ question: '今年新增多少托位' });
    const head = `POST /api/ask HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`;
    const r = await raw([head, ...body.split('')], 8000, 200);
    // The server gave up (408 or a closed socket) before the client finished sending.
    expect(r.closedByServer || /^HTTP\/1\.1 408/.test(r.text)).toBe(true);
    expect(r.sentBytes).toBeLessThan(Buffer.byteLength(head) + Buffer.byteLength(body));
  });

  it('an ordinary question still works', async () => {
    const res = await fetch(`${server.url}/api/ask`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ question: '今年新增多少托位' }) });
    expect(res.status).toBe(200);
    expect(sample(await built.metrics.registry.metrics(), 'workplan_questions_total{channel="web",found="true"}')).toBeGreaterThanOrEqual(1);
  });
});
