import { describe, expect, it } from "vitest";
import { createModel, exportWeights, fit, type LearningRateSchedule, type Model, type ModelSpec, type TrainingConfig } from "../../src/engine/index.js";
import { LearningRateScheduler } from "../../src/engine/training/schedules.js";
import { irisSplit } from "./helpers/datasets.js";

const base = 0.1;

/** The rate of the last batch of each epoch (after any warm-up), as fit reports it. */
const rates = (schedule: LearningRateSchedule, epochs: number, batches = 1): number[] => {
  const scheduler = new LearningRateScheduler(base, schedule, epochs, batches);
  return Array.from({ length: epochs }, (_, e) => scheduler.rateAt(e + 1, batches));
};

function expectRates(actual: number[], expected: number[]): void {
  expect(actual).toHaveLength(expected.length);
  expected.forEach((rate, i) => expect(actual[i], `epoch ${i + 1}`).toBeCloseTo(rate, 12));
}

describe("learning-rate schedules, epoch by epoch (e counts completed epochs, from 0)", () => {
  it("constant: the optimizer's rate at every batch", () => {
    const scheduler = new LearningRateScheduler(base, { type: "constant" }, 3, 4);
    for (let epoch = 1; epoch <= 3; epoch++) for (let batch = 1; batch <= 4; batch++) expect(scheduler.rateAt(epoch, batch)).toBe(base);
  });

  it("step: rate * gamma^floor(e / stepSize)", () => {
    expectRates(rates({ type: "step", stepSize: 2, gamma: 0.5 }, 5), [0.1, 0.1, 0.05, 0.05, 0.025]);
    expectRates(rates({ type: "step", stepSize: 3, gamma: 0.1 }, 7), [0.1, 0.1, 0.1, 0.01, 0.01, 0.01, 0.001]);
  });

  it("exponential: rate * gamma^e", () => {
    expectRates(rates({ type: "exponential", gamma: 0.9 }, 4), [0.1, 0.09, 0.081, 0.0729]);
  });

  it("cosine: min + (rate - min) (1 + cos(pi e / epochs)) / 2", () => {
    const cosine = (e: number, min: number, span: number) => min + (base - min) * 0.5 * (1 + Math.cos((Math.PI * e) / span));
    expectRates(rates({ type: "cosine" }, 4), [0, 1, 2, 3].map((e) => cosine(e, 0, 4)));
    expectRates(rates({ type: "cosine", minLearningRate: 0.01 }, 5), [0, 1, 2, 3, 4].map((e) => cosine(e, 0.01, 5)));
  });

  it("cosine with warm-up: the full rate through the warm-up epochs, then the half cosine over the epochs after them", () => {
    // 6 epochs, 2 of warm-up, 1 batch each: warm-up factors 1/2 and 1 (rates at the epoch's last batch).
    const cosine = (e: number) => 0.5 * base * (1 + Math.cos((Math.PI * e) / 4));
    expectRates(rates({ type: "cosine", warmupEpochs: 2 }, 6), [base / 2, base, cosine(0), cosine(1), cosine(2), cosine(3)]);
    // All epochs warm-up: the cosine span is at least one epoch, never a division by zero.
    expectRates(rates({ type: "cosine", warmupEpochs: 2 }, 2), [base / 2, base]);
  });
});

describe("warm-up: the rate ramps linearly from 0, batch by batch, over the first warmupEpochs", () => {
  it("factor step / (warmupEpochs * batches) on the schedule's rate, then 1", () => {
    const scheduler = new LearningRateScheduler(base, { type: "constant", warmupEpochs: 2 }, 5, 4);
    const seen = [1, 2, 3].flatMap((epoch) => [1, 2, 3, 4].map((batch) => scheduler.rateAt(epoch, batch)));
    expectRates(seen, [1, 2, 3, 4, 5, 6, 7, 8, 8, 8, 8, 8].map((step) => (base * step) / 8));
  });

  it("multiplies every schedule's own rate", () => {
    const factor = [1 / 3, 2 / 3, 1, 1];
    expectRates(rates({ type: "step", stepSize: 1, gamma: 0.5, warmupEpochs: 3 }, 4), [0.1, 0.05, 0.025, 0.0125].map((r, i) => r * factor[i]));
    expectRates(rates({ type: "exponential", gamma: 0.9, warmupEpochs: 3 }, 4), [0.1, 0.09, 0.081, 0.0729].map((r, i) => r * factor[i]));
    const scheduler = new LearningRateScheduler(base, { type: "reduceOnPlateau", warmupEpochs: 2 }, 4, 2);
    expect(scheduler.rateAt(1, 1)).toBeCloseTo(base / 4, 12);
  });
});

