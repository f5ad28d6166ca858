import { describe, expect, it } from "vitest";
import { createModel, exportWeights, fit, SpecError, TrainingError, type Model, type ModelSpec, type TrainingConfig, type TrainingData } from "../../src/engine/index.js";
import { irisSplit } from "./helpers/datasets.js";

// What fit reports, checked against numbers computed here from model.predict.
// A learning rate of 1e-9 keeps the weights where they started, so an epoch's
// losses are those of the initial model.

const { train: iris } = irisSplit(0, 1); // 150 rows, sorted by class
const take = (data: TrainingData, from: number, to: number): TrainingData => ({ x: data.x.slice(from * 4, to * 4), y: data.y.slice(from, to), numSamples: to - from });
const mixed = (() => {
  const order = Array.from({ length: 150 }, (_, i) => (i % 3) * 50 + Math.floor(i / 3)); // the classes interleaved
  return { x: Float32Array.from(order.flatMap((r) => [...iris.x.subarray(r * 4, r * 4 + 4)])), y: Float32Array.from(order, (r) => iris.y[r]), numSamples: 150 };
})();
const mlp: ModelSpec = { inputShape: [4], layers: [{ type: "dense", units: 8, activation: "tanh" }, { type: "dense", units: 3, activation: "softmax" }] };
const still: TrainingConfig = { epochs: 2, batchSize: 32, seed: 2, loss: "sparseCategoricalCrossentropy", optimizer: { type: "sgd", learningRate: 1e-9 } };

/** Mean cross-entropy of the model's predictions on rows [from, to) of `data`. */
function crossEntropy(model: Model, data: TrainingData, rows = Array.from({ length: data.numSamples }, (_, i) => i)): number {
  const out = model.predict(data.x, data.numSamples);
  return rows.reduce((sum, r) => sum - Math.log(out[r * 3 + data.y[r]]), 0) / rows.length;
}

