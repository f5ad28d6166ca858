import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { QueueEvents } from "bullmq";
import { Redis } from "ioredis";
import { TRAINING_QUEUE } from "../../src/queue/training-queue.js";
import { call, startCluster, syntheticDataset, waitForJob, type Cluster } from "../helpers/cluster.js";
import { redisUrl } from "../helpers/context.js";
import { waitFor, type ServiceProcess } from "../helpers/processes.js";

// Workers die, hang, and get told to stop; jobs must finish anyway, exactly
// once, with the same weights as if nothing had happened.

let cluster: Cluster;
let datasetId: string;

beforeAll(async () => {
  cluster = await startCluster({ workers: 0 });
  // About half a second an epoch on this machine: time to act mid-training.
  const dataset = await call(cluster.base, "POST", "/v1/datasets", syntheticDataset(4000, 64, 4));
  expect(dataset.status).toBe(201);
  datasetId = dataset.body.id;
}, 120_000);

afterEach(() => cluster.stopWorkers());

afterAll(async () => {
  await cluster?.close();
});

const worker = (env: Record<string, string> = {}): Promise<ServiceProcess> => cluster.startWorker(env);

const spec = {
  inputShape: [64],
  layers: [
    { type: "dense", units: 256, activation: "relu" },
    { type: "dropout", rate: 0.2 },
    { type: "dense", units: 256, activation: "relu" },
    { type: "dense", units: 4, activation: "softmax" },
  ],
};

async function submit(epochs: number, extra: Record<string, unknown> = {}, model = spec) {
  const res = await call(cluster.base, "POST", "/v1/jobs", {
    datasetId,
    model,
    training: { epochs, batchSize: 64, seed: 11, loss: "categoricalCrossentropy", optimizer: { type: "adam", learningRate: 0.001 }, validationSplit: 0.1, ...extra },
  });
  expect(res.status).toBe(202);
  return res.body.id as string;
}

async function epochsDone(jobId: string): Promise<number> {
  return cluster.db.epochMetric.count({ where: { jobId } });
}

async function weightsOf(jobId: string): Promise<Buffer> {
  const job = (await call(cluster.base, "GET", `/v1/jobs/${jobId}`)).body;
  const res = await fetch(`${cluster.base}/v1/models/${job.resultModelId}/weights`);
  return Buffer.from(await res.arrayBuffer());
}

let uninterrupted: { jobId: string; weights: Buffer } | undefined;

/** The same job, trained by one worker with nothing going wrong: the reference for bit-identical results. */
async function reference(): Promise<Buffer> {
  if (!uninterrupted) {
    await worker();
    const jobId = await submit(8);
    await waitForJob(cluster, jobId, (job) => job.status === "succeeded", "the reference job");
    uninterrupted = { jobId, weights: await weightsOf(jobId) };
  }
  return uninterrupted.weights;
}

