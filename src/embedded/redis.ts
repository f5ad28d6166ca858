// Embedded queue store: js-redis-server, a Redis-compatible server written in
// TypeScript (BullMQ's Lua scripts run on a WebAssembly Lua), in this process,
// on a local TCP port, so BullMQ and ioredis run unchanged. Its data lives in
// memory only: what it held is gone when the process stops, which is why the
// embedded host re-enqueues unfinished jobs from Postgres at each start.

import { RedisServerState, Resp2Server, createRedisCommandExecutor, resolveCompatibilityProfile } from "js-redis-server/core";

export interface EmbeddedRedis {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startEmbeddedRedis({ port = 0 }: { port?: number } = {}): Promise<EmbeddedRedis> {
  const compatibility = resolveCompatibilityProfile("redis-7.4");
  const state = new RedisServerState({ databaseCount: 16, compatibility });
  const server = new Resp2Server({ server: state, executor: createRedisCommandExecutor({ compatibility }) });
  // Resp2Server.listen() binds every interface; an unauthenticated Redis must stay on loopback.
  const listening = await new Promise<number>((resolve, reject) => {
    server.server.once("error", reject);
    server.server.listen(port, "127.0.0.1", () => resolve((server.server.address() as { port: number }).port));
  });
  const connections = new Set<import("node:net").Socket>();
  server.server.on("connection", (socket) => {
    connections.add(socket);
    socket.once("close", () => connections.delete(socket));
  });
  return {
    url: `redis://127.0.0.1:${listening}`,
    port: listening,
    async close() {
      // Blocking clients (BullMQ workers) would otherwise keep server.close() waiting.
      for (const socket of connections) socket.destroy();
      await server.close();
    },
  };
}