describe("fit's losses and metrics", () => {
  it("an epoch's loss is the mean over all its samples (batches of 32, 32, 32 and 4), valLoss that of the validation set", async () => {
    const [train, validation] = [take(mixed, 0, 100), take(mixed, 100, 150)];
    const model = createModel(mlp, 2);
    const [trainLoss, validationLoss] = [crossEntropy(model, train), crossEntropy(model, validation)];
    const result = await fit(model, train, still, {}, { validationData: validation });
    for (const epoch of result.epochs) {
      expect(epoch.loss).toBeCloseTo(trainLoss, 5);
      expect(epoch.valLoss).toBeCloseTo(validationLoss, 5);
    }
  });

  it("the mean errors compare the final activation's output (softmax applied) with one-hot targets", async () => {
    const model = createModel(mlp, 2);
    const out = model.predict(mixed.x, 150);
    let squares = 0;
    for (let r = 0; r < 150; r++) for (let j = 0; j < 3; j++) squares += (out[r * 3 + j] - (mixed.y[r] === j ? 1 : 0)) ** 2;
    const result = await fit(model, mixed, { ...still, epochs: 1, loss: "meanSquaredError" });
    expect(result.epochs[0].loss).toBeCloseTo(squares / 450, 5);
  });

  it("validation runs without dropout: valLoss is the loss model.predict gives", async () => {
    const spec: ModelSpec = { inputShape: [4], layers: [{ type: "dense", units: 16, activation: "relu" }, { type: "dropout", rate: 0.5 }, { type: "dense", units: 3, activation: "softmax" }] };
    const [train, validation] = [take(mixed, 0, 100), take(mixed, 100, 150)];
    const model = createModel(spec, 3);
    const result = await fit(model, train, { ...still, epochs: 1, batchSize: 7, optimizer: { type: "adam", learningRate: 0.01 } }, {}, { validationData: validation });
    expect(result.epochs[0].valLoss).toBeCloseTo(crossEntropy(model, validation), 5);
  });

  it("trains in training mode: dropout drops (the training loss is not the evaluated one) and batchNorm's running statistics move", async () => {
    const spec: ModelSpec = { inputShape: [4], layers: [{ type: "dense", units: 16, activation: "relu" }, { type: "batchNorm" }, { type: "dropout", rate: 0.5 }, { type: "dense", units: 3, activation: "softmax" }] };
    const model = createModel(spec, 5);
    const result = await fit(model, mixed, { ...still, epochs: 1 });
    expect(Math.abs(result.epochs[0].loss - crossEntropy(model, mixed))).toBeGreaterThan(0.01);
    const { manifest, data } = exportWeights(model);
    const mean = manifest.find((w) => w.name.endsWith("movingMean"))!;
    const values = new Float32Array(data.buffer.slice(mean.offset * 4, (mean.offset + 16) * 4));
    expect(values.some((v) => v !== 0)).toBe(true);
  });

  it("durationMs is training time: positive, and never more than the wall time of the fit call", async () => {
    const started = performance.now();
    const result = await fit(createModel(mlp, 1), mixed, { ...still, epochs: 3, validationSplit: 0.2 });
    const elapsed = performance.now() - started;
    const training = result.epochs.reduce((sum, m) => sum + m.durationMs, 0);
    expect(training).toBeGreaterThan(0);
    expect(training).toBeLessThanOrEqual(elapsed);
  });

  it("shuffle: false trains in sample order; by default each epoch draws a new order", async () => {
    const firstBatchLosses = async (shuffle: boolean | undefined) => {
      const seen: number[] = [];
      const model = createModel(mlp, 2);
      const expected = crossEntropy(model, mixed, Array.from({ length: 32 }, (_, i) => i));
      await fit(model, mixed, { ...still, shuffle }, { onBatchEnd: ({ batch, loss }) => void (batch === 1 && seen.push(loss)) });
      return { seen, expected };
    };
    const ordered = await firstBatchLosses(false);
    ordered.seen.forEach((loss) => expect(loss).toBeCloseTo(ordered.expected, 5));
    const shuffled = await firstBatchLosses(undefined);
    expect(Math.abs(shuffled.seen[0] - shuffled.expected)).toBeGreaterThan(1e-3);
    expect(Math.abs(shuffled.seen[1] - shuffled.seen[0])).toBeGreaterThan(1e-3);
  });

  it("reports only the metrics it computed: no accuracy for regression, no validation keys without validation", async () => {
    const regression = { ...iris, y: Float32Array.from({ length: 150 }, (_, r) => iris.x[r * 4] - iris.x[r * 4 + 1]) };
    const linear = createModel({ inputShape: [4], layers: [{ type: "dense", units: 1 }] }, 1);
    const config: TrainingConfig = { ...still, loss: "meanSquaredError", optimizer: { type: "sgd", learningRate: 0.01 } };
    const withValidation = await fit(linear, regression, { ...config, validationSplit: 0.2 });
    expect(Object.keys(withValidation.epochs[1]).sort()).toEqual(["durationMs", "epoch", "learningRate", "loss", "mae", "valLoss", "valMae"]);
    expect(Object.keys(withValidation.finalMetrics).sort()).toEqual(["loss", "mae", "valLoss", "valMae"]);
    expect(withValidation.classMetrics).toBeUndefined();
    expect(withValidation.augmentation).toEqual([]);
    expect("checkpoint" in withValidation).toBe(false);
    const plain = await fit(createModel(mlp, 1), mixed, still);
    expect(Object.keys(plain.epochs[0]).sort()).toEqual(["accuracy", "durationMs", "epoch", "learningRate", "loss"]);
    expect(Object.keys(plain.finalMetrics).sort()).toEqual(["accuracy", "loss"]);
  });

  it("class metrics come from the validation pass of the kept epoch (none without validation), with the 0.5 threshold for one sigmoid output", async () => {
    const binary = { ...mixed, y: mixed.y.map((c) => (c === 0 ? 1 : 0)) };
    const config: TrainingConfig = { ...still, epochs: 1, loss: "binaryCrossentropy", optimizer: { type: "sgd", learningRate: 0.02 } };
    const sigmoid: ModelSpec = { inputShape: [4], layers: [{ type: "dense", units: 1, activation: "sigmoid" }] };
    // No extra pass over the training rows at the end: without validation there are no class metrics.
    expect((await fit(createModel(sigmoid, 4), binary, config)).classMetrics).toBeUndefined();
    const model = createModel(sigmoid, 4);
    const result = await fit(model, binary, config, {}, { validationData: binary });
    const out = model.predict(binary.x, 150);
    const confusion = [
      [0, 0],
      [0, 0],
    ];
    binary.y.forEach((label, r) => confusion[label][out[r] > 0.5 ? 1 : 0]++);
    expect(confusion[0][0] + confusion[1][0]).toBeGreaterThan(0); // both classes predicted, so the threshold matters
    expect(confusion[0][1] + confusion[1][1]).toBeGreaterThan(0);
    expect(result.classMetrics).toMatchObject({ on: "validation", confusionMatrix: confusion });
  });

  it("a cancelled run has a checkpoint and no class metrics", async () => {
    const result = await fit(createModel(mlp, 1), mixed, still, { shouldStop: () => true });
    expect(result.stopped).toBe("cancelled");
    expect(result.classMetrics).toBeUndefined();
    expect(result.checkpoint?.inProgress).toMatchObject({ epoch: 1, batch: 0 });
    expect(result.finalMetrics.loss).toBeNaN();
  });
});

