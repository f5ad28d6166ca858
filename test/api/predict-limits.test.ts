import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTrainingRunner } from "../../src/services/training-runner.js";
import { createTestContext, type TestContext } from "../helpers/context.js";

// Predictions run on the API's prediction threads, within a compute budget:
// a request past it is a 422 naming how many inputs would fit, and a long
// prediction does not hold up other requests.

let ctx: TestContext;
let modelId: string;
let base: string;
const flopsPerInput = { value: 0 };

beforeAll(async () => {
  ctx = await createTestContext({ configEnv: { MAX_PREDICT_FLOPS: "3000000000" } });
  const dataset = await ctx.app.inject({
    method: "POST",
    url: "/v1/datasets",
    payload: { features: Array.from({ length: 4 }, (_, i) => Array.from({ length: 32 * 32 * 3 }, (_, j) => ((i + j) % 7) / 7)), labels: [0, 1, 0, 1], inputShape: [32, 32, 3] },
  });
  const conv = { type: "conv2d", filters: 64, kernelSize: 3, padding: "same", activation: "relu" };
  const job = await ctx.app.inject({
    method: "POST",
    url: "/v1/jobs",
    payload: {
      datasetId: dataset.json().id,
      model: { inputShape: [32, 32, 3], layers: [conv, conv, conv, { type: "flatten" }, { type: "dense", units: 2, activation: "softmax" }] },
      training: { epochs: 1, batchSize: 4, loss: "categoricalCrossentropy", optimizer: { type: "sgd", learningRate: 0.01 } },
    },
  });
  expect(job.statusCode, job.body).toBe(202);
  const outcome = await createTrainingRunner({ db: ctx.db }).run(job.json().id, { lastDelivery: true });
  if (outcome.status !== "succeeded") throw new Error(`training failed: ${JSON.stringify(outcome)}`);
  modelId = outcome.modelId!;
  const model = (await ctx.app.inject({ url: `/v1/models/${modelId}` })).json();
  flopsPerInput.value = model.layers.reduce((sum: number, layer: { flops: number }) => sum + layer.flops, 0);
  await ctx.app.listen({ port: 0, host: "127.0.0.1" });
  base = `http://127.0.0.1:${(ctx.app.server.address() as { port: number }).port}`;
});
afterAll(async () => ctx?.close());

const inputs = (n: number) => Array.from({ length: n }, () => new Array(32 * 32 * 3).fill(0.5));

describe("prediction limits", () => {
  it("reports each layer's forward FLOPs per input", () => {
    // conv 3x3 from 3 channels to 64 at 32x32, then two from 64 to 64: 2 x kernel x positions (+ bias and activation), then dense.
    const conv = (inC: number) => 2 * 3 * 3 * inC * 64 * 1024 + 64 * 1024;
    const dense = 2 * 64 * 1024 * 2 + 2;
    expect(flopsPerInput.value).toBe(conv(3) + 2 * conv(64) + dense);
  });

  it("answers 422 past the compute budget, saying how many inputs fit", async () => {
    const fit = Math.floor(3e9 / flopsPerInput.value);
    const res = await ctx.app.inject({ method: "POST", url: `/v1/models/${modelId}/predict`, payload: { inputs: inputs(fit + 1) } });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors[0]).toMatchObject({ path: "/inputs", message: expect.stringContaining(`send at most ${fit} inputs`) });
    const ok = await ctx.app.inject({ method: "POST", url: `/v1/models/${modelId}/predict`, payload: { inputs: inputs(2) } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().outputs).toHaveLength(2);
  });

  it("answers /health/live while a long prediction runs", async () => {
    const fit = Math.floor(3e9 / flopsPerInput.value);
    const order: string[] = [];
    // Know when the server has handed the prediction to its thread (the real runner still does the work).
    const runner = ctx.predictions;
    const predict = runner.predict.bind(runner);
    const handedOver = new Promise<void>((resolve) => {
      runner.predict = (...args) => {
        resolve();
        return predict(...args);
      };
    });
    const prediction = fetch(`${base}/v1/models/${modelId}/predict`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ inputs: inputs(fit) }) }).then(
      async (res) => order.push(`predict ${res.status}`),
    );
    await handedOver;
    runner.predict = predict;
    const health = await fetch(`${base}/health/live`);
    order.push(`health ${health.status}`);
    await prediction;
    expect(order).toEqual(["health 200", "predict 200"]);
  });
});
