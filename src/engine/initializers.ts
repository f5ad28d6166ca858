import type { Prng } from "./random.js";
import type { InitializerName } from "./types.js";

/**
 * Initializers Keras and TensorFlow.js use, with the same scales. "ones" (batchNorm's
 * gamma) and "embeddingUniform" (an embedding's table: Keras' U(-0.05, 0.05)) are internal.
 */
export type WeightInitializer = InitializerName | "ones" | "embeddingUniform";

const EMBEDDING_UNIFORM_LIMIT = 0.05;

// Keras draws its "normal" initializers from a normal truncated at 2 standard
// deviations; this factor restores the intended standard deviation after truncation.
const TRUNCATION_CORRECTION = 0.8796256610342398;

export function initializeWeights(values: Float32Array, initializer: WeightInitializer, fanIn: number, fanOut: number, rng: Prng): void {
  switch (initializer) {
    case "zeros":
      values.fill(0);
      return;
    case "ones":
      values.fill(1);
      return;
    case "heNormal":
      return fillTruncatedNormal(values, Math.sqrt(2 / fanIn) / TRUNCATION_CORRECTION, rng);
    case "glorotNormal":
      return fillTruncatedNormal(values, Math.sqrt(2 / (fanIn + fanOut)) / TRUNCATION_CORRECTION, rng);
    case "heUniform":
      return fillUniform(values, Math.sqrt(6 / fanIn), rng);
    case "glorotUniform":
      return fillUniform(values, Math.sqrt(6 / (fanIn + fanOut)), rng);
    case "embeddingUniform":
      return fillUniform(values, EMBEDDING_UNIFORM_LIMIT, rng);
  }
}

function fillUniform(values: Float32Array, limit: number, rng: Prng): void {
  for (let i = 0; i < values.length; i++) values[i] = (2 * rng.nextFloat() - 1) * limit;
}

function fillTruncatedNormal(values: Float32Array, stddev: number, rng: Prng): void {
  for (let i = 0; i < values.length; i++) {
    let z = rng.nextNormal();
    while (Math.abs(z) > 2) z = rng.nextNormal();
    values[i] = z * stddev;
  }
}
