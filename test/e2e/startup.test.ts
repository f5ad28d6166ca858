import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { loadConfig, ConfigError } from "../../src/config.js";
import { freePort } from "../helpers/processes.js";

function start(entry: string, env: Record<string, string>) {
  const result = spawnSync(process.execPath, ["--import", "tsx", entry], {
    env: { ...process.env, ...env },
    encoding: "utf8",
    timeout: 30_000,
  });
  return { status: result.status, stderr: result.stderr };
}

describe("starting without the backing services", () => {
  it.each(["src/start.ts", "src/server.ts", "workers/training.ts"])("%s says which service is unreachable and how to fix it, then exits 1", async (entry) => {
    const closed = await freePort();
    const { status, stderr } = start(entry, { DATABASE_URL: `postgresql://postgres@127.0.0.1:${closed}/descent` });
    expect(status).toBe(1);
    expect(stderr).toContain(`cannot reach Postgres at 127.0.0.1:${closed}`);
    expect(stderr).toContain("set DATABASE_URL");
    expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it("names Redis when it is Redis that does not answer", async () => {
    const closed = await freePort();
    const { status, stderr } = start("src/server.ts", { REDIS_URL: `redis://127.0.0.1:${closed}`, DATABASE_URL: "postgresql://postgres@127.0.0.1:5432/postgres" });
    expect(status).toBe(1);
    expect(stderr).toContain(`cannot reach Redis at 127.0.0.1:${closed}`);
    expect(stderr).not.toContain("Postgres");
  });

  it("rejects a bad setting in one line", () => {
    const { status, stderr } = start("src/server.ts", { PORT: "eighty" });
    expect(status).toBe(1);
    expect(stderr.trim()).toBe('descent: PORT must be an integer between 0 and 65535, got "eighty"');
  });
});

describe("loadConfig", () => {
  it("uses local defaults and reads overrides", () => {
    expect(loadConfig({})).toMatchObject({
      databaseUrl: "postgresql://postgres@127.0.0.1:5432/descent",
      redisUrl: "redis://127.0.0.1:6379",
      port: 3000,
    });
    expect(loadConfig({ PORT: "8080", REDIS_URL: "redis://cache:6380" })).toMatchObject({ port: 8080, redisUrl: "redis://cache:6380" });
  });

  it("rejects URLs of the wrong kind", () => {
    expect(() => loadConfig({ DATABASE_URL: "mysql://x" })).toThrow(ConfigError);
    expect(() => loadConfig({ REDIS_URL: "not a url" })).toThrow(/REDIS_URL is not a URL/);
  });
});
