import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import type { Hono } from 'hono';
import type { Logger } from '../logger.ts';
import { PortAccessError, PortInUseError } from './errors.ts';

export interface RunningServer {
  /** Where a browser on this machine reaches it, e.g. http://localhost:3000. */
  url: string;
  /** The bound port (the real one when asked for port 0). */
  port: number;
  /** Stops accepting connections, lets requests in flight finish (up to a grace period), then resolves. */
  close(): Promise<void>;
}

const HEADERS_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 30_000;
const MAX_CONNECTIONS = 2_048;

/** How long close() waits for requests in flight before cutting the remaining connections. */
const CLOSE_GRACE_MS = 5_000;

/**
 * Listens with @hono/node-server. A taken port rejects with `PortInUseError` (its message names the
 * port and says what to do), a privileged one with `PortAccessError`.
 */
export async function startServer(
  // Any app will do (its Env type does not matter): only `fetch` is used.
  app: Hono<any, any, any>,
  opts: { port: number; host: string; logger: Logger; maxConnections?: number; headersTimeoutMs?: number; requestTimeoutMs?: number },
): Promise<RunningServer> {
  const requestTimeout = opts.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
  const server = createAdaptorServer({
    fetch: app.fetch,
    hostname: opts.host,
    // Node checks the request timeout on this interval (30 s by default, which would let a trickled
    // body live twice as long as the timeout says).
    serverOptions: { connectionsCheckingInterval: Math.min(5_000, Math.max(100, Math.floor(requestTimeout / 4))) },
  }) as Server;
  // Keep-alive sockets must not hold close() open longer than the grace period.
  server.keepAliveTimeout = 5_000;
  // A client trickling its headers or body must not hold a connection for minutes (Node's default
  // is 300 s); every legitimate request here is small and arrives at once.
  server.headersTimeout = opts.headersTimeoutMs ?? HEADERS_TIMEOUT_MS;
  server.requestTimeout = requestTimeout;
  // Beyond this many open connections new ones are refused, so a flood cannot exhaust descriptors.
  server.maxConnections = opts.maxConnections ?? MAX_CONNECTIONS;

  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      server.off('listening', onListening);
      if (err.code === 'EADDRINUSE') reject(new PortInUseError(opts.port, opts.host, { cause: err }));
      else if (err.code === 'EACCES') reject(new PortAccessError(opts.port, opts.host, { cause: err }));
      else reject(err);
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(opts.port, opts.host);
  });
  server.on('error', (err) => opts.logger.error({ err }, 'http server error'));

  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    url: urlOf(opts.host, port),
    port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        const force = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
        force.unref();
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}

/** A wildcard host is reached as localhost; IPv6 literals need brackets. */
function urlOf(host: string, port: number): string {
  const wildcard = host === '' || host === '0.0.0.0' || host === '::' || host === '[::]';
  const name = wildcard ? 'localhost' : host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `http://${name}:${port}`;
}
