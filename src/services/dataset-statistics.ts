export interface FeatureStatistics {
  name: string;
  min: number;
  max: number;
  mean: number;
  /** Population standard deviation (divides by n, as numpy's default). */
  std: number;
  /** Missing values: always 0 for a stored dataset (uploads with missing values are rejected). */
  missing: number;
}

export interface DatasetStatistics {
  features: FeatureStatistics[];
}

export interface StatisticsInput {
  features: Float32Array;
  numSamples: number;
  numFeatures: number;
  featureNames: string[];
}

/**
 * Per-feature min, max, mean and standard deviation of a row-major float32
 * dataset, in one pass over the data with Welford's update in float64
 * (numerically stable: no sum of squares that cancels for large means).
 */
export function datasetStatistics(encoded: StatisticsInput): DatasetStatistics {
  const { features, numSamples: n, numFeatures: m, featureNames } = encoded;
  if (n < 1) throw new RangeError("datasetStatistics needs at least one sample");
  if (features.length !== n * m) throw new RangeError(`${features.length} feature values for ${n} samples of ${m} features`);
  if (featureNames.length !== m) throw new RangeError(`${featureNames.length} feature names for ${m} features`);

  const mean = new Float64Array(m);
  const m2 = new Float64Array(m);
  const min = new Float64Array(m).fill(Number.POSITIVE_INFINITY);
  const max = new Float64Array(m).fill(Number.NEGATIVE_INFINITY);
  for (let i = 0; i < n; i++) {
    const offset = i * m;
    const count = i + 1;
    for (let j = 0; j < m; j++) {
      const x = features[offset + j];
      const delta = x - mean[j];
      mean[j] += delta / count;
      m2[j] += delta * (x - mean[j]);
      if (x < min[j]) min[j] = x;
      if (x > max[j]) max[j] = x;
    }
  }

  return {
    features: featureNames.map((name, j) => ({
      name,
      min: min[j],
      max: max[j],
      mean: mean[j],
      std: Math.sqrt(m2[j] / n),
      missing: 0,
    })),
  };
}