describe("fit's checks of its data and config", () => {
  const failure = (data: TrainingData, config: TrainingConfig = still, validationData?: TrainingData) =>
    fit(createModel(mlp, 1), data, config, {}, validationData ? { validationData } : {}).then(
      () => {
        throw new Error("fit should have failed");
      },
      (error: unknown) => error as Error,
    );

  it("names the dataset and what is wrong with it", async () => {
    const noRows = await failure({ x: new Float32Array(0), y: new Float32Array(0), numSamples: 0 });
    expect(noRows).toBeInstanceOf(TrainingError);
    expect(noRows).toMatchObject({ code: "INVALID_DATA", message: "data: numSamples must be a positive integer, got 0" });
    expect((await failure({ ...take(mixed, 0, 2), numSamples: 1.5 })).message).toBe("data: numSamples must be a positive integer, got 1.5");
    expect((await failure({ ...take(mixed, 0, 3), x: mixed.x.slice(0, 11) })).message).toBe("data: x has 11 values; 3 samples of 4 features need 12");
    const nan = take(mixed, 0, 3);
    nan.x[9] = Number.POSITIVE_INFINITY;
    expect((await failure(nan)).message).toBe("data: x[9] (sample 2) is not a finite number");
    expect((await failure(take(mixed, 0, 10), still, { ...take(mixed, 0, 2), x: mixed.x.slice(0, 7) })).message).toBe("validationData: x has 7 values; 2 samples of 4 features need 8");
  });

  it("refuses a validation split that leaves no training sample", async () => {
    expect(await failure(take(mixed, 0, 1), { ...still, validationSplit: 0.5 })).toMatchObject({ code: "INVALID_DATA", message: "the validation split leaves no training sample" });
  });

  it("refuses early stopping on a validation metric without validation data, saying so", async () => {
    const error = await failure(mixed, { ...still, earlyStopping: { monitor: "valAccuracy" } });
    expect(error).toBeInstanceOf(SpecError);
    expect(error).toMatchObject({ path: "/training/earlyStopping/monitor", message: "earlyStopping monitors valAccuracy, but there is no validation data" });
  });

  it("draws the validation split at random unless stratify is set", async () => {
    const rowsPerClass = async (stratify?: boolean) => (await fit(createModel(mlp, 1), iris, { ...still, epochs: 1, validationSplit: 0.2, stratify })).classMetrics!.confusionMatrix!.map((row) => row.reduce((a, b) => a + b, 0));
    expect(await rowsPerClass(true)).toEqual([10, 10, 10]);
    const random = await rowsPerClass();
    expect(random.reduce((a, b) => a + b, 0)).toBe(30);
    expect(random).not.toEqual([10, 10, 10]);
  });

  it("early stopping watches valLoss by default when there is validation data", async () => {
    // The validation labels are the training labels shifted by one class: as the model learns, valLoss rises while loss falls.
    const shifted = { ...mixed, y: mixed.y.map((c) => (c + 1) % 3) };
    const config: TrainingConfig = { ...still, epochs: 10, optimizer: { type: "adam", learningRate: 0.05 }, earlyStopping: { patience: 1 } };
    const result = await fit(createModel(mlp, 1), mixed, config, {}, { validationData: shifted });
    expect(result.stopped).toBe("earlyStopping");
    expect(result.epochs.length).toBeLessThan(10);
    expect(result.epochs.at(-1)!.loss).toBeLessThan(result.epochs[0].loss);
  });
});
