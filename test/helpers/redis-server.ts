import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { connectionRefused, freePort, waitFor } from "./processes.js";

/**
 * A Redis server of the test's own (the machine's redis-server binary, on a
 * free port, appendonly as in docker-compose.yml), which the test may stop
 * and start again without disturbing the Redis other test files share.
 */
export async function startOwnRedis() {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "descent-redis-"));
  const url = `redis://127.0.0.1:${port}`;

  async function start() {
    const child = spawn(
      "redis-server",
      ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--appendonly", "yes", "--save", "", "--maxmemory-policy", "noeviction"],
      { stdio: "ignore", detached: false },
    );
    await waitFor(
      async () => {
        const probe = new Redis(url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
        let refusal: Error | undefined;
        probe.on("error", (error) => (refusal = error));
        try {
          await probe.connect();
          return (await probe.ping()) === "PONG" ? true : undefined;
        } catch (error) {
          throw refusal ?? error; // connect() only says "Connection is closed."; the error event says why
        } finally {
          probe.disconnect();
        }
      },
      { what: `redis-server on port ${port}`, timeoutMs: 10_000, expectedError: connectionRefused },
    );
    return child;
  }

  let server = await start();
  return {
    url,
    async stop() {
      const exited = new Promise((resolve) => server.once("exit", resolve));
      server.kill("SIGTERM"); // redis-server saves the append-only file and exits
      await exited;
    },
    async restart() {
      server = await start();
    },
    async close() {
      if (server.exitCode === null) {
        const exited = new Promise((resolve) => server.once("exit", resolve));
        server.kill("SIGKILL");
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
