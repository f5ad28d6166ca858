import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTrainingRunner } from "../../src/services/training-runner.js";
import { createTestContext, type TestContext } from "../helpers/context.js";

// A time series through the API: the monthly CO2 concentration at Mauna Loa
// (1958-2020, vega-datasets on npm) uploaded as CSV, trained as windows of 12
// months, split by time, and forecast on the held-out last years, against the
// naive forecast "next month as this month".

const csvPath = join(dirname(createRequire(import.meta.url).resolve("vega-datasets")), "..", "data", "co2-concentration.csv");
const csv = readFileSync(csvPath, "utf8");
const records = csv
  .trim()
  .split("\n")
  .slice(1)
  .map((line) => {
    const [Date, CO2] = line.split(",");
    return { Date, CO2: Number(CO2) };
  });
const window = 12;

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => ctx?.close());

async function upload(): Promise<string> {
  const response = await ctx.app.inject({ method: "POST", url: "/v1/datasets?label=CO2&name=co2&ignore=adjusted%20CO2", headers: { "content-type": "text/csv" }, payload: csv });
  expect(response.statusCode, response.body).toBe(201);
  return response.json().id;
}

function jobBody(datasetId: string, training: Record<string, unknown> = {}, layers: unknown[] = [{ type: "flatten" }, { type: "dense", units: 1 }]) {
  return {
    datasetId,
    model: { layers },
    training: {
      epochs: 300,
      batchSize: 32,
      seed: 3,
      loss: "meanSquaredError",
      optimizer: { type: "adam", learningRate: 0.01 },
      learningRateSchedule: { type: "cosine" },
      validationSplit: 0.1,
      testSplit: 0.2,
      preprocessing: { targetScaling: "standard" },
      timeSeries: { window },
      ...training,
    },
  };
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

describe("a time series (monthly CO2, Mauna Loa)", () => {
  let datasetId: string;
  let model: { id: string; inputShape: number[]; pipeline: { timeSeries: unknown; training: { rows: number }; label: { stats: { mean: number } } }; metrics: { test: { mae: number; count?: number } } };
  const trainRows = records.length - Math.round(records.length * 0.2) - Math.round(records.length * 0.1);
  const testStart = trainRows + Math.round(records.length * 0.1);

  beforeAll(async () => {
    datasetId = await upload();
    const submitted = await ctx.app.inject({ method: "POST", url: "/v1/jobs", payload: jobBody(datasetId) });
    expect(submitted.statusCode, submitted.body).toBe(202);
    await createTrainingRunner({ db: ctx.db }).run(submitted.json().id, { lastDelivery: true });
    const job = (await ctx.app.inject({ url: `/v1/jobs/${submitted.json().id}` })).json();
    expect(job.status, JSON.stringify(job.error)).toBe("succeeded");
    expect(job.model.inputShape[0]).toBe(window);
    model = (await ctx.app.inject({ url: `/v1/models/${job.resultModelId}` })).json();
  }, 120_000);

  it("splits by time: the pipeline is fitted on the first rows only", () => {
    expect(model.pipeline.timeSeries).toEqual({ window, horizon: 1, stride: 1, pastLabel: true });
    expect(model.pipeline.training.rows).toBe(trainRows);
    // The label's statistics are those of the earliest rows (the series rises: any later row would raise the mean).
    expect(model.pipeline.label.stats.mean).toBeCloseTo(mean(records.slice(0, trainRows).map((r) => r.CO2)), 6);
    expect(model.pipeline.label.stats.mean).toBeLessThan(mean(records.map((r) => r.CO2)) - 5);
  });

  it("forecasts the held-out last years better than the naive same-as-last-month forecast", async () => {
    // Rows from a window before the test period: one forecast per row from the 12th on, each for the next month.
    const rows = records.slice(testStart - window, records.length - 1);
    const response = await ctx.app.inject({ method: "POST", url: `/v1/models/${model.id}/predict`, payload: { rows } });
    expect(response.statusCode, response.body).toBe(200);
    const forecasts: number[] = response.json().values;
    const actual = records.slice(testStart).map((r) => r.CO2);
    const naive = records.slice(testStart - 1, records.length - 1).map((r) => r.CO2);
    expect(forecasts).toHaveLength(actual.length);
    const modelMae = mean(forecasts.map((f, i) => Math.abs(f - actual[i])));
    const naiveMae = mean(naive.map((f, i) => Math.abs(f - actual[i])));
    console.info(`CO2 forecast on ${actual.length} held-out months: model MAE ${modelMae.toFixed(3)} ppm, naive (last month) MAE ${naiveMae.toFixed(3)} ppm`);
    expect(modelMae).toBeLessThan(0.75 * naiveMae);
    // The job's own test metrics came from the same windows.
    expect(model.metrics.test.mae).toBeCloseTo(modelMae, 3);
  });

  it("evaluates raw rows as windows with their next row as target", async () => {
    const rows = records.slice(testStart - window);
    const response = await ctx.app.inject({ method: "POST", url: `/v1/models/${model.id}/evaluate`, payload: { rows } });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().mae).toBeCloseTo(model.metrics.test.mae, 4);
  });

  it("answers 400 with a path for forecasts it cannot make", async () => {
    const short = await ctx.app.inject({ method: "POST", url: `/v1/models/${model.id}/predict`, payload: { rows: records.slice(0, window - 1) } });
    expect(short.statusCode).toBe(400);
    expect(short.json().errors[0].path).toBe("/rows");
    const rows = records.slice(0, window + 2).map((r, i) => (i === 5 ? { Date: r.Date } : r));
    const missing = await ctx.app.inject({ method: "POST", url: `/v1/models/${model.id}/predict`, payload: { rows } });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().errors[0].path).toBe("/rows/5/CO2");
  });

  it("refuses a time series on a matrix dataset, and a classification label as an input", async () => {
    const matrix = (await ctx.app.inject({ method: "POST", url: "/v1/datasets", payload: { features: [[0], [1], [2], [3]], labels: [0, 1, 0, 1] } })).json();
    const onMatrix = await ctx.app.inject({ method: "POST", url: "/v1/jobs", payload: jobBody(matrix.id, { testSplit: 0, validationSplit: 0, loss: "binaryCrossentropy" }) });
    expect(onMatrix.statusCode).toBe(400);
    expect(onMatrix.json().errors[0].path).toBe("/training/timeSeries");

    const rising = records.map((r, i) => ({ Date: r.Date, CO2: r.CO2, rising: i > 0 && r.CO2 > records[i - 1].CO2 ? "up" : "down" }));
    const table = (await ctx.app.inject({ method: "POST", url: "/v1/datasets?label=rising", payload: rising })).json();
    const layers = [{ type: "flatten" }, { type: "dense", units: 2, activation: "softmax" }];
    const training = { loss: "sparseCategoricalCrossentropy", preprocessing: {}, timeSeries: { window, pastLabel: true } };
    const pastClass = await ctx.app.inject({ method: "POST", url: "/v1/jobs", payload: jobBody(table.id, training, layers) });
    expect(pastClass.statusCode).toBe(400);
    expect(pastClass.json().errors[0].path).toBe("/training/timeSeries/pastLabel");
    // Without pastLabel the same job is accepted: its windows hold the other columns.
    const accepted = await ctx.app.inject({ method: "POST", url: "/v1/jobs", payload: jobBody(table.id, { ...training, timeSeries: { window } }, layers) });
    expect(accepted.statusCode, accepted.body).toBe(202);
  });
});
