import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import pg from "pg";
import { redisEventSink } from "../../src/queue/job-event-channel.js";
import { createTestContext, redisUrl, type TestContext } from "../helpers/context.js";
import { readEvents } from "../helpers/sse.js";
import { startTcpProxy, type TcpProxy } from "../helpers/tcp-proxy.js";

// The API in front of a Postgres that goes away: through a proxy of the
// test's own in front of the machine's Postgres (which keeps running for the
// other test files), cut (refused connections) or stalled (nothing answers).
// Every request answers 503 with Retry-After within a bound, and the API
// serves again once Postgres is back.

let proxy: TcpProxy;
let ctx: TestContext;
let base: string;
let publisher: Redis;
const STATEMENT_TIMEOUT_MS = 1_000;
/** A stalled Postgres is given up on after the statement timeout plus the client's 5 s margin; a pool wait after 5 s. */
const ANSWER_BOUND_MS = STATEMENT_TIMEOUT_MS + 5_000 + 3_000;

beforeAll(async () => {
  proxy = await startTcpProxy({ host: "127.0.0.1", port: 5432 });
  ctx = await createTestContext({ connectVia: proxy.port, configEnv: { DATABASE_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS) } });
  await ctx.app.listen({ port: 0, host: "127.0.0.1" });
  base = `http://127.0.0.1:${(ctx.app.server.address() as { port: number }).port}`;
  publisher = new Redis(redisUrl);
});
afterAll(async () => {
  await proxy?.forward();
  await ctx?.close();
  await proxy?.close();
  publisher?.disconnect();
});

async function timed(path: string, init?: RequestInit) {
  const started = Date.now();
  const res = await fetch(`${base}${path}`, init);
  return { res, ms: Date.now() - started, body: await res.text() };
}

const upload = { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ features: [[0], [1]], labels: [0, 1] }) };

describe("Postgres unavailable", () => {
  it("answers 503 with Retry-After while Postgres refuses connections, and serves again once it is back", async () => {
    expect((await timed("/v1/jobs")).res.status).toBe(200);
    await proxy.down();
    for (const [path, init] of [["/v1/jobs", undefined], ["/v1/datasets/ds_x", undefined], ["/v1/datasets", upload]] as const) {
      const { res, ms, body } = await timed(path, init);
      expect(res.status, `${path}: ${body}`).toBe(503);
      expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(res.headers.get("content-type")).toMatch(/problem\+json/);
      expect(JSON.parse(body).detail).toMatch(/Postgres/);
      expect(ms).toBeLessThan(ANSWER_BOUND_MS);
    }
    expect((await timed("/health/ready")).res.status).toBe(503);
    expect((await timed("/health/live")).res.status).toBe(200);
    await proxy.forward();
    expect((await timed("/v1/jobs")).res.status).toBe(200);
    expect((await timed("/v1/datasets", upload)).res.status).toBe(201);
  });

  it("answers 503 within a bound when Postgres stops answering, for every request holding or awaiting a connection", async () => {
    expect((await timed("/v1/jobs")).res.status).toBe(200);
    proxy.stall();
    const answers = await Promise.all(Array.from({ length: 15 }, () => timed("/v1/jobs")));
    for (const { res, ms, body } of answers) {
      expect(res.status, body).toBe(503);
      expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(ms).toBeLessThan(ANSWER_BOUND_MS);
    }
    await proxy.down(); // cut the stalled connections, as a restarted server would
    await proxy.forward();
    expect((await timed("/v1/jobs")).res.status).toBe(200);
  });

  it("answers 503 after the statement timeout when a table it needs stays locked", async () => {
    const locker = new pg.Client({ connectionString: ctx.databaseUrl });
    await locker.connect();
    try {
      await locker.query("BEGIN");
      await locker.query('LOCK TABLE "TrainingJob" IN ACCESS EXCLUSIVE MODE');
      const answers = await Promise.all(Array.from({ length: 12 }, () => timed("/v1/jobs")));
      for (const { res, ms } of answers) {
        expect(res.status).toBe(503);
        expect(ms).toBeLessThan(ANSWER_BOUND_MS);
      }
      expect((await timed("/v1/datasets")).res.status).toBe(200); // other tables are not held up
    } finally {
      await locker.query("ROLLBACK");
      await locker.end();
    }
    expect((await timed("/v1/jobs")).res.status).toBe(200);
  });

  it("keeps an open event stream going while Postgres is down, to its done event", async () => {
    const dataset = (await (await fetch(`${base}/v1/datasets`, upload)).json()) as { id: string };
    const job = (await (
      await fetch(`${base}/v1/jobs`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          datasetId: dataset.id,
          model: { inputShape: [1], layers: [{ type: "dense", units: 2, activation: "softmax" }] },
          training: { epochs: 1, batchSize: 2, loss: "categoricalCrossentropy", optimizer: { type: "sgd", learningRate: 0.1 } },
        }),
      })
    ).json()) as { id: string };
    let replayed!: () => void;
    const historyReplayed = new Promise<void>((resolve) => (replayed = resolve));
    const events = readEvents(`${base}/v1/jobs/${job.id}/events`, { timeoutMs: 30_000, onEvent: replayed, stopWhen: (event) => event.event === "done" });
    // The stream subscribes to live events before it replays the stored ones: once the "queued" status has come, it is live.
    await historyReplayed;
    await proxy.down();
    const sink = redisEventSink(publisher, ctx.queuePrefix);
    sink.publish(job.id, { id: "999999", type: "done", data: { status: "succeeded", epoch: 1 } });
    const { events: received } = await events;
    expect(received.at(-1)).toMatchObject({ event: "done", id: "999999" });
    await proxy.forward();
  });
});
