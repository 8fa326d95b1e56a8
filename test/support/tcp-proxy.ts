import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * How the network between the service and PostgreSQL behaves: `pass` forwards bytes both ways;
 * `refuse` closes every connection and refuses new ones (a server that is down); `hang` keeps
 * every connection open and accepts new ones but passes no byte either way (a partition, a
 * failover behind a virtual IP, a stalled server), which nothing but a timeout can detect.
 */
export type ProxyMode = 'pass' | 'refuse' | 'hang';

interface Pair {
  readonly client: Socket;
  upstream?: Socket;
  /** Bytes held back while hanging, delivered in order when passing again. */
  readonly toUpstream: Buffer[];
  readonly toClient: Buffer[];
}

/** A TCP proxy in front of PostgreSQL whose mode a test switches while the service runs. */
export class TcpProxy {
  private mode: ProxyMode = 'pass';
  private readonly pairs = new Set<Pair>();
  private constructor(
    private readonly server: Server,
    readonly port: number,
    private readonly target: { host: string; port: number },
  ) {}

  static async start(target: { host: string; port: number }): Promise<TcpProxy> {
    const proxies: TcpProxy[] = [];
    const server = createServer((client) => {
      if (proxies[0]) proxies[0].accept(client);
      else client.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no proxy port');
    proxies.push(new TcpProxy(server, address.port, target));
    return proxies[0];
  }

  /** A URL through the proxy for a database URL of the target. */
  url(databaseUrl: string): string {
    const url = new URL(databaseUrl);
    url.hostname = '127.0.0.1';
    url.port = String(this.port);
    return url.toString();
  }

  setMode(mode: ProxyMode): void {
    this.mode = mode;
    if (mode === 'refuse') {
      for (const pair of this.pairs) this.close(pair);
    } else if (mode === 'pass') {
      for (const pair of this.pairs) this.flush(pair);
    }
  }

  async stop(): Promise<void> {
    for (const pair of this.pairs) this.close(pair);
    await new Promise((resolve) => this.server.close(resolve));
  }

  private accept(client: Socket): void {
    if (this.mode === 'refuse') {
      client.destroy();
      return;
    }
    const pair: Pair = { client, toUpstream: [], toClient: [] };
    this.pairs.add(pair);
    client.on('data', (chunk) => {
      pair.toUpstream.push(chunk);
      this.flush(pair);
    });
    client.on('error', () => this.close(pair));
    client.on('close', () => this.close(pair));
    const upstream = connect(this.target.port, this.target.host);
    pair.upstream = upstream;
    upstream.on('data', (chunk) => {
      pair.toClient.push(chunk);
      this.flush(pair);
    });
    upstream.on('connect', () => this.flush(pair));
    upstream.on('error', () => this.close(pair));
    upstream.on('close', () => this.close(pair));
  }

  private flush(pair: Pair): void {
    if (this.mode !== 'pass') return;
    if (pair.upstream && !pair.upstream.connecting) {
      for (const chunk of pair.toUpstream.splice(0)) pair.upstream.write(chunk);
    }
    for (const chunk of pair.toClient.splice(0)) pair.client.write(chunk);
  }

  private close(pair: Pair): void {
    if (!this.pairs.delete(pair)) return;
    pair.client.destroy();
    pair.upstream?.destroy();
  }
}
