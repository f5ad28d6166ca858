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
  /** Draw the validation split class by class, so each class keeps its share. Default false. */
  stratify?: boolean;
  /** Default constant. */
  learningRateSchedule?: LearningRateSchedule;
  earlyStopping?: EarlyStoppingConfig;
}

/**
 * How the learning rate moves from epoch to epoch (epochs counted from 0 here:
 * the first epoch runs at the optimizer's learningRate). `warmupEpochs` ramps
 * the rate linearly from 0, batch by batch, over the first epochs.
 */
export type LearningRateSchedule =
  | { type: "constant"; warmupEpochs?: number }
  /** rate * gamma^floor(epoch / stepSize) */
  | { type: "step"; stepSize: number; gamma: number; warmupEpochs?: number }
  /** rate * gamma^epoch */
  | { type: "exponential"; gamma: number; warmupEpochs?: number }
  /** From rate down to minLearningRate (default 0) along half a cosine, over the epochs after warm-up. */
  | { type: "cosine"; minLearningRate?: number; warmupEpochs?: number }
  /** rate *= factor (default 0.1) after `patience` (default 10) epochs without improvement of `monitor`. */
  | { type: "reduceOnPlateau"; monitor?: MonitoredMetric; factor?: number; patience?: number; minDelta?: number; cooldown?: number; minLearningRate?: number; warmupEpochs?: number };

export type MonitoredMetric = "loss" | "valLoss" | "accuracy" | "valAccuracy";

export interface EarlyStoppingConfig {
  /** Default valLoss when there is validation data, else loss. */
  monitor?: MonitoredMetric;
  /** auto: max for accuracies, min for losses. */
  mode?: "min" | "max" | "auto";
  /** Epochs without improvement before stopping. Default 0. */
  patience?: number;
  /** Smallest change that counts as an improvement. Default 0. */
  minDelta?: number;
  /** End with the best epoch's weights (reported as keptEpoch). Default false. */
  restoreBestWeights?: boolean;
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
  /** After onEpochEnd, everything needed to resume after this epoch (see FitOptions.resumeFrom, encodeCheckpoint). */
  onCheckpoint?(checkpoint: TrainingCheckpoint): void | Promise<void>;
}

export interface FitOptions {
  /** A separate validation set (instead of validationSplit). */
  validationData?: TrainingData;
  /** Continue from a checkpoint of the same spec, data and config: the result is bit-identical to an uninterrupted run. */
  resumeFrom?: TrainingCheckpoint;
}

/** Per-class results at the end of training, on the validation data (else the training data). */
export interface ClassMetrics {
  on: "validation" | "training";
  /** confusionMatrix[trueClass][predictedClass] = count */
  confusionMatrix: number[][];
  precision: number[];
  recall: number[];
}

export interface TrainingCheckpoint {
  /** Epochs completed. */
  epoch: number;
  weights: { manifest: WeightEntry[]; data: Uint8Array };
  optimizer: { iterations: number; slots: { name: string; values: Float32Array }[] };
  rng: [number, number, number, number];
  schedule: { plateauRate: number; plateauBest: number; plateauWait: number; plateauCooldown: number };
  earlyStopping: { bestValue: number; bestEpoch: number; wait: number; bestWeights: Uint8Array | null } | null;
  history: EpochMetrics[];
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
  /** The kept epoch's metrics: the last epoch's, or the best one's when restoreBestWeights. */
  finalMetrics: FinalMetrics;
  /** The epoch whose weights the model ends with (0 if cancelled before the first epoch ended). */
  keptEpoch: number;
  /** Classification only, computed with the kept weights. */
  classMetrics?: ClassMetrics;
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
