import { describe, expect, it } from "vitest";
import { parseCsvDataset } from "../../src/services/csv-dataset.js";
import { datasetStatistics } from "../../src/services/dataset-statistics.js";

/** A small seeded PRNG (mulberry32), so the random cases are the same on every run. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The textbook two-pass reference: the mean first, then the mean squared deviation from it. */
function twoPass(features: Float32Array, n: number, m: number, j: number) {
  const column = Array.from({ length: n }, (_, i) => features[i * m + j]);
  const mean = column.reduce((a, b) => a + b, 0) / n;
  const variance = column.reduce((a, x) => a + (x - mean) ** 2, 0) / n;
  return { min: Math.min(...column), max: Math.max(...column), mean, std: Math.sqrt(variance) };
}

describe("datasetStatistics", () => {
  it("matches a hand-computed example (population standard deviation)", () => {
    const features = Float32Array.from([1, 10, -5, 2, 20, -5, 3, 30, -5, 4, 40, -5]);
    const stats = datasetStatistics({ features, numSamples: 4, numFeatures: 3, featureNames: ["a", "b", "c"] });
    // a: mean 2.5, deviations ±1.5 and ±0.5: variance (2.25 + 0.25 + 0.25 + 2.25) / 4 = 1.25
    expect(stats.features).toEqual([
      { name: "a", min: 1, max: 4, mean: 2.5, std: Math.sqrt(1.25), missing: 0 },
      { name: "b", min: 10, max: 40, mean: 25, std: Math.sqrt(125), missing: 0 },
      { name: "c", min: -5, max: -5, mean: -5, std: 0, missing: 0 },
    ]);
  });

  it("gives std 0 for a single sample", () => {
    const stats = datasetStatistics({ features: Float32Array.from([7, -1]), numSamples: 1, numFeatures: 2, featureNames: ["x", "y"] });
    expect(stats.features.map(({ mean, std }) => [mean, std])).toEqual([[7, 0], [-1, 0]]);
  });

  it("agrees with a two-pass reference on random data, including large offsets", () => {
    const next = random(42);
    const n = 2000;
    const m = 6;
    const offsets = [0, -3, 1e3, 1e6, -1e7, 0.001];
    const scales = [1, 100, 0.01, 1, 10, 1e-4];
    const features = new Float32Array(n * m);
    for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) features[i * m + j] = offsets[j] + scales[j] * (next() * 2 - 1);
    const names = offsets.map((_, j) => `f${j}`);
    const stats = datasetStatistics({ features, numSamples: n, numFeatures: m, featureNames: names });
    stats.features.forEach((feature, j) => {
      const reference = twoPass(features, n, m, j);
      expect(feature.name).toBe(names[j]);
      expect(feature.min).toBe(reference.min);
      expect(feature.max).toBe(reference.max);
      expect(Math.abs(feature.mean - reference.mean)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(reference.mean)));
      expect(Math.abs(feature.std - reference.std) / reference.std).toBeLessThan(1e-9);
      expect(feature.missing).toBe(0);
    });
  });

  it("describes a parsed CSV upload", async () => {
    async function* csv() {
      yield "h,w,label\n1,10,a\n3,30,b\n";
    }
    const stats = datasetStatistics(await parseCsvDataset(csv(), { label: "label" }));
    expect(stats.features).toEqual([
      { name: "h", min: 1, max: 3, mean: 2, std: 1, missing: 0 },
      { name: "w", min: 10, max: 30, mean: 20, std: 10, missing: 0 },
    ]);
  });

  it("rejects inconsistent sizes", () => {
    expect(() => datasetStatistics({ features: new Float32Array(5), numSamples: 2, numFeatures: 3, featureNames: ["a", "b", "c"] })).toThrow(RangeError);
    expect(() => datasetStatistics({ features: new Float32Array(6), numSamples: 2, numFeatures: 3, featureNames: ["a"] })).toThrow(RangeError);
    expect(() => datasetStatistics({ features: new Float32Array(0), numSamples: 0, numFeatures: 3, featureNames: ["a", "b", "c"] })).toThrow(RangeError);
  });
});
