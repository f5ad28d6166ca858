import { createServer, connect, type Server, type Socket } from "node:net";

/**
 * A TCP proxy in front of a shared service (the machine's Postgres), so a
 * test can take "the service" away without touching the real one:
 * - `forward`: bytes flow both ways (the start);
 * - `stall`: connections stay open, but nothing flows (a frozen server, a lost network);
 * - `down`: every connection is cut and new ones are refused (a stopped server).
 */
export interface TcpProxy {
  port: number;
  mode: "forward" | "stall" | "down";
  forward(): Promise<void>;
  stall(): void;
  down(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const pairs = new Set<[Socket, Socket]>();
  let server: Server | null = null;
  let port = 0;
  const proxy: TcpProxy = {
    port: 0,
    mode: "forward",
    async forward() {
      proxy.mode = "forward";
      for (const [client, upstream] of pairs) {
        client.resume();
        upstream.resume();
      }
      if (!server) await listen();
    },
    stall() {
      proxy.mode = "stall";
      for (const [client, upstream] of pairs) {
        client.pause();
        upstream.pause();
      }
    },
    async down() {
      proxy.mode = "down";
      for (const [client, upstream] of pairs) {
        client.destroy();
        upstream.destroy();
      }
      pairs.clear();
      await closeServer();
    },
    async close() {
      await proxy.down();
    },
  };

  function onConnection(client: Socket) {
    const upstream = connect(target.port, target.host);
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on("error", end).on("close", end);
    upstream.on("error", end).on("close", end);
    client.pipe(upstream);
    upstream.pipe(client);
    if (proxy.mode === "stall") {
      client.pause();
      upstream.pause();
    }
  }

  async function listen() {
    server = createServer(onConnection);
    await new Promise<void>((resolve, reject) => {
      server!.once("error", reject);
      server!.listen(port, "127.0.0.1", () => resolve());
    });
    port = (server.address() as { port: number }).port;
    proxy.port = port;
  }

  async function closeServer() {
    const current = server;
    server = null;
    if (current) await new Promise<void>((resolve) => current.close(() => resolve()));
  }

  await listen();
  return proxy;
}
