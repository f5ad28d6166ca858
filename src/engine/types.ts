/**
 * The engine's public types: the model spec, the training config, and what
 * fit() reports. The API's TypeBox schemas (src/spec) describe the same JSON.
 */

export type ActivationName = "linear" | "relu" | "leakyRelu" | "elu" | "gelu" | "sigmoid" | "tanh" | "softmax";
export type InitializerName = "heNormal" | "heUniform" | "glorotNormal" | "glorotUniform" | "zeros";

export type LayerSpec =
  | { type: "dense"; units: number; activation?: ActivationName; useBias?: boolean; kernelInitializer?: InitializerName; biasInitializer?: InitializerName }
  | { type: "dropout"; rate: number }
  | { type: "batchNorm"; momentum?: number; epsilon?: number }
  | { type: "activation"; activation: ActivationName };

export interface ModelSpec {
  inputShape: number[];
  layers: LayerSpec[];
}

export type LossName = "meanSquaredError" | "meanAbsoluteError" | "binaryCrossentropy" | "categoricalCrossentropy" | "sparseCategoricalCrossentropy";

export interface OptimizerConfig {
  type: "sgd" | "adam" | "adamw" | "rmsprop" | "adagrad";
  learningRate: number;
  momentum?: number;
  nesterov?: boolean;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  weightDecay?: number;
  clipNorm?: number;
  clipValue?: number;
}

export interface TrainingConfig {
  epochs: number;
  batchSize: number;
  seed: number;
  loss: LossName;
  optimizer: OptimizerConfig;
  /** Fraction of the samples held out for validation, drawn with the seed. 0 or absent: no validation. */
  validationSplit?: number;
  /** Reshuffle the training samples every epoch. Default true. */
  shuffle?: boolean;
}

/**
 * x: numSamples x prod(inputShape), row-major. y: numSamples x yWidth (yWidth = y.length / numSamples).
 * Classification losses take class indices (yWidth 1); categoricalCrossentropy also takes one-hot rows.
 * meanSquaredError / meanAbsoluteError take targets of the output's size, or class indices that are one-hot encoded.
 */
export interface TrainingData {
  x: Float32Array;
  y: Float32Array;
  numSamples: number;
}

export interface EpochMetrics {
  /** Counts from 1. */
  epoch: number;
  loss: number;
  accuracy?: number;
  valLoss?: number;
  valAccuracy?: number;
  learningRate: number;
  /** Training time of the epoch, validation excluded. */
  durationMs: number;
}

export interface BatchInfo {
  epoch: number;
  /** Counts from 1. */
  batch: number;
  batches: number;
  loss: number;
}

export interface FitCallbacks {
  onBatchEnd?(info: BatchInfo): void | Promise<void>;
  onEpochEnd?(metrics: EpochMetrics): void | Promise<void>;
  /** Checked between batches; true ends fit() with stopped: "cancelled". */
  shouldStop?(): boolean;
}

export interface FinalMetrics {
  loss: number;
  accuracy?: number;
  valLoss?: number;
  valAccuracy?: number;
}

export interface FitResult {
  epochs: EpochMetrics[];
  stopped: "completed" | "cancelled" | "earlyStopping";
  finalMetrics: FinalMetrics;
}

export interface LayerSummary {
  index: number;
  type: string;
  outputShape: number[];
  parameterCount: number;
}

export interface Model {
  spec: ModelSpec;
  parameterCount: number;
  outputSize: number;
  /** numSamples x outputSize; a final softmax or sigmoid is applied, as the spec says. */
  predict(x: Float32Array, numSamples: number): Float32Array;
}

export interface WeightEntry {
  name: string;
  shape: number[];
  /** In float32 elements from the start of the buffer. */
  offset: number;
}
