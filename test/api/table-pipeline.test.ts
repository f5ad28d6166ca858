import * as tf from "@tensorflow/tfjs";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodePipeline, splitRows, transformRecords } from "../../src/features/index.js";
import { createTrainingRunner } from "../../src/services/training-runner.js";
import { createTestContext, type TestContext } from "../helpers/context.js";

// A table's feature pipeline through the API: fitted on the job's training
// rows only, stored with the model, shown, applied to raw rows at predict
// and evaluate time exactly as to the training rows, and exported.

let ctx: TestContext;
let base: string;

/** 120 rows: a number (1.5 x the row index, so means tell which rows were used), a category, a sometimes missing number, a date; a 3-class label. */
function rows(): Record<string, unknown>[] {
  return Array.from({ length: 120 }, (_, i) => ({
    index: i * 1.5,
    colour: ["red", "green", "blue"][i % 3],
    size: i % 7 === 0 ? null : (i % 10) + 0.5,
    day: `2024-0${(i % 9) + 1}-1${i % 10}`,
    kind: ["a", "b", "c"][(i + (i % 7 === 0 ? 1 : 0)) % 3],
  }));
}

beforeAll(async () => {
  ctx = await createTestContext();
  await ctx.app.listen({ port: 0, host: "127.0.0.1" });
  base = `http://127.0.0.1:${(ctx.app.server.address() as AddressInfo).port}`;
});
afterAll(async () => ctx?.close());

async function uploadAndTrain(training: Record<string, unknown> = {}) {
  const dataset = (await ctx.app.inject({ method: "POST", url: "/v1/datasets?label=kind&name=synthetic", payload: rows() })).json();
  const submitted = await ctx.app.inject({
    method: "POST",
    url: "/v1/jobs",
    payload: {
      datasetId: dataset.id,
      // No inputShape: the pipeline's width.
      model: { layers: [{ type: "dense", units: 16, activation: "relu" }, { type: "dense", units: 3, activation: "softmax" }] },
      training: { epochs: 30, batchSize: 16, seed: 11, loss: "sparseCategoricalCrossentropy", optimizer: { type: "adam", learningRate: 0.02 }, validationSplit: 0.2, ...training },
    },
  });
  expect(submitted.statusCode, submitted.body).toBe(202);
  const job = submitted.json();
  await createTrainingRunner({ db: ctx.db }).run(job.id, { lastDelivery: true });
  const finished = (await ctx.app.inject({ url: `/v1/jobs/${job.id}` })).json();
  expect(finished.status).toBe("succeeded");
  const model = (await ctx.app.inject({ url: `/v1/models/${finished.resultModelId}` })).json();
  return { dataset, job: finished, model };
}

