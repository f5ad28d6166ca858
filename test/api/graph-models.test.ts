import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTrainingRunner } from "../../src/services/training-runner.js";
import { createTestContext, type TestContext } from "../helpers/context.js";

// Graph models through the API: layers wired by name, merged by add and
// concatenate; validated with paths before queuing, trained, described,
// used for predictions and exported.

let ctx: TestContext;
let datasetId: string;

/** Two features; the class is whether their sum is positive. */
function sums(count: number) {
  const features = Array.from({ length: count }, (_, i) => [Math.sin(i * 1.7), Math.cos(i * 0.9)]);
  return { name: "sums", features, labels: features.map(([a, b]) => (a + b > 0 ? 1 : 0)) };
}

const graph = {
  inputShape: [2],
  layers: [
    { type: "dense", units: 8, activation: "tanh", name: "stem" },
    { type: "dense", units: 8, activation: "tanh", name: "branch" },
    { type: "add", inputs: ["stem", "branch"], name: "residual" },
    { type: "concatenate", inputs: ["residual", "input"] },
    { type: "dense", units: 2, activation: "softmax" },
  ],
};
const training = { epochs: 30, batchSize: 16, seed: 4, loss: "sparseCategoricalCrossentropy", optimizer: { type: "adam", learningRate: 0.03 } };

beforeAll(async () => {
  ctx = await createTestContext();
  const upload = await ctx.app.inject({ method: "POST", url: "/v1/datasets", payload: sums(200) });
  expect(upload.statusCode, upload.body).toBe(201);
  datasetId = upload.json().id;
});
afterAll(async () => ctx?.close());

const submit = (model: object) => ctx.app.inject({ method: "POST", url: "/v1/jobs", payload: { datasetId, model, training } });

describe("graph models", () => {
  it("train from a spec with names, inputs, add and concatenate; the model lists each layer's inputs; predict and export work", async () => {
    const submitted = await submit(graph);
    expect(submitted.statusCode, submitted.body).toBe(202);
    const outcome = await createTrainingRunner({ db: ctx.db }).run(submitted.json().id, { lastDelivery: true });
    if (outcome.status !== "succeeded") throw new Error(JSON.stringify(outcome));
    const model = (await ctx.app.inject({ url: `/v1/models/${outcome.modelId}` })).json();
    expect(model.layers.map((l: { name?: string; inputs: number[]; outputShape: number[] }) => [l.name, l.inputs, l.outputShape])).toEqual([
      ["stem", [-1], [8]],
      ["branch", [0], [8]],
      ["residual", [0, 1], [8]],
      [undefined, [2, -1], [10]],
      [undefined, [3], [2]],
    ]);
    expect(model.metrics.accuracy).toBeGreaterThan(0.9);

    const predicted = await ctx.app.inject({ method: "POST", url: `/v1/models/${outcome.modelId}/predict`, payload: { inputs: [[1, 1], [-1, -1]] } });
    expect(predicted.statusCode, predicted.body).toBe(200);
    expect(predicted.json().classes).toEqual([1, 0]);
    const exported = await ctx.app.inject({ url: `/v1/models/${outcome.modelId}/tfjs/model.json` });
    expect(exported.statusCode).toBe(200);
    expect(exported.json().modelTopology.class_name).toBe("Model");
  });

  it("answers 400 with the path of the wiring mistake, before queuing", async () => {
    const cases: [object[], string][] = [
      [[{ type: "dense", units: 2, name: "a" }, { type: "add", inputs: ["a", "missing"] }], "/model/layers/1/inputs/1"],
      [[{ type: "dense", units: 2, name: "a", inputs: ["b"] }, { type: "dense", units: 2, activation: "softmax", name: "b" }], "/model/layers/0/inputs/0"],
      [[{ type: "dense", units: 2, name: "a" }, { type: "dense", units: 2, activation: "softmax", name: "a" }], "/model/layers/1/name"],
      [[{ type: "dense", units: 3, name: "a" }, { type: "add", inputs: ["a", "input"] }, { type: "dense", units: 2, activation: "softmax" }], "/model/layers/1/inputs"],
      [[{ type: "dense", units: 2, name: "bad name" }], "/model/layers/0/name"],
    ];
    for (const [layers, path] of cases) {
      const response = await submit({ inputShape: [2], layers });
      expect(response.statusCode, JSON.stringify(layers)).toBe(400);
      expect(response.json().errors.map((e: { path: string }) => e.path), JSON.stringify(layers)).toContain(path);
    }
    const jobs = (await ctx.app.inject({ url: "/v1/jobs" })).json();
    expect(jobs.data).toHaveLength(1);
  });
});
