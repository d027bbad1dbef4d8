import { createServer, type AddressInfo } from 'node:net';

/** A TCP port free on loopback right now (for a server a test starts, or a process it spawns). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}
