import { randomBytes } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../src/api/app.js";
import { loadConfig } from "../../src/config.js";
import { createDatabase } from "../../src/db/client.js";
import { createPredictionPool } from "../../src/prediction/prediction-pool.js";
import { createRedisConnection, untilReady } from "../../src/queue/connection.js";
import { redisRevocationSignal } from "../../src/queue/key-revocations.js";
import { createTrainingQueue } from "../../src/queue/training-queue.js";
import { createVerifiedKeyCache, type VerifiedKey } from "../../src/services/verified-key-cache.js";
import { predictionThreadEntry } from "../../workers/thread-entries.js";
import { createTestContext, deleteKeys, redisUrl, testAdminKey, type TestContext } from "../helpers/context.js";

// API processes cache the keys they verified; a revocation must still take
// effect on the very next request in every process.

let ctx: TestContext;
let other: { app: FastifyInstance; close(): Promise<void> };
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

/** A second API on the same database and Redis prefix: what another API process is. */
async function secondApp(): Promise<typeof other> {
  const config = loadConfig({ DESCENT_AUTH: "on", DESCENT_ADMIN_KEY: testAdminKey });
  const db = createDatabase(ctx.databaseUrl);
  const redis = createRedisConnection(redisUrl, "producer");
  await untilReady(redis);
  const subscriber = createRedisConnection(redisUrl, "worker");
  const queue = createTrainingQueue(redis, ctx.queuePrefix);
  const predictions = createPredictionPool({ entry: predictionThreadEntry });
  const app = await buildApp({ config: { ...config, logLevel: "silent", queuePrefix: ctx.queuePrefix }, db, queue, redis, subscriber, predictions, logging: false });
  await app.ready();
  return {
    app,
    async close() {
      await app.close();
      await predictions.close();
      await queue.close();
      redis.disconnect();
      subscriber.disconnect();
      await db.$disconnect();
    },
  };
}

beforeAll(async () => {
  ctx = await createTestContext({ auth: "on" });
  other = await secondApp();
});
afterAll(async () => {
  await other?.close();
  await ctx?.close();
});

describe("revocation with cached keys", () => {
  it("rejects a revoked key on the next request in another API process that had it cached", async () => {
    const project = (await ctx.app.inject({ method: "POST", url: "/v1/projects", headers: bearer(testAdminKey), payload: { name: "two-processes" } })).json();
    const spare = (await ctx.app.inject({ method: "POST", url: "/v1/api-keys", headers: bearer(project.apiKey), payload: { name: "spare" } })).json();
    for (const app of [ctx.app, other.app]) {
      for (let i = 0; i < 3; i++) expect((await app.inject({ url: "/v1/jobs", headers: bearer(spare.apiKey) })).statusCode).toBe(200);
    }
    const revoked = await ctx.app.inject({ method: "DELETE", url: `/v1/api-keys/${spare.id}`, headers: bearer(project.apiKey) });
    expect(revoked.statusCode).toBe(204);
    const afterwards = await other.app.inject({ url: "/v1/jobs", headers: bearer(spare.apiKey) });
    expect(afterwards.statusCode).toBe(401);
    expect(afterwards.headers["content-type"]).toMatch(/problem\+json/);
    expect((await ctx.app.inject({ url: "/v1/jobs", headers: bearer(spare.apiKey) })).statusCode).toBe(401);
    // Other keys keep working in both processes.
    for (const app of [ctx.app, other.app]) expect((await app.inject({ url: "/v1/jobs", headers: bearer(project.apiKey) })).statusCode).toBe(200);
  });

  it("rejects a key revoked through the other process too", async () => {
    const project = (await ctx.app.inject({ method: "POST", url: "/v1/projects", headers: bearer(testAdminKey), payload: { name: "reverse" } })).json();
    const spare = (await other.app.inject({ method: "POST", url: "/v1/api-keys", headers: bearer(project.apiKey), payload: { name: "spare" } })).json();
    expect((await ctx.app.inject({ url: "/v1/jobs", headers: bearer(spare.apiKey) })).statusCode).toBe(200);
    expect((await other.app.inject({ method: "DELETE", url: `/v1/api-keys/${spare.id}`, headers: bearer(project.apiKey) })).statusCode).toBe(204);
    expect((await ctx.app.inject({ url: "/v1/jobs", headers: bearer(spare.apiKey) })).statusCode).toBe(401);
  });
});