describe("a table's feature pipeline", () => {
  it("is fitted on the job's training rows only, never on its validation rows", async () => {
    const { dataset, job, model } = await uploadAndTrain();
    expect(job.model.inputShape).toEqual([model.pipeline.width]);
    const index = model.pipeline.features.find((f: { column: string }) => f.column === "index");
    // The same deterministic split the job made: stratified by class (the label's codes, in order of first appearance), with its seed and fraction.
    const seen: string[] = [];
    const strata = rows().map((row) => {
      if (!seen.includes(row.kind as string)) seen.push(row.kind as string);
      return seen.indexOf(row.kind as string);
    });
    const { train, validation } = splitRows(120, { validation: 0.2, seed: 11, strata });
    const trainMean = [...train].reduce((a, b) => a + 1.5 * b, 0) / train.length;
    const allMean = (1.5 * 119) / 2;
    expect(model.pipeline.training.rows).toBe(train.length);
    expect(validation.length).toBe(24);
    expect(index.scaling.mean).toBeCloseTo(trainMean, 10);
    expect(Math.abs(index.scaling.mean - allMean)).toBeGreaterThan(1e-9);
    expect(model.pipeline.outputs.map((o: { name: string }) => o.name)).toEqual(expect.arrayContaining(["colour=red", "size (missing)"]));
    expect(dataset.columns.find((c: { name: string }) => c.name === "size").missing).toBe(18);
  });

  it("gives raw rows (missing values, an unseen category, extra columns) the outputs of their encoded vectors", async () => {
    const { model } = await uploadAndTrain();
    const raw = [
      { index: 3, colour: "red", size: 2.5, day: "2024-03-13" },
      { index: 50, colour: "purple", size: null, day: "2024-05-10", unused: "x" },
      { index: 90, colour: "blue", day: "2024-01-10" },
    ];
    const byRows = await ctx.app.inject({ method: "POST", url: `/v1/models/${model.id}/predict`, payload: { rows: raw } });
    expect(byRows.statusCode, byRows.body).toBe(200);
    const encoded = transformRecords(decodePipeline(model.pipeline), raw);
    const inputs = Array.from({ length: encoded.numRows }, (_, i) => Array.from(encoded.x.subarray(i * encoded.width, (i + 1) * encoded.width)));
    const byInputs = await ctx.app.inject({ method: "POST", url: `/v1/models/${model.id}/predict`, payload: { inputs } });
    expect(byRows.json().outputs).toEqual(byInputs.json().outputs);
    expect(byRows.json().classNames).toHaveLength(3);
    // CSV rows too.
    const csv = "index,colour,size,day\n3,red,2.5,2024-03-13\n50,purple,,2024-05-10\n";
    const byCsv = await ctx.app.inject({ method: "POST", url: `/v1/models/${model.id}/predict`, headers: { "content-type": "text/csv" }, payload: csv });
    expect(byCsv.statusCode, byCsv.body).toBe(200);
    expect(byCsv.json().outputs).toEqual(byRows.json().outputs.slice(0, 2));
  });

  it("refuses what it cannot take, naming the row and column", async () => {
    // A strategy that cannot be fitted on rows with missing values is a 400 at its field ...
    const refused = (await ctx.app.inject({ method: "POST", url: "/v1/datasets?label=kind", payload: rows() })).json();
    const none = await ctx.app.inject({
      method: "POST",
      url: "/v1/jobs",
      payload: { datasetId: refused.id, model: { layers: [{ type: "dense", units: 3, activation: "softmax" }] }, training: { epochs: 1, batchSize: 8, loss: "sparseCategoricalCrossentropy", optimizer: { type: "sgd", learningRate: 0.1 }, features: { size: { missing: "none" } } } },
    });
    expect(none.statusCode).toBe(400);
    expect(none.json().errors[0].path).toBe("/training/features/size");
    // ... dropRow trains without those rows, and refuses them at predict time.
    const { model } = await uploadAndTrain({ features: { size: { missing: "dropRow" } } });
    expect(model.pipeline.training.dropped.missingValue.size).toBeGreaterThan(0);
    const wrongKind = await ctx.app.inject({ method: "POST", url: `/v1/models/${model.id}/predict`, payload: { rows: [{ index: "many", colour: "red", size: 1, day: "2024-01-01" }] } });
    expect(wrongKind.statusCode).toBe(400);
    expect(wrongKind.json().errors[0].path).toBe("/rows/0/index");
    const unfillable = await ctx.app.inject({ method: "POST", url: `/v1/models/${model.id}/predict`, payload: { rows: [{ index: 1, colour: "red", day: "2024-01-01" }] } });
    expect(unfillable.statusCode).toBe(400);
    expect(unfillable.json().errors[0].path).toBe("/rows/0/size");
  });

  it("takes the job's own column choices: ignored columns and encodings", async () => {
    const { model } = await uploadAndTrain({ ignore: ["day"], features: { colour: { type: "category", maxCategories: 1 } } });
    const columns = model.pipeline.features.map((f: { column: string }) => f.column);
    expect(columns).not.toContain("day");
    const colour = model.pipeline.features.find((f: { column: string }) => f.column === "colour");
    expect(colour.categories).toHaveLength(1);
    expect(colour.other).toBe(true);
  });

  it("evaluates on raw rows with their labels: the confusion matrix and accuracy of its own predictions", async () => {
    const { model } = await uploadAndTrain();
    const labelled = rows().slice(0, 40);
    const evaluation = await ctx.app.inject({ method: "POST", url: `/v1/models/${model.id}/evaluate`, payload: { rows: labelled } });
    expect(evaluation.statusCode, evaluation.body).toBe(200);
    const predicted = (await ctx.app.inject({ method: "POST", url: `/v1/models/${model.id}/predict`, payload: { rows: labelled.map(({ kind: _kind, ...row }) => row) } })).json().classNames as string[];
    const names = model.classNames as string[];
    const confusion = names.map(() => names.map(() => 0));
    labelled.forEach((row, i) => confusion[names.indexOf(row.kind as string)][names.indexOf(predicted[i])]++);
    const result = evaluation.json();
    expect(result).toMatchObject({ task: "classification", samples: 40, confusion });
    expect(result.accuracy).toBeCloseTo(confusion.reduce((sum, row, k) => sum + row[k], 0) / 40, 12);
  });

  it("exports its pipeline beside the TensorFlow.js model: together they predict what /predict predicts on raw rows", async () => {
    const { model } = await uploadAndTrain();
    const pipeline = decodePipeline(await (await fetch(`${base}/v1/models/${model.id}/tfjs/preprocessing.json`)).json());
    const loaded = await tf.loadLayersModel(`${base}/v1/models/${model.id}/tfjs/model.json`);
    const raw = rows().slice(0, 20).map(({ kind: _kind, ...row }) => row);
    const encoded = transformRecords(pipeline, raw);
    const theirs = (loaded.predict(tf.tensor2d(encoded.x, [encoded.numRows, encoded.width])) as tf.Tensor).arraySync() as number[][];
    const ours = (await ctx.app.inject({ method: "POST", url: `/v1/models/${model.id}/predict`, payload: { rows: raw } })).json().outputs as number[][];
    for (let i = 0; i < ours.length; i++) for (let k = 0; k < 3; k++) expect(Math.abs(theirs[i][k] - ours[i][k])).toBeLessThan(1e-5);
  });
});

