import { describe, expect, it } from "vitest";
import { createModel, fit, TrainingError, type EpochMetrics, type ModelSpec, type TrainingConfig } from "../../src/engine/index.js";
import { irisSplit } from "./helpers/datasets.js";

const spec: ModelSpec = { inputShape: [4], layers: [{ type: "dense", units: 8, activation: "relu" }, { type: "dense", units: 3, activation: "softmax" }] };
const config: TrainingConfig = { epochs: 3, batchSize: 10, seed: 1, loss: "sparseCategoricalCrossentropy", optimizer: { type: "sgd", learningRate: 0.1 }, validationSplit: 0.2 };
const { train } = irisSplit(0, 1);

describe("fit", () => {
  it("reports one metrics row per epoch, counting from 1, and awaits async callbacks", async () => {
    const events: string[] = [];
    const result = await fit(createModel(spec, 1), train, config, {
      onBatchEnd: async ({ epoch, batch, batches }) => {
        await new Promise((resolve) => setTimeout(resolve, 0));
        events.push(`batch ${epoch}.${batch}/${batches}`);
      },
      onEpochEnd: async (metrics) => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        events.push(`epoch ${metrics.epoch}`);
      },
    });
    expect(result.stopped).toBe("completed");
    expect(result.epochs.map((m) => m.epoch)).toEqual([1, 2, 3]);
    // 150 samples, 30 held out, batches of 10: 12 batches an epoch.
    expect(events.filter((e) => e.startsWith("batch 1."))).toHaveLength(12);
    expect(events.indexOf("epoch 1")).toBe(12);
    const last = result.epochs[2];
    for (const key of ["loss", "accuracy", "valLoss", "valAccuracy", "learningRate", "durationMs"] as const) expect(Number.isFinite(last[key])).toBe(true);
    expect(result.finalMetrics).toEqual({ loss: last.loss, accuracy: last.accuracy, valLoss: last.valLoss, valAccuracy: last.valAccuracy });
  });

  it("stops between batches when asked, and reports the epochs completed", async () => {
    let batches = 0;
    const seen: EpochMetrics[] = [];
    const result = await fit(createModel(spec, 1), train, { ...config, epochs: 10 }, {
      onBatchEnd: () => void batches++,
      onEpochEnd: (m) => void seen.push(m),
      shouldStop: () => batches >= 15,
    });
    expect(result.stopped).toBe("cancelled");
    expect(batches).toBe(15);
    expect(result.epochs).toHaveLength(1);
    expect(seen).toHaveLength(1);
  });

  it("throws a TrainingError naming the epoch and batch when the loss is not finite", async () => {
    let last = { epoch: 0, batch: 0 };
    const diverging = { ...config, loss: "meanSquaredError" as const, optimizer: { type: "sgd" as const, learningRate: 10 }, epochs: 50 };
    const regression: ModelSpec = { inputShape: [4], layers: [{ type: "dense", units: 8, activation: "relu" }, { type: "dense", units: 1 }] };
    const error = await fit(createModel(regression, 1), train, diverging, { onBatchEnd: ({ epoch, batch }) => void (last = { epoch, batch }) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TrainingError);
    const batches = Math.ceil(120 / config.batchSize);
    const expected = last.batch === batches ? { epoch: last.epoch + 1, batch: 1 } : { epoch: last.epoch, batch: last.batch + 1 };
    expect(error).toMatchObject({ code: "NON_FINITE_LOSS", ...expected });
    expect((error as Error).message).toContain(`epoch ${expected.epoch}, batch ${expected.batch}`);
  });

  it("rejects non-finite inputs before training", async () => {
    const data = { ...train, x: train.x.slice() };
    data.x[7] = Number.NaN;
    await expect(fit(createModel(spec, 1), data, config)).rejects.toMatchObject({ code: "INVALID_DATA", epoch: 0, batch: 0 });
  });

  it("lets the event loop run during a long epoch", async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const big = { x: new Float32Array(3000 * 64).map((_, i) => Math.sin(i)), y: new Float32Array(3000).map((_, i) => i % 3), numSamples: 3000 };
    const model = createModel({ inputShape: [64], layers: [{ type: "dense", units: 256, activation: "relu" }, { type: "dense", units: 3, activation: "softmax" }] }, 1);
    const started = performance.now();
    await fit(model, big, { ...config, epochs: 1, batchSize: 8, validationSplit: 0 });
    clearInterval(timer);
    const elapsed = performance.now() - started;
    expect(ticks).toBeGreaterThan(elapsed / 40);
  });

  it("takes one-hot targets for categoricalCrossentropy and class indices for meanSquaredError", async () => {
    const oneHot = new Float32Array(train.numSamples * 3);
    train.y.forEach((label, i) => (oneHot[i * 3 + label] = 1));
    const a = await fit(createModel(spec, 1), { ...train, y: oneHot }, { ...config, loss: "categoricalCrossentropy" });
    const b = await fit(createModel(spec, 1), train, { ...config, loss: "categoricalCrossentropy" });
    expect(a.epochs[2].loss).toBeCloseTo(b.epochs[2].loss, 5);
    const mse = await fit(createModel(spec, 1), train, { ...config, loss: "meanSquaredError" });
    expect(mse.epochs[2].accuracy).toBeDefined();
  });

  it("rejects labels that are not class indices", async () => {
    const bad = { ...train, y: train.y.map((v, i) => (i === 5 ? 3 : v)) };
    await expect(fit(createModel(spec, 1), bad, config)).rejects.toMatchObject({ code: "INVALID_DATA" });
  });

  it("keeps dropout off at evaluation: the same input gives the same output", async () => {
    const model = createModel({ inputShape: [4], layers: [{ type: "dense", units: 16, activation: "relu" }, { type: "dropout", rate: 0.5 }, { type: "dense", units: 3, activation: "softmax" }] }, 1);
    await fit(model, train, config);
    const x = train.x.subarray(0, 40);
    expect(model.predict(x, 10)).toEqual(model.predict(x, 10));
  });
});
