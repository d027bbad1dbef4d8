import { request as httpRequest, Agent } from 'node:http';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { PortInUseError, startServer } from '../../src/server/index.ts';
import { silentLogger } from './support.ts';

function tinyApp(): Hono {
  const app = new Hono();
  app.get('/ping', (c) => c.text('pong'));
  return app;
}

describe('startServer', () => {
  it('listens on a free port and reports a URL a browser can use', async () => {
    const server = await startServer(tinyApp(), { port: 0, host: '127.0.0.1', logger: silentLogger });
    try {
      expect(server.port).toBeGreaterThan(0);
      expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
      expect(await (await fetch(`${server.url}/ping`)).text()).toBe('pong');
    } finally {
      await server.close();
    }
  });

  it('names a wildcard host localhost', async () => {
    const server = await startServer(tinyApp(), { port: 0, host: '0.0.0.0', logger: silentLogger });
    try {
      expect(server.url).toBe(`http://localhost:${server.port}`);
    } finally {
      await server.close();
    }
  });

  it('rejects with a clear error when the port is taken', async () => {
    const first = await startServer(tinyApp(), { port: 0, host: '127.0.0.1', logger: silentLogger });
    try {
      const second = startServer(tinyApp(), { port: first.port, host: '127.0.0.1', logger: silentLogger });
      await expect(second).rejects.toBeInstanceOf(PortInUseError);
      await expect(second).rejects.toThrow(new RegExp(`port ${first.port} is already in use`));
      await expect(second).rejects.toMatchObject({ code: 'E_PORT_IN_USE', port: first.port });
    } finally {
      await first.close();
    }
  });

  it('closes promptly with an idle keep-alive connection open, and only once', async () => {
    const server = await startServer(tinyApp(), { port: 0, host: '127.0.0.1', logger: silentLogger });
    const agent = new Agent({ keepAlive: true });
    await new Promise<void>((resolve, reject) => {
      httpRequest(`${server.url}/ping`, { agent }, (res) => {
        res.resume();
        res.on('end', () => resolve());
      })
        .on('error', reject)
        .end();
    });
    const closing = server.close();
    expect(server.close()).toBe(closing);
    await closing;
    agent.destroy();
    await expect(fetch(`${server.url}/ping`)).rejects.toThrow();
  });
});