describe("a regression on a table", () => {
  it("reports R² and MAE in the label's units, as computed by hand from its predictions", async () => {
    const data = Array.from({ length: 80 }, (_, i) => ({ x: i / 10, group: i % 2 === 0 ? "even" : "odd", y: 3 * (i / 10) + (i % 2 === 0 ? 10 : 20) }));
    const dataset = (await ctx.app.inject({ method: "POST", url: "/v1/datasets", payload: { label: "y", rows: data } })).json();
    const submitted = await ctx.app.inject({
      method: "POST",
      url: "/v1/jobs",
      payload: {
        datasetId: dataset.id,
        model: { layers: [{ type: "dense", units: 16, activation: "relu" }, { type: "dense", units: 1, activation: "linear" }] },
        training: { epochs: 80, batchSize: 8, seed: 2, loss: "meanSquaredError", optimizer: { type: "adam", learningRate: 0.03 }, preprocessing: { targetScaling: "standard" } },
      },
    });
    expect(submitted.statusCode, submitted.body).toBe(202);
    await createTrainingRunner({ db: ctx.db }).run(submitted.json().id, { lastDelivery: true });
    const modelId = (await ctx.app.inject({ url: `/v1/jobs/${submitted.json().id}` })).json().resultModelId;
    const rowsToScore = data.slice(0, 30);
    const values = (await ctx.app.inject({ method: "POST", url: `/v1/models/${modelId}/predict`, payload: { rows: rowsToScore.map(({ y: _y, ...row }) => row) } })).json().values as number[];
    const truth = rowsToScore.map((row) => row.y);
    const mean = truth.reduce((a, b) => a + b, 0) / truth.length;
    const r2 = 1 - truth.reduce((sum, t, i) => sum + (t - values[i]) ** 2, 0) / truth.reduce((sum, t) => sum + (t - mean) ** 2, 0);
    const mae = truth.reduce((sum, t, i) => sum + Math.abs(t - values[i]), 0) / truth.length;
    const evaluation = (await ctx.app.inject({ method: "POST", url: `/v1/models/${modelId}/evaluate`, payload: { rows: rowsToScore } })).json();
    expect(evaluation.task).toBe("regression");
    expect(evaluation.r2).toBeCloseTo(r2, 5);
    expect(evaluation.mae).toBeCloseTo(mae, 4);
    expect(evaluation.r2).toBeGreaterThan(0.8);
  });
});
