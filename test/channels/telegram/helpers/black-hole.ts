import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/**
 * A Bot API that is "there but not answering": a TCP server on loopback that accepts connections and
 * holds them without a byte in reply, like a firewall that drops packets after the handshake or a
 * proxy to a blocked host. `answer(port)` turns it into a plain TCP proxy to a working server (the
 * emulator), for "the Bot API came back"; `hole()` turns it back.
 *
 * ```ts
 * const hole = await BlackHole.start();
 * createTelegramBot({ token, apiRoot: hole.url, ... });
 * hole.answer(emulatorPort);
 * ```
 */
export class BlackHole {
  /** Connections accepted so far (held or proxied). */
  connections = 0;
  private target: number | undefined;
  private readonly sockets = new Set<Socket>();

  private constructor(private readonly server: Server) {}

  static async start(): Promise<BlackHole> {
    let hole!: BlackHole;
    const server = createServer((socket) => hole.accept(socket));
    hole = new BlackHole(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return hole;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Connections held open right now. */
  get open(): number {
    return this.sockets.size;
  }

  /** From now on, new connections are proxied to 127.0.0.1:`port`. */
  answer(port: number): void {
    this.target = port;
  }

  /** From now on, new connections are held again. */
  hole(): void {
    this.target = undefined;
  }

  /** Drops every connection open now (held or proxied), as a lost route would. */
  dropAll(): void {
    for (const s of this.sockets) s.destroy();
  }

  private accept(socket: Socket): void {
    this.connections++;
    this.sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => this.sockets.delete(socket));
    // Held: read (and drop) the request, answer nothing. Reading lets the client's close be seen.
    if (this.target === undefined) return void socket.resume();
    const upstream = connect(this.target, '127.0.0.1');
    upstream.on('error', () => socket.destroy());
    socket.on('close', () => upstream.destroy());
    upstream.on('close', () => socket.destroy());
    socket.pipe(upstream).pipe(socket);
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