describe("reduceOnPlateau (Keras' ReduceLROnPlateau)", () => {
  /** The rate before each epoch, then after the last, feeding the scheduler one metric per epoch. */
  function plateau(schedule: LearningRateSchedule, metrics: Record<string, number | undefined>[]): number[] {
    const scheduler = new LearningRateScheduler(base, schedule, metrics.length, 1);
    const seen: number[] = [];
    for (const m of metrics) {
      seen.push(scheduler.rateAt(1, 1));
      scheduler.endEpoch(m);
    }
    seen.push(scheduler.rateAt(1, 1));
    return seen;
  }
  const losses = (...values: number[]) => values.map((loss) => ({ loss }));

  it("multiplies the rate by factor after `patience` epochs without improvement; the count restarts", () => {
    expect(plateau({ type: "reduceOnPlateau", monitor: "loss", patience: 2, factor: 0.5 }, losses(1, 0.9, 0.95, 0.92, 0.91, 0.93))).toEqual([0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.025]);
  });

  it("defaults: patience 10, factor 0.1", () => {
    const seen = plateau({ type: "reduceOnPlateau" }, losses(1, ...Array<number>(10).fill(2)));
    expect(seen.slice(0, 11)).toEqual(Array(11).fill(0.1));
    expect(seen[11]).toBeCloseTo(0.01, 12);
  });

  it("an improvement smaller than minDelta does not count", () => {
    const schedule: LearningRateSchedule = { type: "reduceOnPlateau", monitor: "loss", patience: 1, factor: 0.5, minDelta: 0.1 };
    expect(plateau(schedule, losses(1, 0.95))).toEqual([0.1, 0.1, 0.05]);
    expect(plateau(schedule, losses(1, 0.85))).toEqual([0.1, 0.1, 0.1]);
    expect(plateau({ ...schedule, minDelta: 0 }, losses(1, 1))).toEqual([0.1, 0.1, 0.05]); // an equal loss is no improvement
  });

  it("waits `cooldown` epochs after a reduction; as Keras counts, the cooldown's last epoch already counts toward patience", () => {
    const schedule: LearningRateSchedule = { type: "reduceOnPlateau", monitor: "loss", patience: 1, factor: 0.5, cooldown: 3 };
    expect(plateau(schedule, losses(1, 2, 2, 2, 2))).toEqual([0.1, 0.1, 0.05, 0.05, 0.05, 0.025]);
    // An improvement during the cooldown is still the new best: 0.7 after 0.5 is no improvement.
    expect(plateau(schedule, losses(1, 2, 0.5, 0.7, 0.7, 0.4))).toEqual([0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025]);
  });

  it("never goes below minLearningRate", () => {
    expectRates(plateau({ type: "reduceOnPlateau", monitor: "loss", patience: 1, factor: 0.1, minLearningRate: 0.005 }, losses(1, 2, 2, 2)), [0.1, 0.1, 0.01, 0.005, 0.005]);
  });

  it("monitors valLoss when there is one, else loss; accuracies must rise", () => {
    const schedule: LearningRateSchedule = { type: "reduceOnPlateau", patience: 1, factor: 0.5 };
    // The loss improves, the validation loss does not: valLoss decides.
    expect(plateau(schedule, [{ loss: 1, valLoss: 1 }, { loss: 0.5, valLoss: 1.5 }])).toEqual([0.1, 0.1, 0.05]);
    expect(plateau(schedule, [{ loss: 1 }, { loss: 1.5 }])).toEqual([0.1, 0.1, 0.05]);
    expect(plateau(schedule, [{ loss: 1, valLoss: undefined }, { loss: 1.5, valLoss: undefined }])).toEqual([0.1, 0.1, 0.05]);
    const accuracy: LearningRateSchedule = { type: "reduceOnPlateau", monitor: "valAccuracy", patience: 1, factor: 0.5 };
    expect(plateau(accuracy, [{ valAccuracy: 0.5 }, { valAccuracy: 0.6 }])).toEqual([0.1, 0.1, 0.1]);
    expect(plateau(accuracy, [{ valAccuracy: 0.5 }, { valAccuracy: 0.4 }])).toEqual([0.1, 0.1, 0.05]);
    expect(plateau({ ...accuracy, monitor: "accuracy" }, [{ accuracy: 0.5 }, { accuracy: 0.4 }])).toEqual([0.1, 0.1, 0.05]);
    // A metric that is not computed changes nothing.
    expect(plateau(accuracy, [{ loss: 1 }, { loss: 2 }, { loss: 3 }])).toEqual([0.1, 0.1, 0.1, 0.1]);
  });

  it("other schedules ignore the metrics", () => {
    expect(plateau({ type: "constant" }, losses(1, 2, 3, 4))).toEqual([0.1, 0.1, 0.1, 0.1, 0.1]);
  });
});

