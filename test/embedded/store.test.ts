import { spawnSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config.js";
import { writeHostState } from "../../src/embedded/state-file.js";
import { chooseStore, joinEmbeddedStore } from "../../src/embedded/store.js";
import { freePort } from "../helpers/processes.js";

// DESCENT_STORE: which Postgres and Redis a process uses. "The local
// services" are whatever answers at the default URLs; here the defaults point
// at a listener of the test's own (answers) or at closed ports (nothing does).

let listener: Server;
let answering: number;
let dataDir: string;

beforeAll(async () => {
  listener = createServer((socket) => socket.destroy());
  answering = await new Promise<number>((resolve) => listener.listen(0, "127.0.0.1", () => resolve((listener.address() as { port: number }).port)));
  dataDir = await mkdtemp(join(tmpdir(), "descent-store-"));
});

afterAll(async () => {
  listener?.close();
  await rm(dataDir, { recursive: true, force: true });
});

/** loadConfig with the default URLs moved to the given ports, as if they were 5432 and 6379. */
function configWithDefaults(env: NodeJS.ProcessEnv, postgresPort: number, redisPort: number) {
  return {
    ...loadConfig({ ...env, DESCENT_DATA_DIR: dataDir }),
    databaseUrl: `postgresql://postgres@127.0.0.1:${postgresPort}/descent`,
    redisUrl: `redis://127.0.0.1:${redisPort}`,
  };
}

describe("DESCENT_STORE=auto (the default)", () => {
  it("picks the external services when the local ones answer", async () => {
    const closed = await freePort();
    expect(await chooseStore(configWithDefaults({}, answering, answering), {})).toEqual({ kind: "external" });
    expect(await chooseStore(configWithDefaults({}, answering, closed), {})).toEqual({ kind: "external" }); // preflight then names Redis
  });

  it("picks the embedded store when nothing answers on the default ports", async () => {
    const [pg, redis] = [await freePort(), await freePort()];
    expect(loadConfig({}).store).toBe("auto");
    expect(await chooseStore(configWithDefaults({}, pg, redis), {})).toEqual({ kind: "embedded" });
  });

  it("never falls back when DATABASE_URL or REDIS_URL is set", async () => {
    const [pg, redis] = [await freePort(), await freePort()];
    const env = { DATABASE_URL: `postgresql://postgres@127.0.0.1:${pg}/descent` };
    expect(await chooseStore(configWithDefaults(env, pg, redis), env)).toEqual({ kind: "external" });
  });

  it("never falls back under NODE_ENV=production, and says why", async () => {
    const [pg, redis] = [await freePort(), await freePort()];
    const choice = await chooseStore(configWithDefaults({ NODE_ENV: "production" }, pg, redis), {});
    expect(choice).toMatchObject({ kind: "external", note: expect.stringContaining("NODE_ENV=production never falls back") });
  });
});

describe("DESCENT_STORE=external and embedded", () => {
  it("external never falls back; embedded always embeds", async () => {
    const [pg, redis] = [await freePort(), await freePort()];
    expect(await chooseStore(configWithDefaults({ DESCENT_STORE: "external" }, pg, redis), {})).toEqual({ kind: "external" });
    expect(await chooseStore(configWithDefaults({ DESCENT_STORE: "embedded" }, answering, answering), {})).toEqual({ kind: "embedded" });
  });

  it("rejects other values and refuses embedded in production", () => {
    expect(() => loadConfig({ DESCENT_STORE: "sqlite" })).toThrow(/DESCENT_STORE must be one of auto, external, embedded/);
    expect(() => loadConfig({ DESCENT_STORE: "embedded", NODE_ENV: "production" })).toThrow(ConfigError);
  });

  it("NODE_ENV=production with DESCENT_STORE=embedded: npm start exits with one clear line", () => {
    const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: "production", DESCENT_STORE: "embedded", DESCENT_DATA_DIR: dataDir };
    delete env.DATABASE_URL;
    delete env.REDIS_URL;
    const result = spawnSync(process.execPath, ["--import", "tsx", "src/start.ts"], { env, encoding: "utf8", timeout: 30_000 });
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe(
      "descent: DESCENT_STORE=embedded is not for production (NODE_ENV=production): run real Postgres and Redis and set DATABASE_URL and REDIS_URL",
    );
  });
});

describe("joining a running embedded store (npm run worker, npm run api)", () => {
  it("uses the URLs of the host that runs on the data directory", async () => {
    await writeHostState(dataDir, { pid: process.pid, databaseUrl: "postgresql://postgres@127.0.0.1:1111/postgres", redisUrl: "redis://127.0.0.1:2222", startedAt: "" });
    const joined = joinEmbeddedStore(loadConfig({ DESCENT_DATA_DIR: dataDir }), {});
    expect(joined).toMatchObject({ databaseUrl: "postgresql://postgres@127.0.0.1:1111/postgres", redisUrl: "redis://127.0.0.1:2222" });
    // Explicit URLs and DESCENT_STORE=external win over a running host.
    const env = { DATABASE_URL: "postgresql://postgres@db:5432/descent" };
    expect(joinEmbeddedStore(loadConfig({ ...env, DESCENT_DATA_DIR: dataDir }), env).databaseUrl).toBe(env.DATABASE_URL);
    expect(joinEmbeddedStore(loadConfig({ DESCENT_STORE: "external", DESCENT_DATA_DIR: dataDir }), {}).databaseUrl).toContain("127.0.0.1:5432");
    await rm(join(dataDir, "embedded.json"));
  });

  it("DESCENT_STORE=embedded with no host running says how to start one", () => {
    expect(() => joinEmbeddedStore(loadConfig({ DESCENT_STORE: "embedded", DESCENT_DATA_DIR: dataDir }), {})).toThrow(/no embedded store runs on .*npm start/);
  });
});
