import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, startCluster, syntheticDataset, waitForJob, type Cluster } from "../helpers/cluster.js";

// POST /v1/models/:id/verify retrains a model's job from scratch on a worker
// and says whether the weights come out bit-identical to the stored ones.

let cluster: Cluster;
let datasetId: string;

beforeAll(async () => {
  cluster = await startCluster({ workers: 1 });
  const dataset = await call(cluster.base, "POST", "/v1/datasets", syntheticDataset(1500, 16, 3));
  expect(dataset.status).toBe(201);
  datasetId = dataset.body.id;
}, 120_000);
afterAll(async () => {
  await cluster?.close();
});

async function train(): Promise<{ id: string; resultModelId: string }> {
  const res = await call(cluster.base, "POST", "/v1/jobs", {
    datasetId,
    model: { inputShape: [16], layers: [{ type: "dense", units: 32, activation: "relu" }, { type: "dropout", rate: 0.3 }, { type: "dense", units: 3, activation: "softmax" }] },
    training: { epochs: 6, batchSize: 32, seed: 8, loss: "categoricalCrossentropy", optimizer: { type: "adam", learningRate: 0.01 }, validationSplit: 0.2, earlyStopping: { patience: 2, restoreBestWeights: true } },
  });
  expect(res.status).toBe(202);
  return waitForJob(cluster, res.body.id, (j) => j.status === "succeeded", "the job to verify");
}

async function verify(modelId: string) {
  const res = await call(cluster.base, "POST", `/v1/models/${modelId}/verify`);
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  expect(res.body).toMatchObject({ status: "queued", verifiesModelId: modelId, verification: null, tags: ["verification"] });
  return waitForJob(cluster, res.body.id, (j) => j.status === "succeeded", "the verification");
}

describe("verify", { timeout: 120_000 }, () => {
  it("says identical for a model retrained from scratch, and stores no model of its own", async () => {
    const job = await train();
    const checked = await verify(job.resultModelId);
    expect(checked.verification).toEqual({ modelId: job.resultModelId, identical: true, differingValues: 0, maxAbsDifference: 0 });
    expect(checked.resultModelId).toBeNull();
    expect(await cluster.db.model.count({ where: { sourceJobId: checked.id } })).toBe(0);
    expect(checked.history.at(-1).message).toContain("bit-identical");
  });

  it("says not identical, and by how much, when the stored weights were altered", async () => {
    const job = await train();
    const model = await cluster.db.model.findUniqueOrThrow({ where: { id: job.resultModelId }, omit: { weights: false } });
    const altered = new Uint8Array(model.weights);
    const view = new DataView(altered.buffer);
    const before = view.getFloat32(40, true);
    view.setFloat32(40, before + 0.25, true);
    await cluster.db.model.update({ where: { id: model.id }, data: { weights: altered } });

    const checked = await verify(job.resultModelId);
    expect(checked.verification).toMatchObject({ identical: false, differingValues: 1 });
    expect(checked.verification.maxAbsDifference).toBeCloseTo(Math.abs(view.getFloat32(40, true) - before), 6);
  });

  it("refuses a model whose training changed while it ran (no fingerprint), and unknown models", async () => {
    const res = await call(cluster.base, "POST", "/v1/jobs", {
      datasetId,
      model: { inputShape: [16], layers: [{ type: "dense", units: 3, activation: "softmax" }] },
      training: { epochs: 3000, batchSize: 64, seed: 1, loss: "categoricalCrossentropy", optimizer: { type: "sgd", learningRate: 0.1 } },
    });
    // Epochs of this model take a millisecond or two: the new end is set well past where the job is.
    const { epoch } = await waitForJob(cluster, res.body.id, (j) => j.epoch >= 1, "the job to train an epoch");
    expect((await call(cluster.base, "PATCH", `/v1/jobs/${res.body.id}`, { training: { epochs: epoch + 300 } })).status).toBe(200);
    const changed = await waitForJob(cluster, res.body.id, (j) => j.status === "succeeded", "the shortened job");
    const refused = await call(cluster.base, "POST", `/v1/models/${changed.resultModelId}/verify`);
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toContain("no fingerprint");
    expect((await call(cluster.base, "POST", "/v1/models/mdl_unknown/verify")).status).toBe(404);
  });
});