// Generous: these tests train for real, and a loaded machine can be several times slower.
describe("recovery", { timeout: 180_000 }, () => {
  it("resumes from the last checkpoint after kill -9, with one row per epoch and bit-identical weights", async () => {
    const expected = await reference();
    const doomed = cluster.workers[0] ?? (await worker());
    const jobId = await submit(8);
    await waitFor(async () => ((await epochsDone(jobId)) >= 3 ? true : undefined), { what: "epoch 3", timeoutMs: 60_000 });
    // Killed first, then the worker that resumes it started: the remaining epochs train faster than a
    // worker starts, so a worker started first could find the job already done.
    const killedAt = Date.now();
    doomed.process.kill("SIGKILL");
    await worker();

    const job = await waitForJob(cluster, jobId, (j) => j.status === "succeeded", "the job to succeed after the kill");
    const recoveredIn = Date.parse(job.history[2].at) - killedAt;
    expect(job.attempt).toBe(2);
    expect(job.history.map((h: { status: string }) => h.status)).toEqual(["queued", "running", "running", "succeeded"]);
    expect(job.history[2].message).toMatch(/resuming after epoch [3-8]/);
    const rows = await cluster.db.epochMetric.findMany({ where: { jobId }, orderBy: { epoch: "asc" } });
    expect(rows.map((r) => r.epoch)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect((await weightsOf(jobId)).equals(expected)).toBe(true);
    // The reference run's epochs and this one's agree too, row by row.
    const referenceRows = await cluster.db.epochMetric.findMany({ where: { jobId: uninterrupted!.jobId }, orderBy: { epoch: "asc" } });
    expect(rows.map((r) => r.loss)).toEqual(referenceRows.map((r) => r.loss));
    console.log(`kill -9 -> resumed by a worker started after the kill in ${recoveredIn} ms (its start, then lock 1.5 s, stalled check every 0.5 s)`);
  });

  it("a worker paused past its lock writes nothing once another finished the job", async () => {
    const paused = await worker();
    const jobId = await submit(6);
    await waitFor(async () => ((await epochsDone(jobId)) >= 2 ? true : undefined), { what: "epoch 2", timeoutMs: 60_000 });
    paused.process.kill("SIGSTOP");
    await worker();
    await waitForJob(cluster, jobId, (j) => j.status === "succeeded", "another worker to finish the job");

    const snapshot = async () => ({
      metrics: await cluster.db.epochMetric.findMany({ where: { jobId }, orderBy: { epoch: "asc" } }),
      events: await cluster.db.jobEvent.count({ where: { jobId } }),
      models: await cluster.db.model.count({ where: { sourceJobId: jobId } }),
      job: await cluster.db.trainingJob.findUniqueOrThrow({ where: { id: jobId } }),
    });
    const before = await snapshot();
    paused.process.kill("SIGCONT");
    await waitFor(async () => (paused.output().includes("is no longer current") ? true : undefined), {
      what: "the woken worker to notice it was fenced out",
      timeoutMs: 30_000,
    });
    expect(await snapshot()).toEqual(before);
    expect(before.models).toBe(1);
  });

  it("gives the event loop to lock renewal during an epoch three times longer than the lock", async () => {
    // One batch per epoch: the epoch is a single uninterrupted computation.
    const events = new QueueEvents(TRAINING_QUEUE, { connection: new Redis(redisUrl, { maxRetriesPerRequest: null }), prefix: cluster.env.QUEUE_PREFIX });
    const stalled: string[] = [];
    events.on("stalled", ({ jobId }) => stalled.push(jobId));
    await events.waitUntilReady();
    try {
      // A short lock, so the epoch outlasts it many times over however fast the kernels get (about 10x on this machine).
      const lockMs = 400;
      await worker({ WORKER_LOCK_DURATION_MS: String(lockMs), WORKER_STALLED_INTERVAL_MS: "200" });
      const wide = {
        ...spec,
        layers: [
          // Wide enough that the epoch stays past 3 locks on the faster kernels, on a loaded machine.
          { type: "dense", units: 1536, activation: "relu" },
          { type: "dense", units: 1536, activation: "relu" },
          { type: "dense", units: 4, activation: "softmax" },
        ],
      };
      const jobId = await submit(1, { batchSize: 4000, validationSplit: 0 }, wide);
      const job = await waitForJob(cluster, jobId, (j) => j.status === "succeeded", "the long-epoch job");
      const rows = await cluster.db.epochMetric.findMany({ where: { jobId } });
      expect(Math.min(...rows.map((r) => r.durationMs))).toBeGreaterThan(3 * lockMs);
      expect(job.attempt).toBe(1);
      expect(stalled).toEqual([]);
    } finally {
      await events.close();
    }
  });

  it("on SIGTERM releases the job at the next batch and exits within the deadline; another worker resumes it", async () => {
    const expected = await reference();
    const leaving = cluster.workers[0] ?? (await worker());
    const jobId = await submit(8);
    await waitFor(async () => ((await epochsDone(jobId)) >= 2 ? true : undefined), { what: "epoch 2", timeoutMs: 60_000 });
    const stoppedAt = Date.now();
    const exited = new Promise<number | null>((resolve) => leaving.process.once("exit", (code) => resolve(code)));
    leaving.process.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(Date.now() - stoppedAt).toBeLessThan(Number(cluster.env.SHUTDOWN_DEADLINE_MS));
    expect(leaving.output()).toMatch(/released at epoch \d+, batch \d+/);

    await worker();
    const job = await waitForJob(cluster, jobId, (j) => j.status === "succeeded", "the released job to succeed elsewhere");
    expect(job.attempt).toBe(2);
    expect((await cluster.db.epochMetric.findMany({ where: { jobId }, orderBy: { epoch: "asc" } })).map((r) => r.epoch)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect((await weightsOf(jobId)).equals(expected)).toBe(true);
  });

  it("fails a job that stalls too often with STALLED_TOO_OFTEN, visible through the API", async () => {
    const doomed = await worker();
    const jobId = await submit(50);
    await waitFor(async () => ((await epochsDone(jobId)) >= 1 ? true : undefined), { what: "epoch 1", timeoutMs: 60_000 });
    doomed.process.kill("SIGKILL");
    // This worker allows no stall at all: the first one fails the job.
    await worker({ WORKER_MAX_STALLED_COUNT: "0" });
    const job = await waitForJob(cluster, jobId, (j) => j.status === "failed", "the job to fail as stalled");
    expect(job.error).toMatchObject({ code: "STALLED_TOO_OFTEN" });
    expect(job.history.at(-1)).toMatchObject({ status: "failed" });
  });
});
