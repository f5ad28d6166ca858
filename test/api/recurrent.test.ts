import * as tf from "@tensorflow/tfjs";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Prng } from "../../src/engine/random.js";
import { createTrainingRunner } from "../../src/services/training-runner.js";
import { createTestContext, type TestContext } from "../helpers/context.js";

// Sequences through the API: uploaded as CSV rows of steps x features
// (?inputShape=), trained with an LSTM, a GRU and a bag-of-steps model on a
// task only order solves, predicted on held-out sequences, and exported to
// TensorFlow.js, which predicts the same.

let ctx: TestContext;
let base: string;
beforeAll(async () => {
  await tf.setBackend("cpu");
  ctx = await createTestContext();
  await ctx.app.listen({ port: 0, host: "127.0.0.1" });
  base = `http://127.0.0.1:${(ctx.app.server.address() as AddressInfo).port}`;
});
afterAll(async () => ctx?.close());

const steps = 10;
/** One-hot of {noise, A, B} per step; one A and one B; the label says whether A comes first. */
function markerSequences(count: number, seed: number): { rows: number[][]; labels: string[] } {
  const rng = new Prng(seed);
  const rows: number[][] = [];
  const labels: string[] = [];
  for (let s = 0; s < count; s++) {
    const a = rng.nextInt(steps);
    let b = rng.nextInt(steps - 1);
    if (b >= a) b++;
    rows.push(Array.from({ length: steps }, (_, t) => (t === a ? [0, 1, 0] : t === b ? [0, 0, 1] : [1, 0, 0])).flat());
    labels.push(a < b ? "A first" : "B first");
  }
  return { rows, labels };
}

const header = [...Array.from({ length: steps }, (_, t) => [`noise${t}`, `a${t}`, `b${t}`]).flat(), "order"].join(",");
const train = markerSequences(1000, 91);
const heldOut = markerSequences(200, 92);

async function trainOn(datasetId: string, layers: unknown[]) {
  const submitted = await ctx.app.inject({
    method: "POST",
    url: "/v1/jobs",
    payload: { datasetId, model: { layers: [...layers, { type: "dense", units: 2, activation: "softmax" }] }, training: { epochs: 20, batchSize: 32, seed: 4, loss: "sparseCategoricalCrossentropy", optimizer: { type: "adam", learningRate: 0.01 } } },
  });
  expect(submitted.statusCode, submitted.body).toBe(202);
  await createTrainingRunner({ db: ctx.db }).run(submitted.json().id, { lastDelivery: true });
  const job = (await ctx.app.inject({ url: `/v1/jobs/${submitted.json().id}` })).json();
  expect(job.status, JSON.stringify(job.error)).toBe("succeeded");
  const predicted = await ctx.app.inject({ method: "POST", url: `/v1/models/${job.resultModelId}/predict`, payload: { inputs: heldOut.rows } });
  expect(predicted.statusCode, predicted.body).toBe(200);
  const names: string[] = predicted.json().classNames;
  return { modelId: job.resultModelId as string, accuracy: names.filter((name, i) => name === heldOut.labels[i]).length / names.length, outputs: predicted.json().outputs as number[][] };
}

describe("sequences with recurrent layers", () => {
  let datasetId: string;
  beforeAll(async () => {
    const csv = [header, ...train.rows.map((row, i) => [...row, train.labels[i]].join(","))].join("\n");
    const uploaded = await ctx.app.inject({ method: "POST", url: `/v1/datasets?label=order&kind=matrix&inputShape=${steps},3`, headers: { "content-type": "text/csv" }, payload: csv });
    expect(uploaded.statusCode, uploaded.body).toBe(201);
    expect(uploaded.json().inputShape).toEqual([steps, 3]);
    datasetId = uploaded.json().id;
  });

  it("an LSTM and a GRU learn which marker comes first; a bag of the same steps stays at chance", async () => {
    const lstm = await trainOn(datasetId, [{ type: "lstm", units: 16 }]);
    const gru = await trainOn(datasetId, [{ type: "gru", units: 16 }]);
    const bag = await trainOn(datasetId, [{ type: "conv1d", filters: 16, kernelSize: 1, activation: "relu" }, { type: "globalAveragePooling1d" }]);
    console.info(`API, marker order on 200 held-out sequences: lstm ${lstm.accuracy.toFixed(3)}, gru ${gru.accuracy.toFixed(3)}, bag ${bag.accuracy.toFixed(3)}`);
    expect(lstm.accuracy).toBeGreaterThan(0.95);
    expect(gru.accuracy).toBeGreaterThan(0.95);
    expect(bag.accuracy).toBeLessThan(0.65);

    // TensorFlow.js loads the export (an LSTM layer) and predicts what /predict predicts.
    const loaded = await tf.loadLayersModel(`${base}/v1/models/${lstm.modelId}/tfjs/model.json`);
    expect(loaded.layers.map((layer) => layer.getClassName())).toContain("LSTM");
    const theirs = (loaded.predict(tf.tensor(heldOut.rows.flat(), [heldOut.rows.length, steps, 3])) as tf.Tensor).arraySync() as number[][];
    const worst = Math.max(...theirs.flatMap((row, i) => row.map((v, k) => Math.abs(v - lstm.outputs[i][k]))));
    expect(worst).toBeLessThan(1e-5);
  }, 120_000);

  it("answers 400 with the path for recurrent layers that do not fit", async () => {
    const flat = (await ctx.app.inject({ method: "POST", url: "/v1/datasets", payload: { features: [[1, 2], [3, 4]], labels: [0, 1] } })).json();
    const onFlat = await ctx.app.inject({
      method: "POST",
      url: "/v1/jobs",
      payload: { datasetId: flat.id, model: { layers: [{ type: "gru", units: 4 }, { type: "dense", units: 2, activation: "softmax" }] }, training: { epochs: 1, batchSize: 2, loss: "sparseCategoricalCrossentropy", optimizer: { type: "sgd", learningRate: 0.1 } } },
    });
    expect(onFlat.statusCode).toBe(400);
    expect(onFlat.json().errors[0]).toMatchObject({ path: "/model/layers/0", message: expect.stringContaining("[steps, features]") });
    const tooWide = await ctx.app.inject({
      method: "POST",
      url: "/v1/jobs",
      payload: { datasetId, model: { layers: [{ type: "lstm", units: 5000 }, { type: "dense", units: 2, activation: "softmax" }] }, training: { epochs: 1, batchSize: 2, loss: "sparseCategoricalCrossentropy", optimizer: { type: "sgd", learningRate: 0.1 } } },
    });
    expect(tooWide.statusCode).toBe(400);
    expect(tooWide.json().errors[0].path).toBe("/model/layers/0/units");
  });
});
