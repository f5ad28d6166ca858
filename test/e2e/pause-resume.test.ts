import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { TRAINING_QUEUE } from "../../src/queue/training-queue.js";
import { call, startCluster, syntheticDataset, waitForJob, type Cluster } from "../helpers/cluster.js";
import { redisUrl } from "../helpers/context.js";
import { waitFor } from "../helpers/processes.js";

// Pause stops a running job at a batch boundary and frees its worker; resume
// continues it from that batch. The result must be the run never paused, bit
// for bit, however the pause and the workers meet.

let cluster: Cluster;
let datasetId: string;

beforeAll(async () => {
  // A few active jobs at most, to see resume counted against the cap.
  cluster = await startCluster({ workers: 0, env: { MAX_ACTIVE_JOBS_PER_PROJECT: "2" } });
  // Tens of milliseconds an epoch on this machine; 16 epochs leave time to act mid-training.
  const dataset = await call(cluster.base, "POST", "/v1/datasets", syntheticDataset(4000, 64, 4));
  expect(dataset.status).toBe(201);
  datasetId = dataset.body.id;
}, 120_000);
afterEach(() => cluster.stopWorkers());
afterAll(async () => {
  await cluster?.close();
});

const spec = {
  inputShape: [64],
  layers: [
    { type: "dense", units: 256, activation: "relu" },
    { type: "dropout", rate: 0.2 },
    { type: "dense", units: 256, activation: "relu" },
    { type: "dense", units: 4, activation: "softmax" },
  ],
};

async function submit(epochs: number): Promise<string> {
  const res = await call(cluster.base, "POST", "/v1/jobs", {
    datasetId,
    model: spec,
    training: { epochs, batchSize: 64, seed: 11, loss: "categoricalCrossentropy", optimizer: { type: "adam", learningRate: 0.001 }, validationSplit: 0.1 },
  });
  expect(res.status).toBe(202);
  return res.body.id as string;
}

const pause = (jobId: string) => call(cluster.base, "POST", `/v1/jobs/${jobId}/pause`);
const resume = (jobId: string) => call(cluster.base, "POST", `/v1/jobs/${jobId}/resume`);
const statuses = (job: { history: { status: string }[] }) => job.history.map((h) => h.status);
const epochsDone = (jobId: string) => cluster.db.epochMetric.count({ where: { jobId } });

async function weightsOf(jobId: string): Promise<Buffer> {
  const job = (await call(cluster.base, "GET", `/v1/jobs/${jobId}`)).body;
  const res = await fetch(`${cluster.base}/v1/models/${job.resultModelId}/weights`);
  return Buffer.from(await res.arrayBuffer());
}

let uninterrupted: { jobId: string; weights: Buffer; losses: number[] } | undefined;

/** The same job trained without a pause: the reference for bit-identical results. */
async function reference() {
  if (!uninterrupted) {
    if (cluster.workers.length === 0) await cluster.startWorker();
    const jobId = await submit(16);
    await waitForJob(cluster, jobId, (job) => job.status === "succeeded", "the reference job");
    const rows = await cluster.db.epochMetric.findMany({ where: { jobId }, orderBy: { epoch: "asc" } });
    uninterrupted = { jobId, weights: await weightsOf(jobId), losses: rows.map((r) => r.loss) };
  }
  return uninterrupted;
}

