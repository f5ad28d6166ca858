import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { TRAINING_QUEUE } from "../../src/queue/training-queue.js";
import { call, startCluster, syntheticDataset, waitForJob, type Cluster } from "../helpers/cluster.js";
import { redisUrl } from "../helpers/context.js";
import { waitFor } from "../helpers/processes.js";
import { readEvents, type ReceivedEvent } from "../helpers/sse.js";

let cluster: Cluster;
let datasetId: string;

beforeAll(async () => {
  // Bursts of 20 cancels back to back (jobs now start and end within milliseconds): above the default 50 requests/s per key.
  cluster = await startCluster({ workers: 0, env: { RATE_LIMIT_PER_SECOND: "1000" } });
  const dataset = await call(cluster.base, "POST", "/v1/datasets", syntheticDataset(2000, 32, 3));
  datasetId = dataset.body.id;
}, 120_000);
afterEach(() => cluster.stopWorkers());
afterAll(async () => {
  await cluster?.close();
});

const worker = () => cluster.startWorker();

async function submit(epochs: number, hidden = 128) {
  const res = await call(cluster.base, "POST", "/v1/jobs", {
    datasetId,
    model: { inputShape: [32], layers: [{ type: "dense", units: hidden, activation: "relu" }, { type: "dense", units: 3, activation: "softmax" }] },
    training: { epochs, batchSize: 32, seed: 5, loss: "categoricalCrossentropy", optimizer: { type: "sgd", learningRate: 0.05 }, validationSplit: 0.2 },
  });
  expect(res.status).toBe(202);
  return res.body.id as string;
}

const cancel = (jobId: string) => call(cluster.base, "POST", `/v1/jobs/${jobId}/cancel`);

describe("cancel", { timeout: 120_000 }, () => {
  it("cancels a queued job at once and takes it off the queue; a worker never runs it", async () => {
    const jobId = await submit(5);
    const res = await cancel(jobId);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ status: "cancelled", cancelRequested: true });
    expect(res.body.history.map((h: { status: string }) => h.status)).toEqual(["queued", "cancelled"]);

    const queue = new Queue(TRAINING_QUEUE, { connection: new Redis(redisUrl), prefix: cluster.env.QUEUE_PREFIX });
    expect(await queue.getJob(jobId)).toBeUndefined();
    await queue.close();

    // One worker takes jobs in order: once a job submitted after it has run, the worker is past it.
    await worker();
    const later = await submit(1, 8);
    await waitForJob(cluster, later, (j) => j.status === "succeeded", "a job submitted after the cancelled one");
    const job = (await call(cluster.base, "GET", `/v1/jobs/${jobId}`)).body;
    expect(job).toMatchObject({ status: "cancelled", attempt: 0 });
  });

  it("stops a running job at the next batch, keeps its metrics, and does not retry it", async () => {
    await worker();
    const jobId = await submit(200);
    await waitFor(async () => ((await cluster.db.epochMetric.count({ where: { jobId } })) >= 2 ? true : undefined), { what: "epoch 2" });
    const requestedAt = Date.now();
    const res = await cancel(jobId);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ status: "running", cancelRequested: true });

    const job = await waitForJob(cluster, jobId, (j) => j.status === "cancelled", "the running job to stop", 10_000);
    const stoppedIn = Date.parse(job.history.at(-1).at) - requestedAt;
    expect(stoppedIn).toBeLessThan(1_000);
    expect(job).toMatchObject({ attempt: 1, resultModelId: null, error: null });
    const rows = await cluster.db.epochMetric.count({ where: { jobId } });
    expect(rows).toBeGreaterThanOrEqual(2);
    expect(job.epoch).toBe(rows);
    // The queue's job ends completed (a failed or delayed one would be retried).
    const connection = new Redis(redisUrl);
    const queue = new Queue(TRAINING_QUEUE, { connection, prefix: cluster.env.QUEUE_PREFIX });
    const state = await waitFor(async () => ((s) => (s === "active" ? undefined : s))(await queue.getJobState(jobId)), { what: "the queue to finish the job" });
    await queue.close();
    connection.disconnect();
    expect(state).toBe("completed");
    expect((await call(cluster.base, "GET", `/v1/jobs/${jobId}`)).body.attempt).toBe(1);
    console.log(`a running job stopped ${stoppedIn} ms after its cancel`);
  });

  it("answers 409 with the status for a job that has ended, and 404 for an unknown one", async () => {
    await worker();
    const jobId = await submit(1, 8);
    await waitForJob(cluster, jobId, (j) => j.status === "succeeded", "a short job");
    const res = await cancel(jobId);
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ status: 409, detail: expect.stringContaining("succeeded") });
    expect((await cancel("job_unknown")).status).toBe(404);
  });

  it("ends in exactly one terminal state when 20 cancels race each other and the job's completion", async () => {
    await worker();
    for (const epochs of [1, 3]) {
      const jobId = await submit(epochs, 8);
      await waitForJob(cluster, jobId, (j) => j.status !== "queued", "the job to start", 10_000);
      const answers = await Promise.all(Array.from({ length: 20 }, () => cancel(jobId)));
      for (const answer of answers) expect([202, 409]).toContain(answer.status);

      const job = await waitForJob(cluster, jobId, (j) => ["succeeded", "cancelled", "failed"].includes(j.status), "a terminal state");
      const events = await cluster.db.jobEvent.findMany({ where: { jobId }, orderBy: { id: "asc" } });
      const terminal = events.filter((e) => e.type === "status" && ["succeeded", "cancelled", "failed"].includes((e.data as { status: string }).status));
      expect(terminal).toHaveLength(1);
      expect(events.filter((e) => e.type === "done")).toHaveLength(1);
      expect(await cluster.db.model.count({ where: { sourceJobId: jobId } })).toBe(job.status === "succeeded" ? 1 : 0);
    }
  });

  it("cancels a queued job once however many cancel it at the same time", async () => {
    const jobId = await submit(5);
    const answers = await Promise.all(Array.from({ length: 20 }, () => cancel(jobId)));
    for (const answer of answers) expect([202, 409]).toContain(answer.status);
    expect(answers.filter((a) => a.status === 202).length).toBeGreaterThanOrEqual(1);
    const events = await cluster.db.jobEvent.findMany({ where: { jobId, type: "status" } });
    expect(events.map((e) => (e.data as { status: string }).status)).toEqual(["queued", "cancelled"]);
  });
});

