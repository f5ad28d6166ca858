import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTrainingRunner } from "../../src/services/training-runner.js";
import { createTestContext, type TestContext } from "../helpers/context.js";
import { syntheticDataset } from "../helpers/cluster.js";

// POST /v1/jobs?dryRun=true: the checks of a submission, nothing created,
// and what the job would train and cost.

let ctx: TestContext;
let tableLike: string;
let images: string;
beforeAll(async () => {
  ctx = await createTestContext();
  const points = Array.from({ length: 100 }, (_, i) => [Math.sin(i), Math.cos(3 * i)]);
  tableLike = (await ctx.app.inject({ method: "POST", url: "/v1/datasets", payload: { features: points, labels: points.map(([a, b]) => (a * b > 0 ? 1 : 0)) } })).json().id;
  const digits = syntheticDataset(400, 12 * 12, 3);
  images = (await ctx.app.inject({ method: "POST", url: "/v1/datasets", payload: { ...digits, inputShape: [12, 12, 1] } })).json().id;
});
afterAll(async () => ctx?.close());

const dryRun = (payload: object) => ctx.app.inject({ method: "POST", url: "/v1/jobs?dryRun=true", payload });
const dense = (optimizer: object, extra: object = {}) => ({
  datasetId: tableLike,
  model: { layers: [{ type: "dense", units: 4, activation: "tanh" }, { type: "dense", units: 2, activation: "softmax" }] },
  training: { epochs: 10, batchSize: 8, loss: "sparseCategoricalCrossentropy", optimizer, validationSplit: 0.2, ...extra },
});
const conv = (extra: object = {}) => ({
  datasetId: images,
  model: { layers: [{ type: "conv2d", filters: 8, kernelSize: 3, activation: "relu" }, { type: "maxPool2d", poolSize: 2 }, { type: "flatten" }, { type: "dense", units: 3, activation: "softmax" }] },
  training: { epochs: 4, batchSize: 16, seed: 2, loss: "categoricalCrossentropy", optimizer: { type: "adam", learningRate: 0.003 }, validationSplit: 0.25, ...extra },
});

async function train(payload: object): Promise<{ id: string; modelId: string; epochMs: number }> {
  const job = (await ctx.app.inject({ method: "POST", url: "/v1/jobs", payload })).json();
  await createTrainingRunner({ db: ctx.db }).run(job.id, { lastDelivery: true });
  const done = (await ctx.app.inject({ url: `/v1/jobs/${job.id}` })).json();
  const metrics = (await ctx.app.inject({ url: `/v1/jobs/${job.id}/metrics` })).json().data as { durationMs: number }[];
  return { id: job.id, modelId: done.resultModelId, epochMs: metrics.reduce((sum, m) => sum + m.durationMs, 0) / metrics.length };
}

