import { createServer, Socket, type AddressInfo, type Server } from 'node:net';
import pg from 'pg';

/**
 * Test databases on the machine's PostgreSQL (127.0.0.1:5432, trust auth, user root; TEST_PG_URL to
 * point elsewhere): each test makes its own database through the `test` database and drops it after.
 */
export const ADMIN_URL = process.env['TEST_PG_URL'] ?? 'postgres://root@127.0.0.1:5432/test';

let counter = 0;

export interface TestDatabase {
  name: string;
  url: string;
  /** Runs SQL in this database (a short-lived connection). */
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<R[]>;
  /** Creates the database again after drop() (same name, empty). */
  create(): Promise<void>;
  /** Drops it, ending its connections. */
  drop(): Promise<void>;
}

export function urlFor(name: string, base = ADMIN_URL): string {
  const u = new URL(base);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Runs SQL in the `test` database. */
export async function admin<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return (await client.query<R>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `wp_test_${process.pid}_${++counter}`;
  const url = urlFor(name);
  const create = async (): Promise<void> => {
    await admin(`CREATE DATABASE ${name}`);
  };
  await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await create();
  return {
    name,
    url,
    create,
    async query<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<R[]> {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        return (await client.query<R>(sql, params)).rows;
      } finally {
        await client.end();
      }
    },
    async drop(): Promise<void> {
      await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

/**
 * A TCP relay to PostgreSQL on a loopback port of its own: stop() closes the port and cuts every
 * connection (PostgreSQL gone, as a network outage or a crashed server looks to the client), start()
 * opens the same port again.
 */
export interface Relay {
  port: number;
  /** A URL to `database` through the relay. */
  url(database: string): string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export async function startRelay(target = new URL(ADMIN_URL)): Promise<Relay> {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  const start = async (): Promise<void> => {
    const s = createServer((client) => {
      const upstream = new Socket();
      sockets.add(client);
      sockets.add(upstream);
      const end = (): void => {
        client.destroy();
        upstream.destroy();
        sockets.delete(client);
        sockets.delete(upstream);
      };
      client.on('error', end).on('close', end);
      upstream.on('error', end).on('close', end);
      upstream.connect(Number(target.port || 5432), target.hostname, () => {
        client.pipe(upstream);
        upstream.pipe(client);
      });
    });
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => resolve());
    });
    port = (s.address() as AddressInfo).port;
    server = s;
  };
  const stop = async (): Promise<void> => {
    const s = server;
    server = undefined;
    for (const socket of sockets) socket.destroy();
    sockets.clear();
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  };
  await start();
  return {
    get port() {
      return port;
    },
    url: (database: string) => {
      const u = new URL(urlFor(database));
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    start,
    stop,
  };
}
