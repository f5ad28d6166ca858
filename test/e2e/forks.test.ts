import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, startCluster, syntheticDataset, waitForJob, type Cluster } from "../helpers/cluster.js";
import { readEvents } from "../helpers/sse.js";

// A fork starts from one kept epoch checkpoint of another job. Without
// overrides it trains the source's bits; with a new learning rate it differs
// from the epoch after the fork on, and not before.

let cluster: Cluster;
let datasetId: string;
const KEPT = 6;

beforeAll(async () => {
  cluster = await startCluster({ workers: 1, env: { CHECKPOINTS_KEPT: String(KEPT) } });
  const dataset = await call(cluster.base, "POST", "/v1/datasets", syntheticDataset(2000, 32, 3));
  expect(dataset.status).toBe(201);
  datasetId = dataset.body.id;
}, 120_000);
afterAll(async () => {
  await cluster?.close();
});

const model = {
  inputShape: [32],
  layers: [{ type: "dense", units: 64, activation: "relu" }, { type: "dropout", rate: 0.2 }, { type: "dense", units: 3, activation: "softmax" }],
};

async function weightsOf(job: { resultModelId: string }): Promise<Buffer> {
  return Buffer.from(await (await fetch(`${cluster.base}/v1/models/${job.resultModelId}/weights`)).arrayBuffer());
}
const rowsOf = (jobId: string) => cluster.db.epochMetric.findMany({ where: { jobId }, orderBy: { epoch: "asc" } });
const fork = (jobId: string, body: unknown) => call(cluster.base, "POST", `/v1/jobs/${jobId}/fork`, body);

describe("forks", { timeout: 180_000 }, () => {
  let source: { id: string; resultModelId: string; fingerprint: string; checkpoints: { count: number; bytes: number } };

  beforeAll(async () => {
    const res = await call(cluster.base, "POST", "/v1/jobs", {
      datasetId,
      model,
      name: "source",
      training: { epochs: 10, batchSize: 32, seed: 4, loss: "categoricalCrossentropy", optimizer: { type: "adam", learningRate: 0.003 }, validationSplit: 0.2 },
    });
    expect(res.status).toBe(202);
    source = await waitForJob(cluster, res.body.id, (j) => j.status === "succeeded", "the source job");
  });

  it("keeps the latest epochs' checkpoints after the job ends, with their size on the job", async () => {
    const kept = await cluster.db.epochCheckpoint.findMany({ where: { jobId: source.id }, orderBy: { epoch: "asc" } });
    expect(kept.map((c) => c.epoch)).toEqual([5, 6, 7, 8, 9, 10]);
    expect(source.checkpoints).toEqual({ count: KEPT, bytes: kept.reduce((sum, c) => sum + c.data.byteLength, 0) });
    expect(await cluster.db.checkpoint.count({ where: { jobId: source.id } })).toBe(0);
    console.info(`checkpoint per epoch of a 32-64-3 MLP with Adam (2,307 parameters): ${kept[0].bytes.toLocaleString("en")} bytes`);
  });

  it("without overrides, trains the source's remaining epochs bit for bit and carries its fingerprint", async () => {
    const res = await fork(source.id, { fromEpoch: 6 });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ status: "queued", epoch: 6, totalEpochs: 10, forkedFrom: { jobId: source.id, epoch: 6 }, fingerprint: source.fingerprint, name: "source (fork at epoch 6)" });
    expect(res.body.history[0].message).toBe(`forked from job ${source.id} after epoch 6`);
    const done = await waitForJob(cluster, res.body.id, (j) => j.status === "succeeded", "the fork");
    expect(done.attempt).toBe(1);
    expect((await weightsOf(done)).equals(await weightsOf(source))).toBe(true);
    const strip = (rows: Awaited<ReturnType<typeof rowsOf>>) => rows.map(({ jobId: _j, createdAt: _c, durationMs: _d, ...row }) => row);
    expect(strip(await rowsOf(done.id))).toEqual(strip(await rowsOf(source.id)));

    // Its stream replays the source's first six epochs, then its own four.
    const { events } = await readEvents(`${cluster.base}/v1/jobs/${done.id}/events`);
    expect(events.filter((e) => e.event === "epoch").map((e) => e.data.epoch)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it("with a new learning rate, differs only from the epoch after the fork", async () => {
    const res = await fork(source.id, { fromEpoch: 6, training: { optimizer: { learningRate: 0.0003 }, epochs: 12 }, tags: ["slower"] });
    expect(res.status).toBe(202);
    expect(res.body.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(res.body.fingerprint).not.toBe(source.fingerprint);
    expect(res.body).toMatchObject({ totalEpochs: 12, tags: ["slower"], training: { optimizer: { learningRate: 0.0003 }, epochs: 12 } });
    expect(res.body.trainingChanges[0].fields).toEqual([
      { path: "/training/optimizer/learningRate", from: 0.003, to: 0.0003 },
      { path: "/training/epochs", from: 10, to: 12 },
    ]);
    const done = await waitForJob(cluster, res.body.id, (j) => j.status === "succeeded", "the fork with a new rate");
    const [forked, original] = [await rowsOf(done.id), await rowsOf(source.id)];
    expect(forked.map((r) => r.epoch)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(forked.slice(0, 6).map((r) => r.loss)).toEqual(original.slice(0, 6).map((r) => r.loss));
    expect(forked.map((r) => r.learningRate)).toEqual([0.003, 0.003, 0.003, 0.003, 0.003, 0.003, 0.0003, 0.0003, 0.0003, 0.0003, 0.0003, 0.0003]);
    expect(forked[6].loss).not.toBe(original[6].loss);
  });

  it("refuses an epoch not trained or not kept, overrides that cannot apply, and unknown jobs", async () => {
    const notKept = await fork(source.id, { fromEpoch: 2 });
    expect(notKept.status).toBe(409);
    expect(notKept.body.errors[0]).toMatchObject({ path: "/fromEpoch", message: expect.stringContaining("epochs 5 to 10 are kept") });
    expect((await fork(source.id, { fromEpoch: 11 })).status).toBe(409);
    const fewer = await fork(source.id, { fromEpoch: 6, training: { epochs: 6 } });
    expect(fewer.status).toBe(409);
    expect(fewer.body.errors[0].path).toBe("/training/epochs");
    const bad = await fork(source.id, { fromEpoch: 0 });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe("/fromEpoch");
    expect((await fork(source.id, { fromEpoch: 6, training: { batchSize: 8 } })).status).toBe(400);
    expect((await fork("job_unknown", { fromEpoch: 1 })).status).toBe(404);
  });
});