describe("dry runs", () => {
  it("answers 200 with parameters, FLOPs and memory as counted by hand, and creates nothing", async () => {
    const jobsBefore = await ctx.db.trainingJob.count();
    const res = await dryRun(dense({ type: "adam", learningRate: 0.01 }));
    expect(res.statusCode, res.body).toBe(200);
    const report = res.json();
    // dense 2 -> 4: 8 weights + 4 biases; dense 4 -> 2: 8 + 2.
    expect(report.layers.map((l: { parameters: number }) => l.parameters)).toEqual([12, 10]);
    expect(report.parameters).toEqual({ total: 22, trainable: 22 });
    // Forward: 2 per multiply-add (8 each) plus one per output (bias and activation): 16 + 4, 16 + 2.
    expect(report.flopsPerSample).toEqual({ forward: 38, backward: 76, training: 114 });
    // float32: weights 88, gradients 88, Adam's two moments 176, activations (2 + 4 + 2 values, and their gradients) x batch 8 = 512.
    expect(report.memory).toEqual({ weights: 88, gradients: 88, optimizerState: 176, activations: 512 });
    expect(report.memoryBytes).toBe(864);
    expect(report.samples).toEqual({ training: 80, validation: 20 });
    expect(report.warnings).toEqual([]);
    expect(await ctx.db.trainingJob.count()).toBe(jobsBefore);
    // The same checks as a submission: a spec that cannot train is the same 400.
    const bad = await dryRun({ ...dense({ type: "adam", learningRate: 0.01 }), model: { layers: [{ type: "dense", units: 3, activation: "softmax" }] } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].path).toBe("/model/layers/0/units");
  });

  it("reports the layers the trained model has, and an estimate within a factor of 5 of the measured epoch time (1.8x to 3.3x seen here alone, 4.4x once under CI's parallel load)", async () => {
    const report = (await dryRun(conv())).json();
    const trained = await train(conv());
    const model = (await ctx.app.inject({ url: `/v1/models/${trained.modelId}` })).json();
    expect(report.layers.map((l: { outputShape: number[]; parameters: number }) => [l.outputShape, l.parameters])).toEqual(model.layers.map((l: { outputShape: number[]; parameterCount: number }) => [l.outputShape, l.parameterCount]));
    expect(report.parameters.total).toBe(model.parameterCount);
    // Calibrated on the jobs trained so far (different batch sizes and widths): estimate another model, then train it.
    await train(conv({ batchSize: 4, epochs: 2 }));
    await train({ ...conv({ epochs: 2 }), model: { layers: [{ type: "conv2d", filters: 16, kernelSize: 3, activation: "relu" }, { type: "maxPool2d", poolSize: 2 }, { type: "flatten" }, { type: "dense", units: 3, activation: "softmax" }] } });
    await train(dense({ type: "adam", learningRate: 0.01 }, { epochs: 3 }));
    const wider = { ...conv(), model: { layers: [{ type: "conv2d", filters: 24, kernelSize: 3, activation: "relu" }, { type: "maxPool2d", poolSize: 2 }, { type: "flatten" }, { type: "dense", units: 3, activation: "softmax" }] } };
    const estimate = (await dryRun(wider)).json().estimate;
    const measured = await train(wider);
    const ratio = (1000 * estimate.secondsPerEpoch) / measured.epochMs;
    console.info(`dry-run estimate ${(1000 * estimate.secondsPerEpoch).toFixed(1)} ms per epoch (${estimate.basis}, ${estimate.jobsMeasured} jobs: ${estimate.msPerStep.toFixed(3)} ms per step + ${estimate.gflopsPerSecond.toFixed(2)} GFLOP/s) vs measured ${measured.epochMs.toFixed(1)} ms: x${ratio.toFixed(2)}`);
    expect(estimate.basis).toBe("recent jobs");
    // A fit to four jobs' epoch times, measured while other test files load the same two cores: a rough estimate.
    expect(ratio).toBeGreaterThan(1 / 5);
    expect(ratio).toBeLessThan(5);
  });

  it("warns about an unusual learning rate, a batch that is most of the data, no validation, and a dense layer on a large convolution output", async () => {
    const report = (await dryRun(dense({ type: "sgd", learningRate: 5 }, { batchSize: 64, validationSplit: 0 }))).json();
    expect(report.warnings.map((w: { path: string }) => w.path)).toEqual(["/training/optimizer/learningRate", "/training/batchSize", "/training/validationSplit"]);
    expect(report.warnings[0].message).toContain("sgd");
    const noPool = { ...conv(), model: { layers: [{ type: "conv2d", filters: 64, kernelSize: 3, activation: "relu" }, { type: "flatten" }, { type: "dense", units: 3, activation: "softmax" }] } };
    const convReport = (await dryRun(noPool)).json();
    expect(convReport.warnings).toEqual([{ path: "/model/layers/2", message: expect.stringContaining("reads 6400 values") }]);
  });

  it("overfitOneBatch: a model that can learn drives one batch's loss down in 30 steps; with a learning rate too small to move it, the loss stays", async () => {
    const overfit = (payload: object) => ctx.app.inject({ method: "POST", url: "/v1/jobs?dryRun=true&overfitOneBatch=true", payload });
    const learns = await overfit(conv({ batchSize: 16 }));
    expect(learns.statusCode, learns.body).toBe(200);
    const result = learns.json().overfitOneBatch;
    console.info(`overfitOneBatch, small CNN on 16 images: loss ${result.losses[0].toFixed(3)} -> ${result.losses.at(-1).toFixed(4)} in ${result.steps} steps`);
    expect(result).toMatchObject({ batchSize: 16, steps: 30, decreased: true });
    expect(result.losses).toHaveLength(30);
    expect(result.losses.at(-1)).toBeLessThan(result.losses[0] / 2);

    const stuck = (await overfit(conv({ batchSize: 16, optimizer: { type: "sgd", learningRate: 1e-7 } }))).json().overfitOneBatch;
    expect(stuck.decreased).toBe(false);
    expect(Math.abs(stuck.losses.at(-1) - stuck.losses[0])).toBeLessThan(1e-3);
    // Without the option, nothing is trained.
    expect((await dryRun(conv())).json().overfitOneBatch).toBeUndefined();
  });
});
