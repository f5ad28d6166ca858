import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { redisUrl } from "../helpers/context.js";
import { createTestDatabase } from "../helpers/postgres.js";
import { startProcess, type ServiceProcess } from "../helpers/processes.js";

// A worker's own health signal (a heartbeat in Redis) and the command a
// container runs to check it: healthy while the worker lives, unhealthy soon
// after it dies.

const prefix = `descent-test-${randomBytes(4).toString("hex")}`;
const env = { REDIS_URL: redisUrl, QUEUE_PREFIX: prefix, WORKER_HEARTBEAT_INTERVAL_MS: "200" };
let worker: ServiceProcess | undefined;
let database: Awaited<ReturnType<typeof createTestDatabase>> | undefined;
afterAll(async () => {
  await worker?.stop("SIGKILL");
  await database?.drop();
});

function healthcheck(): number | null {
  return spawnSync(process.execPath, ["--import", "tsx", "workers/healthcheck.ts"], { env: { ...process.env, ...env }, encoding: "utf8", timeout: 20_000 }).status;
}

describe("worker health check", () => {
  it("passes while a worker on this host beats, and fails once it is gone", async () => {
    expect(healthcheck()).toBe(1); // no worker yet
    database = await createTestDatabase();
    worker = startProcess("workers/training.ts", { ...env, DATABASE_URL: database.url, LOG_LEVEL: "info" });
    for (let tries = 0; !worker.output().includes("worker ready"); tries++) {
      if (tries > 600) throw new Error(`no worker ready:\n${worker.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(healthcheck()).toBe(0);
    worker.process.kill("SIGKILL");
    await new Promise((resolve) => worker!.process.once("exit", resolve));
    // The heartbeat expires after three intervals (600 ms); each check takes longer than that to start.
    let status = healthcheck();
    for (let tries = 0; status === 0 && tries < 20; tries++) status = healthcheck();
    expect(status).toBe(1);
  });
});