async function expectSameAsReference(jobId: string) {
  const expected = await reference();
  const rows = await cluster.db.epochMetric.findMany({ where: { jobId }, orderBy: { epoch: "asc" } });
  expect(rows.map((r) => r.epoch)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
  expect(rows.map((r) => r.loss)).toEqual(expected.losses);
  expect((await weightsOf(jobId)).equals(expected.weights)).toBe(true);
}

describe("pause and resume", { timeout: 180_000 }, () => {
  it("pauses a running job at the next batch, frees its worker, and resumes it to the weights of a run never paused", async () => {
    await reference();
    if (cluster.workers.length === 0) await cluster.startWorker();
    const jobId = await submit(16);
    await waitFor(async () => ((await epochsDone(jobId)) >= 2 ? true : undefined), { what: "epoch 2", timeoutMs: 60_000 });
    const requestedAt = Date.now();
    const asked = await pause(jobId);
    expect(asked.status).toBe(202);
    expect(asked.body).toMatchObject({ status: "running", pauseRequested: true });

    const paused = await waitForJob(cluster, jobId, (j) => j.status === "paused", "the job to pause", 10_000);
    const pausedIn = Date.parse(paused.history.at(-1).at) - requestedAt;
    expect(pausedIn).toBeLessThan(1_000);
    expect(paused).toMatchObject({ pauseRequested: false, resultModelId: null, finishedAt: null });
    expect(paused.history.at(-1).message).toMatch(/^paused (in epoch \d+, after batch \d+|after \d+ epochs)$/);
    const checkpoint = await cluster.db.checkpoint.findUniqueOrThrow({ where: { jobId } });
    expect(checkpoint.epoch).toBe(paused.epoch);

    // The worker is free: a job submitted after the paused one runs to the end while it waits.
    const other = await submit(1);
    await waitForJob(cluster, other, (j) => j.status === "succeeded", "a job behind the paused one");
    expect((await call(cluster.base, "GET", `/v1/jobs/${jobId}`)).body).toMatchObject({ status: "paused", epoch: paused.epoch });
    expect(await epochsDone(jobId)).toBe(paused.epoch);

    const resumed = await resume(jobId);
    expect(resumed.status).toBe(202);
    expect(resumed.body.status).toBe("queued");
    expect(resumed.body.history.at(-1).message).toBe(`resumed after ${paused.epoch} epochs`);
    const done = await waitForJob(cluster, jobId, (j) => j.status === "succeeded", "the resumed job to succeed");
    expect(statuses(done)).toEqual(["queued", "running", "paused", "queued", "running", "succeeded"]);
    expect(done.attempt).toBe(2);
    await expectSameAsReference(jobId);
    console.log(`a running job paused ${pausedIn} ms after its request (${paused.history.at(-1).message})`);
  });

  it("keeps a pause asked while the job's worker was dead: the next worker pauses it at its checkpoint", async () => {
    await reference();
    const doomed = cluster.workers[0] ?? (await cluster.startWorker());
    const jobId = await submit(16);
    await waitFor(async () => ((await epochsDone(jobId)) >= 3 ? true : undefined), { what: "epoch 3", timeoutMs: 60_000 });
    doomed.process.kill("SIGKILL");
    expect((await pause(jobId)).body).toMatchObject({ status: "running", pauseRequested: true });
    await cluster.startWorker();
    const paused = await waitForJob(cluster, jobId, (j) => j.status === "paused", "the next worker to pause the job");
    expect(paused.history.at(-1).message).toBe(`paused after ${paused.epoch} epochs`);
    expect(paused.epoch).toBeGreaterThanOrEqual(3);

    await resume(jobId);
    await waitForJob(cluster, jobId, (j) => j.status === "succeeded", "the resumed job to succeed");
    await expectSameAsReference(jobId);
  });

  it("pauses a queued job at once, resumes it under a new queue entry, and answers 409 once the job has ended", async () => {
    const jobId = await submit(1);
    const paused = await pause(jobId);
    expect(paused.status).toBe(202);
    expect(paused.body).toMatchObject({ status: "paused", pauseRequested: false });
    expect(paused.body.history.at(-1).message).toBe("paused before it started");
    // Pausing again changes nothing.
    const again = await pause(jobId);
    expect(again.status).toBe(202);
    expect(statuses(again.body)).toEqual(["queued", "paused"]);

    const connection = new Redis(redisUrl);
    const queue = new Queue(TRAINING_QUEUE, { connection, prefix: cluster.env.QUEUE_PREFIX });
    try {
      expect(await queue.getJob(jobId)).toBeUndefined();
      expect((await resume(jobId)).body.status).toBe("queued");
      expect(await queue.getJobState(`${jobId}.resume-1`)).not.toBe("unknown");
    } finally {
      await queue.close();
      connection.disconnect();
    }
    await cluster.startWorker();
    const done = await waitForJob(cluster, jobId, (j) => j.status === "succeeded", "the resumed job");
    expect(statuses(done)).toEqual(["queued", "paused", "queued", "running", "succeeded"]);

    for (const act of [pause, resume]) {
      const res = await act(jobId);
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ status: 409, detail: expect.stringContaining("succeeded") });
      expect((await act("job_unknown")).status).toBe(404);
    }
  });

  it("cancels a paused job at once, keeping the metrics of its epochs; counts a resume against the project's active jobs", async () => {
    await cluster.startWorker();
    const jobId = await submit(50);
    await waitFor(async () => ((await epochsDone(jobId)) >= 1 ? true : undefined), { what: "epoch 1", timeoutMs: 60_000 });
    await pause(jobId);
    const paused = await waitForJob(cluster, jobId, (j) => j.status === "paused", "the job to pause", 10_000);
    await cluster.stopWorkers();

    // The project may have 2 queued or running jobs: with two queued, the paused one cannot come back.
    const queued = [await submit(1), await submit(1)];
    const refused = await resume(jobId);
    expect(refused.status).toBe(429);
    expect((await call(cluster.base, "GET", `/v1/jobs/${jobId}`)).body.status).toBe("paused");

    const cancelled = await call(cluster.base, "POST", `/v1/jobs/${jobId}/cancel`);
    expect(cancelled.status).toBe(202);
    expect(cancelled.body).toMatchObject({ status: "cancelled", epoch: paused.epoch });
    expect(cancelled.body.history.at(-1).message).toBe(`cancelled while paused, after ${paused.epoch} epochs`);
    expect(await epochsDone(jobId)).toBe(paused.epoch);
    expect(await cluster.db.checkpoint.count({ where: { jobId } })).toBe(0);
    const done = await cluster.db.jobEvent.findMany({ where: { jobId, type: "done" } });
    expect(done.map((e) => e.data)).toEqual([{ status: "cancelled", epoch: paused.epoch }]);
    for (const id of queued) await call(cluster.base, "POST", `/v1/jobs/${id}/cancel`);
  });
});
