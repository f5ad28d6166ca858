import type { Prng } from "./random.js";
import type { InitializerName } from "./types.js";

/**
 * Initializers Keras and TensorFlow.js use, with the same scales. "ones" (batchNorm's
 * gamma) and "embeddingUniform" (an embedding's table: Keras' U(-0.05, 0.05)) are internal.
 */
export type WeightInitializer = InitializerName | "ones" | "embeddingUniform" | "orthogonal" | "unitForgetBias";

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
    case "orthogonal":
      return fillOrthogonal(values, fanIn, fanOut, rng);
    case "unitForgetBias":
      // An LSTM's bias [4 units]: 1 for the forget gate (the second quarter), 0 elsewhere, as Keras's unit_forget_bias.
      values.fill(0);
      values.fill(1, values.length / 4, values.length / 2);
      return;
  }
}

/**
 * A random matrix of `rows` x `cols` whose rows (or columns, whichever are
 * fewer) are orthonormal: Keras's orthogonal initializer (gain 1), by
 * Gram-Schmidt on normal draws (twice, for float accuracy) instead of QR.
 */
function fillOrthogonal(values: Float32Array, rows: number, cols: number, rng: Prng): void {
  const [count, length] = rows <= cols ? [rows, cols] : [cols, rows];
  const vectors = Array.from({ length: count }, () => Float64Array.from({ length }, () => rng.nextNormal()));
  vectors.forEach((v, i) => {
    for (let pass = 0; pass < 2; pass++) {
      for (let j = 0; j < i; j++) {
        const w = vectors[j];
        let dot = 0;
        for (let k = 0; k < length; k++) dot += v[k] * w[k];
        for (let k = 0; k < length; k++) v[k] -= dot * w[k];
      }
    }
    let norm = 0;
    for (let k = 0; k < length; k++) norm += v[k] * v[k];
    norm = Math.sqrt(norm);
    for (let k = 0; k < length; k++) v[k] /= norm;
  });
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) values[r * cols + c] = rows <= cols ? vectors[r][c] : vectors[c][r];
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
