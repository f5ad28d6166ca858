import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { call, startCluster, syntheticDataset, waitForJob, type Cluster } from "../helpers/cluster.js";
import { waitFor } from "../helpers/processes.js";
import { readEvents } from "../helpers/sse.js";

// PATCH /v1/jobs/:id changes a running job's learning rate, epochs or
// patience from its next epoch boundary; the change is an event, shows in the
// metrics rows, and outlives the worker that applied it.

let cluster: Cluster;
let datasetId: string;

beforeAll(async () => {
  // A budget of 60 epochs of this dataset's training rows, to see a PATCH held to the limits.
  cluster = await startCluster({ workers: 0, env: { MAX_SAMPLE_EPOCHS: String(60 * 3600) } });
  // Tens of milliseconds an epoch on this machine (its jobs train 20 to 40 epochs to leave time to act).
  const dataset = await call(cluster.base, "POST", "/v1/datasets", syntheticDataset(4000, 64, 4));
  expect(dataset.status).toBe(201);
  datasetId = dataset.body.id;
}, 120_000);
afterEach(() => cluster.stopWorkers());
afterAll(async () => {
  await cluster?.close();
});

async function submit(epochs: number, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await call(cluster.base, "POST", "/v1/jobs", {
    datasetId,
    model: { inputShape: [64], layers: [{ type: "dense", units: 256, activation: "relu" }, { type: "dense", units: 256, activation: "relu" }, { type: "dense", units: 4, activation: "softmax" }] },
    training: { epochs, batchSize: 64, seed: 3, loss: "categoricalCrossentropy", optimizer: { type: "adam", learningRate: 0.001 }, validationSplit: 0.1, ...extra },
  });
  expect(res.status).toBe(202);
  return res.body.id as string;
}

const patch = (jobId: string, body: unknown) => call(cluster.base, "PATCH", `/v1/jobs/${jobId}`, body);
const rowsOf = (jobId: string) => cluster.db.epochMetric.findMany({ where: { jobId }, orderBy: { epoch: "asc" } });