describe("schedules through fit()", () => {
  it("fit reports each epoch's learning rate", async () => {
    const spec: ModelSpec = { inputShape: [4], layers: [{ type: "dense", units: 3, activation: "softmax" }] };
    const config: TrainingConfig = { epochs: 4, batchSize: 32, seed: 1, loss: "sparseCategoricalCrossentropy", optimizer: { type: "sgd", learningRate: 0.2 }, learningRateSchedule: { type: "step", stepSize: 1, gamma: 0.5 } };
    const result = await fit(createModel(spec, 1), irisSplit(0, 1).train, config);
    expect(result.epochs.map((m) => m.learningRate)).toEqual([0.2, 0.1, 0.05, 0.025]);
  });

  it("warm-up: every batch of the first epochs steps at its ramped rate (read back from plain SGD's updates)", async () => {
    // y = w x + b, mean squared error, plain SGD: the bias moves by -lr * 2 mean(prediction - y), so each batch's rate can be read back.
    const x = [0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4];
    const data = { x: Float32Array.from(x), y: Float32Array.from(x, (v) => 2 * v + 1), numSamples: 8 };
    const lr = 0.02;
    const config: TrainingConfig = {
      epochs: 3,
      batchSize: 2, // 4 batches an epoch, in order
      seed: 3,
      shuffle: false,
      loss: "meanSquaredError",
      optimizer: { type: "sgd", learningRate: lr },
      learningRateSchedule: { type: "step", stepSize: 1, gamma: 0.5, warmupEpochs: 2 },
    };
    const model = createModel({ inputShape: [1], layers: [{ type: "dense", units: 1 }] }, 3);
    const weightsOf = (m: Model) => {
      const view = new DataView(exportWeights(m).data.buffer);
      return { w: view.getFloat32(0, true), b: view.getFloat32(4, true) };
    };
    let before = weightsOf(model);
    const used: number[] = [];
    const result = await fit(model, data, config, {
      onBatchEnd: ({ batch }) => {
        const after = weightsOf(model);
        const rows = [0, 1].map((k) => (batch - 1) * 2 + k);
        const gradB = (2 / rows.length) * rows.reduce((sum, r) => sum + (before.w * x[r] + before.b - data.y[r]), 0);
        used.push((before.b - after.b) / gradB);
        before = after;
      },
    });
    // Global step s = 1..12 over 8 warm-up steps; the step schedule halves the rate each epoch.
    const expected = Array.from({ length: 12 }, (_, s) => lr * 0.5 ** Math.floor(s / 4) * Math.min(1, (s + 1) / 8));
    expect(used).toHaveLength(12);
    used.forEach((rate, s) => expect(Math.abs(rate - expected[s]) / expected[s], `batch ${s + 1}: rate ${rate}, expected ${expected[s]}`).toBeLessThan(1e-3));
    expectRates(result.epochs.map((m) => m.learningRate), [lr * 0.5, lr * 0.5, lr * 0.25]); // each epoch's last batch
  });
});
