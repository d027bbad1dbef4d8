import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bigramTokens } from '../../bench/peers.ts';
import { fnv1a } from '../../src/search/embeddings.ts';

/**
 * Loopback stand-ins for model servers, speaking the real wire formats: an OpenAI-compatible server
 * (/v1/chat/completions, /v1/embeddings) and an Ollama server (/api/chat, /api/embed). Each records
 * what it received and answers with what the test sets.
 */
export interface FakeModelServer {
  url: string;
  requests: Array<{ path: string; body: any; headers: IncomingMessage['headers'] }>;
  /** The assistant's reply for the next chat calls. */
  reply: string;
  /** Delay before answering a chat call, in ms. */
  delayMs: number;
  /** Dimensions of the embeddings returned. */
  dimensions: number;
  close(): Promise<void>;
}

/** A deterministic "neural" embedding: hashed CJK bigrams, so similar texts land close. */
export function fakeEmbedding(text: string, dimensions: number): number[] {
  const v = new Array<number>(dimensions).fill(0);
  for (const t of bigramTokens(text)) v[fnv1a(t) % dimensions]! += 1;
  const norm = Math.sqrt(v.reduce((a, x) => a + x * x, 0)) || 1;
  return v.map((x) => x / norm);
}

async function readJson(req: IncomingMessage): Promise<any> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : {};
}

export async function startFakeModelServer(kind: 'openai' | 'ollama'): Promise<FakeModelServer> {
  const state = {
    requests: [] as FakeModelServer['requests'],
    reply: '',
    delayMs: 0,
    dimensions: 64,
  };
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };

  const server: Server = createServer(async (req, res) => {
    const body = await readJson(req);
    const path = (req.url ?? '').split('?')[0]!;
    state.requests.push({ path, body, headers: req.headers });
    try {
      if (kind === 'openai' && path === '/v1/chat/completions') {
        await sleep(state.delayMs);
        if (res.destroyed) return;
        return send(res, 200, {
          id: 'chatcmpl-1',
          object: 'chat.completion',
          created: 1,
          model: body.model,
          choices: [{ index: 0, message: { role: 'assistant', content: state.reply }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
        });
      }
      if (kind === 'openai' && path === '/v1/embeddings') {
        const inputs: string[] = Array.isArray(body.input) ? body.input : [body.input];
        return send(res, 200, {
          object: 'list',
          model: body.model,
          // As the real API: floats, or base64 of little-endian float32 when the client asks (the
          // openai SDK does by default).
          data: inputs.map((t, index) => {
            const vector = fakeEmbedding(String(t), state.dimensions);
            const embedding = body.encoding_format === 'base64' ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector;
            return { object: 'embedding', index, embedding };
          }),
          usage: { prompt_tokens: 1, total_tokens: 1 },
        });
      }
      if (kind === 'ollama' && path === '/api/chat') {
        await sleep(state.delayMs);
        const done = { model: body.model, created_at: new Date().toISOString(), done: true, done_reason: 'stop', total_duration: 1, eval_count: 1, prompt_eval_count: 1 };
        if (body.stream) {
          res.writeHead(200, { 'content-type': 'application/x-ndjson' });
          const half = Math.ceil(state.reply.length / 2);
          for (const part of [state.reply.slice(0, half), state.reply.slice(half)]) {
            res.write(`${JSON.stringify({ model: body.model, created_at: new Date().toISOString(), message: { role: 'assistant', content: part }, done: false })}\n`);
          }
          res.end(`${JSON.stringify({ ...done, message: { role: 'assistant', content: '' } })}\n`);
          return;
        }
        return send(res, 200, { ...done, message: { role: 'assistant', content: state.reply } });
      }
      if (kind === 'ollama' && path === '/api/embed') {
        const inputs: string[] = Array.isArray(body.input) ? body.input : [body.input];
        return send(res, 200, { model: body.model, embeddings: inputs.map((t) => fakeEmbedding(String(t), state.dimensions)) });
      }
      send(res, 404, { error: 'not found' });
    } catch (err) {
      send(res, 500, { error: String(err) });
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const fake: FakeModelServer = {
    url: kind === 'openai' ? `http://127.0.0.1:${port}/v1` : `http://127.0.0.1:${port}`,
    get requests() {
      return state.requests;
    },
    get reply() {
      return state.reply;
    },
    set reply(v) {
      state.reply = v;
    },
    get delayMs() {
      return state.delayMs;
    },
    set delayMs(v) {
      state.delayMs = v;
    },
    get dimensions() {
      return state.dimensions;
    },
    set dimensions(v) {
      state.dimensions = v;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
  return fake;
}