describe("live events", { timeout: 120_000 }, () => {
  const durable = (events: ReceivedEvent[]) => events.filter((e) => e.id !== undefined);

  it("gives a client that connects mid-job the history, then live events in order, and closes after done", async () => {
    await worker();
    const jobId = await submit(6);
    await waitFor(async () => ((await cluster.db.epochMetric.count({ where: { jobId } })) >= 2 ? true : undefined), { what: "epoch 2" });

    const { events, closedByServer } = await readEvents(`${cluster.base}/v1/jobs/${jobId}/events`);
    expect(closedByServer).toBe(true);
    const kept = durable(events);
    expect(kept.map((e) => e.event)).toEqual(["status", "status", "epoch", "epoch", "epoch", "epoch", "epoch", "epoch", "status", "done"]);
    expect(kept.filter((e) => e.event === "epoch").map((e) => e.data.epoch)).toEqual([1, 2, 3, 4, 5, 6]);
    const ids = kept.map((e) => BigInt(e.id!));
    expect(ids).toEqual([...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    expect(events.at(-1)).toMatchObject({ event: "done", data: { status: "succeeded", resultModelId: expect.stringMatching(/^mdl_/) } });
    // What the stream said matches what is stored.
    const stored = await cluster.db.jobEvent.findMany({ where: { jobId }, orderBy: { id: "asc" } });
    expect(kept.map((e) => e.id)).toEqual(stored.map((row) => row.id.toString()));
  });

  it("resumes from Last-Event-ID with no duplicate and no gap, and serves several followers at once", async () => {
    await worker();
    // Wide enough that the epochs after the third take a few seconds: progress events must arrive live meanwhile.
    const jobId = await submit(12, 2048);
    const url = `${cluster.base}/v1/jobs/${jobId}/events`;
    // A first connection drops after epoch 3's event.
    const first = await readEvents(url, { stopWhen: (e) => e.event === "epoch" && e.data.epoch === 3 });
    const lastId = durable(first.events).at(-1)!.id!;
    const [resumed, other, another] = await Promise.all([readEvents(url, { lastEventId: lastId }), readEvents(url), readEvents(url)]);

    const stitched = [...durable(first.events), ...durable(resumed.events)].map((e) => e.id);
    const stored = (await cluster.db.jobEvent.findMany({ where: { jobId }, orderBy: { id: "asc" } })).map((row) => row.id.toString());
    expect(stitched).toEqual(stored);
    expect(durable(other.events).map((e) => e.id)).toEqual(stored);
    expect(durable(another.events).map((e) => e.id)).toEqual(stored);
    expect(resumed.events.some((e) => e.event === "progress")).toBe(true);
  });

  it("404s the stream of an unknown job as problem+json", async () => {
    const res = await fetch(`${cluster.base}/v1/jobs/job_nope/events`, { headers: { accept: "text/event-stream" } });
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toMatch(/problem\+json/);
  });
});
