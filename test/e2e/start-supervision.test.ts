import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { redisUrl } from "../helpers/context.js";
import { createTestDatabase } from "../helpers/postgres.js";
import { freePort, startProcess, type ServiceProcess } from "../helpers/processes.js";
import { supervise } from "../../src/supervisor.js";

// `npm start` supervises its API and worker: a worker killed with -9 is
// started again and the API keeps serving meanwhile; SIGTERM stops both.

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let host: ServiceProcess;
let base: string;

/** Resolves with the first match of `pattern` in the process's output after `from` characters. */
async function untilOutput(process: ServiceProcess, pattern: RegExp, from = 0, timeoutMs = 60_000): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = process.output().slice(from).match(pattern);
    if (match) return match;
    if (process.process.exitCode !== null) throw new Error(`exited before ${pattern}:\n${process.output()}`);
    if (Date.now() > deadline) throw new Error(`no ${pattern} within ${timeoutMs} ms:\n${process.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

beforeAll(async () => {
  database = await createTestDatabase();
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  host = startProcess("src/start.ts", {
    DESCENT_STORE: "external",
    DATABASE_URL: database.url,
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: `descent-test-${randomBytes(4).toString("hex")}`,
    PORT: String(port),
    LOG_LEVEL: "info",
  });
  await untilOutput(host, /worker ready/);
  await untilOutput(host, /descent api: http/);
});
afterAll(async () => {
  await host?.stop("SIGKILL");
  await database?.drop();
});

describe("npm start", () => {
  it("restarts a worker killed with -9 and keeps the API serving; SIGTERM stops everything", async () => {
    const workerPid = Number((await untilOutput(host, /worker started \(pid (\d+)\)/))[1]);
    const apiPid = Number((await untilOutput(host, /api started \(pid (\d+)\)/))[1]);
    const before = host.output().length;
    process.kill(workerPid, "SIGKILL");
    await untilOutput(host, /the worker exited \(SIGKILL\); restarting it/, before);
    expect((await fetch(`${base}/health/live`)).status).toBe(200);
    const restartedPid = Number((await untilOutput(host, /worker started \(pid (\d+)\)/, before))[1]);
    expect(restartedPid).not.toBe(workerPid);
    await untilOutput(host, /worker ready/, before);
    // The API is the same process all along.
    expect(host.output().slice(before)).not.toMatch(/api started/);
    expect(() => process.kill(apiPid, 0)).not.toThrow();

    const exited = new Promise<number | null>((resolve) => host.process.once("exit", (code) => resolve(code)));
    host.process.kill("SIGTERM");
    expect(await exited).toBe(0);
    for (const pid of [apiPid, restartedPid]) expect(() => process.kill(pid, 0), `pid ${pid} still runs`).toThrow();
  });
});

describe("supervise", () => {
  it("gives up and stops with exit code 1 when a child keeps dying, saying so", async () => {
    const lines: string[] = [];
    const exitCode = await new Promise<number>((resolve) => {
      supervise([{ name: "flaky", args: ["-e", "process.exit(3)"] }], { cwd: process.cwd(), env: process.env, initialDelayMs: 10, maxRestarts: 3, say: (line) => lines.push(line), onStopped: resolve });
    });
    expect(exitCode).toBe(1);
    expect(lines.filter((line) => /restarting it in/.test(line))).toHaveLength(3);
    expect(lines.at(-1)).toMatch(/the flaky exited \(code 3\) 4 times within 60 s; stopping/);
  });
});
