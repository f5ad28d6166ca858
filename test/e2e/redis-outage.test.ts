import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, startCluster, syntheticDataset, waitForJob, type Cluster } from "../helpers/cluster.js";
import { waitFor } from "../helpers/processes.js";
import { startOwnRedis } from "../helpers/redis-server.js";

// Redis goes away mid-job and comes back: the job finishes, submissions
// during the outage fail fast with a 503 and leave nothing behind, reads
// from Postgres keep working, and the queue works again afterwards.

let redis: Awaited<ReturnType<typeof startOwnRedis>>;
let cluster: Cluster;
let datasetId: string;

beforeAll(async () => {
  redis = await startOwnRedis();
  cluster = await startCluster({ workers: 1, redisUrl: redis.url });
  datasetId = (await call(cluster.base, "POST", "/v1/datasets", syntheticDataset(2000, 32, 3))).body.id;
}, 120_000);
afterAll(async () => {
  await cluster?.close();
  await redis?.close();
});

const job = (epochs: number) => ({
  datasetId,
  model: { inputShape: [32], layers: [{ type: "dense", units: 256, activation: "relu" }, { type: "dense", units: 3, activation: "softmax" }] },
  training: { epochs, batchSize: 32, seed: 3, loss: "categoricalCrossentropy", optimizer: { type: "adam", learningRate: 0.001 } },
});

// Enough epochs that the job outlasts the outage on warm, two-thread workers (30 finished before Redis was down).
const EPOCHS = 1000;

describe("a Redis restart", { timeout: 120_000 }, () => {
  it("is survived by a running job; meanwhile POST /v1/jobs is a fast 503 that creates nothing, and reads work", async () => {
    const running = (await call(cluster.base, "POST", "/v1/jobs", job(EPOCHS))).body.id;
    await waitFor(async () => ((await cluster.db.epochMetric.count({ where: { jobId: running } })) >= 2 ? true : undefined), { what: "epoch 2" });

    const worker = cluster.workers[0];
    const outputAtStop = worker.output().length;
    await redis.stop();
    const epochsAtStop = await cluster.db.epochMetric.count({ where: { jobId: running } });
    const jobsBefore = await cluster.db.trainingJob.count();
    const startedAt = Date.now();
    const refused = await call(cluster.base, "POST", "/v1/jobs", job(1));
    expect(Date.now() - startedAt).toBeLessThan(1_000);
    expect(refused.status).toBe(503);
    expect(refused.body).toMatchObject({ status: 503, detail: expect.stringContaining("nothing was created") });
    expect(await cluster.db.trainingJob.count()).toBe(jobsBefore);
    expect((await call(cluster.base, "GET", `/v1/jobs/${running}`)).status).toBe(200);
    expect((await call(cluster.base, "GET", "/health/ready")).status).toBe(503);

    // The outage is real for the worker (it logs the lost connection) and training goes on through it (an epoch lands in Postgres).
    await waitFor(async () => (worker.output().slice(outputAtStop).includes("redis connection error") ? true : undefined), { what: "the worker to lose Redis" });
    await waitFor(async () => ((await cluster.db.epochMetric.count({ where: { jobId: running } })) > epochsAtStop ? true : undefined), { what: "an epoch during the outage" });
    await redis.restart();

    const finished = await waitForJob(cluster, running, (j) => j.status === "succeeded", "the running job to finish after the restart");
    const rows = await cluster.db.epochMetric.findMany({ where: { jobId: running }, orderBy: { epoch: "asc" } });
    expect(rows.map((r) => r.epoch)).toEqual(Array.from({ length: EPOCHS }, (_, i) => i + 1));
    expect(finished.resultModelId).toMatch(/^mdl_/);

    await waitFor(async () => ((await call(cluster.base, "GET", "/health/ready")).status === 200 ? true : undefined), { what: "readiness again" });
    const after = await call(cluster.base, "POST", "/v1/jobs", job(2));
    expect(after.status).toBe(202);
    await waitForJob(cluster, after.body.id, (j) => j.status === "succeeded", "a job posted after the restart");
  });
});
