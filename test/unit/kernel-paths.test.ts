import { afterEach, describe, expect, it } from "vitest";
import { createModel, exportWeights, fit, useKernelPath, type KernelPath, type ModelSpec, type TrainingConfig } from "../../src/engine/index.js";
import { mnistSplit } from "./helpers/datasets.js";

// conv -> relu -> pool -> dense, Adam, dropout: every kernel of both paths.
const spec: ModelSpec = {
  inputShape: [28, 28, 1],
  layers: [
    { type: "conv2d", filters: 4, kernelSize: 3, padding: "same", activation: "relu" },
    { type: "maxPool2d", poolSize: 2 },
    { type: "conv2d", filters: 8, kernelSize: 3, activation: "relu" },
    { type: "flatten" },
    { type: "dropout", rate: 0.2 },
    { type: "dense", units: 10, activation: "softmax" },
  ],
};
const config: TrainingConfig = { epochs: 2, batchSize: 32, seed: 2, loss: "sparseCategoricalCrossentropy", optimizer: { type: "adam", learningRate: 0.003 }, validationSplit: 0.25 };
const { train } = mnistSplit(256, 0, 1);

async function trainOn(path: KernelPath) {
  const previous = useKernelPath(path);
  try {
    const model = createModel(spec, 3);
    const result = await fit(model, train, config);
    return { weights: Buffer.from(exportWeights(model).data), losses: result.epochs.map((e) => e.loss), valLoss: result.epochs[1].valLoss! };
  } finally {
    useKernelPath(previous);
  }
}

describe("the two kernel paths", () => {
  afterEach(() => void useKernelPath("wasm"));

  it("each is deterministic: the same seed gives the same weights bit for bit", async () => {
    for (const path of ["wasm", "typescript"] as const) {
      const [a, b] = [await trainOn(path), await trainOn(path)];
      expect(a.weights.equals(b.weights), path).toBe(true);
    }
  });

  it("the TypeScript path (where WebAssembly SIMD is missing) trains the same model to the same losses, up to rounding", async () => {
    const [wasm, typescript] = [await trainOn("wasm"), await trainOn("typescript")];
    wasm.losses.forEach((loss, i) => expect(Math.abs(loss - typescript.losses[i]) / loss).toBeLessThan(1e-3));
    expect(Math.abs(wasm.valLoss - typescript.valLoss) / wasm.valLoss).toBeLessThan(1e-3);
  });
});