describe("the verified-key cache", () => {
  const prefix = `descent-test-cache-${randomBytes(4).toString("hex")}`;
  const key: VerifiedKey = { id: "key_1", projectId: "prj_1" };
  const redis = createRedisConnection(redisUrl, "producer");
  afterAll(async () => {
    await deleteKeys(redis, `${prefix}:*`);
    redis.disconnect();
  });

  /** A loader that counts how often the cache had to ask "Postgres". */
  function counting(answer: VerifiedKey | null) {
    const loader = { calls: 0, load: async () => (loader.calls++, answer) };
    return loader;
  }

  it("asks the loader once per key until a revocation is announced, then again", async () => {
    await untilReady(redis);
    const signal = redisRevocationSignal(redis, prefix);
    const cache = createVerifiedKeyCache({ signal });
    const loader = counting(key);
    for (let i = 0; i < 5; i++) expect(await cache.lookUp("h1", loader.load)).toEqual(key);
    expect(loader.calls).toBe(1);
    await redisRevocationSignal(redis, prefix).announce(); // as another process would
    expect(await cache.lookUp("h1", loader.load)).toEqual(key);
    expect(loader.calls).toBe(2);
  });

  it("never caches an unknown key", async () => {
    const cache = createVerifiedKeyCache({ signal: redisRevocationSignal(redis, prefix) });
    const loader = counting(null);
    for (let i = 0; i < 3; i++) expect(await cache.lookUp("h2", loader.load)).toBeNull();
    expect(loader.calls).toBe(3);
  });

  it("asks again once an entry is older than its time to live", async () => {
    let now = 0;
    const cache = createVerifiedKeyCache({ signal: redisRevocationSignal(redis, prefix), ttlMs: 1_000, now: () => now });
    const loader = counting(key);
    await cache.lookUp("h3", loader.load);
    now = 999;
    await cache.lookUp("h3", loader.load);
    expect(loader.calls).toBe(1);
    now = 1_000;
    await cache.lookUp("h3", loader.load);
    expect(loader.calls).toBe(2);
  });

  it("does not keep a key verified while a revocation was announced", async () => {
    const cache = createVerifiedKeyCache({ signal: redisRevocationSignal(redis, prefix) });
    let release!: () => void;
    let entered!: () => void;
    const loading = new Promise<void>((resolve) => (entered = resolve));
    const slow = async () => {
      entered();
      await new Promise<void>((resolve) => (release = resolve));
      return key;
    };
    const inFlight = cache.lookUp("h4", slow);
    await loading; // it has read the revocation value and is "in Postgres"
    await redisRevocationSignal(redis, prefix).announce();
    const loader = counting(null); // the key is revoked by now
    expect(await cache.lookUp("h4", loader.load)).toBeNull();
    release();
    expect(await inFlight).toEqual(key); // a lookup concurrent with the revocation may pass ...
    expect(await cache.lookUp("h4", loader.load)).toBeNull(); // ... but leaves nothing behind
    expect(loader.calls).toBe(2);
  });

  it("trusts nothing while Redis cannot be read, and says so by asking the loader every time", async () => {
    const down = createRedisConnection(redisUrl, "producer");
    await untilReady(down);
    const cache = createVerifiedKeyCache({ signal: redisRevocationSignal(down, prefix) });
    const loader = counting(key);
    await cache.lookUp("h5", loader.load);
    await cache.lookUp("h5", loader.load);
    expect(loader.calls).toBe(1);
    down.disconnect(); // a producer connection without an offline queue rejects commands at once
    await cache.lookUp("h5", loader.load);
    await cache.lookUp("h5", loader.load);
    expect(loader.calls).toBe(3);
  });
});