describe("live changes", { timeout: 180_000 }, () => {
  it("a new learning rate shows from the epoch after the one in progress, is an event, and survives a kill -9 of the worker", async () => {
    const doomed = await cluster.startWorker();
    // Epochs enough that the kill comes well before the end, however the epochs around the change go.
    const jobId = await submit(40);
    await waitFor(async () => ((await rowsOf(jobId)).length >= 2 ? true : undefined), { what: "epoch 2", timeoutMs: 60_000 });
    const fingerprint = (await call(cluster.base, "GET", `/v1/jobs/${jobId}`)).body.fingerprint;
    expect(fingerprint).toMatch(/^[0-9a-f]{64}$/);

    const res = await patch(jobId, { training: { optimizer: { learningRate: 0.0003 } } });
    expect(res.status).toBe(200);
    const asked = res.body.trainingChanges[0];
    expect(res.body).toMatchObject({ status: "running", fingerprint: null, training: { optimizer: { type: "adam", learningRate: 0.0003 } } });
    expect(asked).toMatchObject({ fields: [{ path: "/training/optimizer/learningRate", from: 0.001, to: 0.0003 }] });
    // The epoch in progress when the change was asked ends at the old rate; the next one trains at the new.
    const changedFrom = asked.epoch + 2;
    await waitFor(async () => ((await rowsOf(jobId)).length >= changedFrom ? true : undefined), { what: `epoch ${changedFrom}`, timeoutMs: 60_000 });
    doomed.process.kill("SIGKILL");
    await cluster.startWorker();
    const done = await waitForJob(cluster, jobId, (j) => j.status === "succeeded", "the job to succeed after the kill");
    expect(done.attempt).toBe(2);

    const rates = (await rowsOf(jobId)).map((r) => r.learningRate);
    expect(rates).toHaveLength(40);
    expect(rates).toEqual(Array.from({ length: 40 }, (_, i) => (i + 1 < changedFrom ? 0.001 : 0.0003)));
    const model = (await call(cluster.base, "GET", `/v1/models/${done.resultModelId}`)).body;
    expect(model.fingerprint).toBeNull();

    const { events } = await readEvents(`${cluster.base}/v1/jobs/${jobId}/events`);
    const changes = events.filter((e) => e.event === "change");
    expect(changes.map((e) => e.data)).toEqual([asked]);
    // In order: after the epoch it followed, before the first epoch at the new rate.
    const order = events.filter((e) => e.event === "epoch" || e.event === "change").map((e) => (e.event === "change" ? "change" : e.data.epoch));
    expect(order.indexOf("change")).toBe(asked.epoch);
  });

  it("more epochs on a queued job, fewer on a running one; the end moves with them", async () => {
    const queued = await submit(2);
    expect((await patch(queued, { training: { epochs: 4 } })).body).toMatchObject({ totalEpochs: 4, training: { epochs: 4 } });
    await cluster.startWorker();
    await waitForJob(cluster, queued, (j) => j.status === "succeeded", "the lengthened job");
    expect((await rowsOf(queued)).map((r) => r.epoch)).toEqual([1, 2, 3, 4]);

    const running = await submit(40);
    await waitFor(async () => ((await rowsOf(running)).length >= 1 ? true : undefined), { what: "epoch 1", timeoutMs: 60_000 });
    // Three epochs past those done when looked: at most one more ends before the PATCH lands, so the new end is still ahead.
    const epochs = (await rowsOf(running)).length + 3;
    const res = await patch(running, { training: { epochs }, tags: ["shortened"] });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ totalEpochs: epochs, tags: ["shortened"] });
    const done = await waitForJob(cluster, running, (j) => j.status === "succeeded", "the shortened job");
    expect(done.epoch).toBe(epochs);
    expect(await rowsOf(running)).toHaveLength(epochs);
  });

  it("refuses what cannot change: an ended job, epochs already trained, patience without early stopping, other fields, epochs over the limits", async () => {
    const jobId = await submit(20);
    const wrongField = await patch(jobId, { training: { batchSize: 8 } });
    expect(wrongField.status).toBe(400);
    expect(wrongField.body.errors[0].path).toMatch(/^\/training/);

    const noEarlyStopping = await patch(jobId, { training: { earlyStopping: { patience: 3 } } });
    expect(noEarlyStopping.status).toBe(409);
    expect(noEarlyStopping.body.errors[0].path).toBe("/training/earlyStopping/patience");

    // 61 epochs of 3,600 training rows: past the budget of 60.
    const overLimit = await patch(jobId, { training: { epochs: 61 } });
    expect(overLimit.status).toBe(422);
    expect(overLimit.body.errors[0].path).toBe("/training/epochs");
    expect((await call(cluster.base, "GET", `/v1/jobs/${jobId}`)).body).toMatchObject({ totalEpochs: 20, trainingChanges: [] });

    await cluster.startWorker();
    await waitFor(async () => ((await rowsOf(jobId)).length >= 2 ? true : undefined), { what: "epoch 2", timeoutMs: 60_000 });
    const trained = await patch(jobId, { training: { epochs: 1 } });
    expect(trained.status).toBe(409);
    expect(trained.body.errors[0].path).toBe("/training/epochs");

    await call(cluster.base, "POST", `/v1/jobs/${jobId}/cancel`);
    await waitForJob(cluster, jobId, (j) => j.status === "cancelled", "the job to stop");
    const ended = await patch(jobId, { training: { optimizer: { learningRate: 0.01 } } });
    expect(ended.status).toBe(409);
    expect(ended.body.detail).toContain("cancelled");
    // Labels still change on an ended job.
    expect((await patch(jobId, { name: "stopped early" })).body.name).toBe("stopped early");
    expect((await patch("job_unknown", { training: { epochs: 5 } })).status).toBe(404);
  });
});
