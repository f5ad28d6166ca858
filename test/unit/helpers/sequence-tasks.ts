import type { ModelSpec } from "../../../src/engine/index.js";
import { Prng } from "../../../src/engine/random.js";

// Sequence tasks and models shared by the engine tests, the API tests and the benchmark.

/** A 1-layer transformer encoder block over token ids, from the spec. */
export function transformerSpec(steps: number, vocabulary: number, dim = 16): ModelSpec {
  return {
    inputShape: [steps],
    layers: [
      { type: "embedding", inputDim: vocabulary, outputDim: dim },
      { type: "positionEmbedding", name: "tokens" },
      { type: "multiHeadAttention", numHeads: 2, keyDim: 8, name: "attended" },
      { type: "add", inputs: ["tokens", "attended"] },
      { type: "layerNormalization", name: "block" },
      { type: "conv1d", filters: 32, kernelSize: 1, activation: "relu" },
      { type: "conv1d", filters: dim, kernelSize: 1, name: "feedForward" },
      { type: "add", inputs: ["block", "feedForward"] },
      { type: "layerNormalization" },
      { type: "globalAveragePooling1d" },
      { type: "dense", units: 2, activation: "softmax" },
    ],
  };
}

/** Ids in [3, vocabulary), one 1 and one 2 at random places; label: the 1 comes first. */
export function markerTokens(count: number, steps: number, vocabulary: number, seed: number): { x: Float32Array; y: Float32Array } {
  const rng = new Prng(seed);
  const x = new Float32Array(count * steps);
  const y = new Float32Array(count);
  for (let s = 0; s < count; s++) {
    for (let t = 0; t < steps; t++) x[s * steps + t] = 3 + rng.nextInt(vocabulary - 3);
    const a = rng.nextInt(steps);
    let b = rng.nextInt(steps - 1);
    if (b >= a) b++;
    x[s * steps + a] = 1;
    x[s * steps + b] = 2;
    y[s] = a < b ? 1 : 0;
  }
  return { x, y };
}
