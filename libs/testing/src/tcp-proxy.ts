import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy a test can cut and restore, to take a dependency (Postgres, NATS) away from a process under test
 * without touching the real server: `cut()` drops every connection and refuses new ones until `restore()`.
 */
export class TcpProxy {
  private readonly sockets = new Set<Socket>();
  private up = true;
  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(targetHost: string, targetPort: number): Promise<TcpProxy> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const proxy = new TcpProxy(server, (server.address() as { port: number }).port);
    server.on('connection', (client) => proxy.accept(client, () => connect(targetPort, targetHost)));
    return proxy;
  }

  private accept(client: Socket, dial: () => Socket): void {
    if (!this.up) {
      client.destroy();
      return;
    }
    const upstream = dial();
    this.sockets.add(client);
    this.sockets.add(upstream);
    const close = () => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.pipe(upstream).on('error', close);
    upstream.pipe(client).on('error', close);
    client.on('close', close);
    upstream.on('close', close);
  }

  cut(): void {
    this.up = false;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  restore(): void {
    this.up = true;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise((r) => this.server.close(r));
  }
}
