// Embedded Postgres: PGlite (Postgres compiled to WebAssembly) on a data
// directory, served on a local TCP port with pglite-socket's protocol handler,
// so Prisma's adapter-pg, pg and the migrations connect to it like to any
// Postgres. Not for production: one session for every connection (see
// ./session-lease.ts), one CPU, no replication.

import { mkdir } from "node:fs/promises";
import { createServer, type Server, type Socket } from "node:net";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketHandler } from "@electric-sql/pglite-socket";
import { SessionLease } from "./session-lease.js";

export interface EmbeddedPostgres {
  /** postgresql://postgres@127.0.0.1:<port>/postgres (PGlite has one database, and ignores the name). */
  url: string;
  port: number;
  close(): Promise<void>;
}

type QueueOption = ConstructorParameters<typeof PGLiteSocketHandler>[0]["queryQueue"];

/**
 * Opens (or creates, on first use: 3 to 10 s) the data directory, or an
 * in-memory database without one (tests), and listens on 127.0.0.1:`port`
 * (0: any free port).
 */
export async function startEmbeddedPostgres({ dataDir, port = 0 }: { dataDir?: string; port?: number } = {}): Promise<EmbeddedPostgres> {
  if (dataDir) await mkdir(dataDir, { recursive: true });
  const db = await PGlite.create({
    ...(dataDir ? { dataDir } : {}),
    // Postgres keeps up to min_wal_size (80 MB) of WAL around and lets it reach 1 GB: too much for a laptop demo.
    startParams: [...PGlite.defaultStartParams, "-c", "min_wal_size=32MB", "-c", "max_wal_size=64MB"],
  });
  const lease = new SessionLease(db);
  const sockets = new Set<Socket>();

  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    // Our lease stands in for pglite-socket's own query queue (same methods).
    const handler = new PGLiteSocketHandler({ queryQueue: lease as unknown as QueueOption, closeOnDetach: true });
    handler.attach(socket).catch(() => socket.destroy());
  });
  // pg pools open up to 10 connections per process; pglite-socket's server would default to 1.
  server.maxConnections = 100;

  const listening = await new Promise<number>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve((server.address() as { port: number }).port));
  }).catch(async (error) => {
    await db.close();
    throw error;
  });

  return {
    url: `postgresql://postgres@127.0.0.1:${listening}/postgres`,
    port: listening,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      // Closing checkpoints the database, so the next open needs no recovery.
      await db.close();
    },
  };
}
