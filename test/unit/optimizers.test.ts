import { describe, expect, it } from "vitest";
import { createModel, fit, type ModelSpec, type OptimizerConfig, type TrainingConfig } from "../../src/engine/index.js";
import { clipByGlobalNorm, clipByValue } from "../../src/engine/optimizers/clipping.js";
import { createOptimizer } from "../../src/engine/optimizers/create-optimizer.js";
import { Tensor } from "../../src/engine/tensor.js";
import { irisSplit } from "./helpers/datasets.js";

const spec: ModelSpec = { inputShape: [4], layers: [{ type: "dense", units: 10, activation: "tanh" }, { type: "dense", units: 3, activation: "softmax" }] };
const { train } = irisSplit(0, 5);

describe("optimizers", () => {
  const optimizers: OptimizerConfig[] = [
    { type: "sgd", learningRate: 0.05 },
    { type: "sgd", learningRate: 0.05, momentum: 0.9 },
    { type: "sgd", learningRate: 0.05, momentum: 0.9, nesterov: true },
    { type: "adam", learningRate: 0.01 },
    { type: "adamw", learningRate: 0.01, weightDecay: 0.01 },
    { type: "rmsprop", learningRate: 0.01 },
    { type: "rmsprop", learningRate: 0.005, momentum: 0.5 },
    { type: "adagrad", learningRate: 0.1 },
    { type: "sgd", learningRate: 0.05, weightDecay: 1e-3, clipNorm: 1, clipValue: 0.5 },
  ];
  for (const optimizer of optimizers) {
    it(`${JSON.stringify(optimizer)} lowers the loss`, async () => {
      const config: TrainingConfig = { epochs: 15, batchSize: 16, seed: 9, loss: "sparseCategoricalCrossentropy", optimizer };
      const result = await fit(createModel(spec, 9), train, config);
      expect(result.epochs[14].loss).toBeLessThan(result.epochs[0].loss * 0.6);
    });
  }

  it("SGD takes the plain step w -= lr * g, and L2 weight decay adds wd * w to g", () => {
    const w = Tensor.leaf(new Float32Array([1, -2]), [2], true);
    w.grad!.set([0.5, 0.5]);
    createOptimizer({ type: "sgd", learningRate: 0.1, weightDecay: 0.1 }, [w]).step(0.1);
    expect(w.data[0]).toBeCloseTo(1 - 0.1 * (0.5 + 0.1), 6);
    expect(w.data[1]).toBeCloseTo(-2 - 0.1 * (0.5 - 0.2), 6);
    expect([...w.grad!]).toEqual([0, 0]);
  });

  it("Adam's first step moves each weight by about lr against the gradient's sign", () => {
    const w = Tensor.leaf(new Float32Array([1, 1]), [2], true);
    w.grad!.set([3, -0.01]);
    createOptimizer({ type: "adam", learningRate: 0.01 }, [w]).step(0.01);
    expect(w.data[0]).toBeCloseTo(0.99, 5);
    expect(w.data[1]).toBeCloseTo(1.01, 4);
  });

  it("clips by value and by global norm", () => {
    const g = new Float32Array([3, -4, 0.1]);
    clipByValue(g, 1);
    expect([...g]).toEqual([1, -1, Math.fround(0.1)]);
    const a = new Float32Array([3]);
    const b = new Float32Array([4]);
    clipByGlobalNorm([a, b], 1);
    expect(a[0]).toBeCloseTo(0.6, 6);
    expect(b[0]).toBeCloseTo(0.8, 6);
  });

  it("saves and restores its state exactly", () => {
    const make = () => Tensor.leaf(new Float32Array([1, 2, 3]), [3], true);
    const [w1, w2] = [make(), make()];
    const first = createOptimizer({ type: "adam", learningRate: 0.1 }, [w1]);
    for (let i = 0; i < 3; i++) {
      w1.grad!.set([0.1 * i, -0.2, 0.3]);
      first.step(0.1);
    }
    const second = createOptimizer({ type: "adam", learningRate: 0.1 }, [w2]);
    w2.data.set(w1.data);
    second.setState(first.getState());
    w1.grad!.set([1, 1, 1]);
    w2.grad!.set([1, 1, 1]);
    first.step(0.1);
    second.step(0.1);
    expect([...w2.data]).toEqual([...w1.data]);
  });
});
