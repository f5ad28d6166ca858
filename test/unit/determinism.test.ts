import { describe, expect, it } from "vitest";
import { createModel, exportWeights, fit, type ModelSpec, type TrainingConfig } from "../../src/engine/index.js";
import { Prng } from "../../src/engine/random.js";
import { irisSplit } from "./helpers/datasets.js";

const spec: ModelSpec = {
  inputShape: [4],
  layers: [
    { type: "dense", units: 12, activation: "relu", kernelInitializer: "heNormal" },
    { type: "batchNorm" },
    { type: "dropout", rate: 0.2 },
    { type: "dense", units: 3, activation: "softmax" },
  ],
};
const config: TrainingConfig = { epochs: 5, batchSize: 8, seed: 42, loss: "sparseCategoricalCrossentropy", optimizer: { type: "adam", learningRate: 0.01 }, validationSplit: 0.2 };

async function trainedBytes(seed: number): Promise<Uint8Array> {
  const { train } = irisSplit(0.2, 1);
  const model = createModel(spec, seed);
  await fit(model, train, { ...config, seed });
  return exportWeights(model).data;
}

describe("determinism", () => {
  it("two fits with the same seed give bit-identical weights", async () => {
    const [a, b] = [await trainedBytes(42), await trainedBytes(42)];
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
  });

  it("different seeds give different weights", async () => {
    const [a, b] = [await trainedBytes(42), await trainedBytes(43)];
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false);
  });

  it("the PRNG resumes exactly from a saved state", () => {
    const rng = new Prng(5);
    rng.nextFloat();
    const state = rng.getState();
    const first = [rng.nextUint32(), rng.nextUint32(), rng.nextUint32()];
    rng.setState(state);
    expect([rng.nextUint32(), rng.nextUint32(), rng.nextUint32()]).toEqual(first);
    expect(new Prng(5).nextUint32()).not.toBe(new Prng(6).nextUint32());
    expect(new Prng(5, 0).nextUint32()).not.toBe(new Prng(5, 1).nextUint32());
  });
});
