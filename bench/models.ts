import type { ModelSpec } from "../src/engine/index.js";

/** A benchmark model: the spec descent trains and the shapes tfjs needs to build the same one. */
export interface BenchModel {
  name: string;
  spec: ModelSpec;
  /** Multiply-adds of one forward pass of one sample. */
  forwardMacs: number;
  /** Multiply-adds of one backward pass (weight gradients, and input gradients of every layer but the first). */
  backwardMacs: number;
}

/** An MLP of dense layers (relu, softmax last) from `sizes` = [inputs, hidden..., classes]. */
export function mlp(name: string, sizes: number[]): BenchModel {
  const layers: ModelSpec["layers"] = sizes.slice(1).map((units, i) => ({ type: "dense", units, activation: i === sizes.length - 2 ? "softmax" : "relu" }));
  let forwardMacs = 0;
  let backwardMacs = 0;
  for (let i = 1; i < sizes.length; i++) {
    const macs = sizes[i - 1] * sizes[i];
    forwardMacs += macs;
    backwardMacs += i === 1 ? macs : 2 * macs;
  }
  return { name, spec: { inputShape: [sizes[0]], layers }, forwardMacs, backwardMacs };
}

/** conv 3x3x8 valid -> relu -> maxPool 2 -> flatten -> dense 10, on 28 x 28 x 1. */
export const CNN: BenchModel = (() => {
  const conv = 26 * 26 * 9 * 8;
  const dense = 13 * 13 * 8 * 10;
  return {
    name: "CNN conv 3x3x8 -> relu -> maxPool 2 -> dense 10",
    spec: { inputShape: [28, 28, 1], layers: [{ type: "conv2d", filters: 8, kernelSize: 3, activation: "relu" }, { type: "maxPool2d", poolSize: 2 }, { type: "flatten" }, { type: "dense", units: 10, activation: "softmax" }] },
    forwardMacs: conv + dense,
    backwardMacs: conv + 2 * dense,
  };
})();

export const MNIST_MLP = mlp("MLP 784-128-64-10", [784, 128, 64, 10]);
export const TABULAR_MLP = mlp("tabular MLP 54-256-128-7", [54, 256, 128, 7]);

export function flopsPerSample(model: BenchModel): number {
  return 2 * (model.forwardMacs + model.backwardMacs);
}
