/**
 * The engine's public types: the model spec, the training config, and what
 * fit() reports. Names come from contract.ts, whose lists and bounds the
 * API's TypeBox schemas (src/spec) are built from; test/api/spec-types.test.ts
 * checks that the schemas' types and these agree both ways.
 */
import type { KernelExecutor } from "./kernels/executor.js";

import type { ACTIVATIONS, INITIALIZERS, LOSSES, MONITOR_MODES, MONITORED_METRICS, OPTIMIZERS, PADDINGS } from "./contract.js";

export type ActivationName = (typeof ACTIVATIONS)[number];
export type InitializerName = (typeof INITIALIZERS)[number];

/** A size per spatial axis: one number for both, or [height, width]. */
export type Size2d = number | [number, number];
export type Padding = (typeof PADDINGS)[number];

/**
 * Image layers work on inputs of shape [height, width, channels] (channels last,
 * as TensorFlow.js). `padding: "same"` pads so that the output is ceil(input / stride),
 * the extra row or column going at the bottom / right (TensorFlow's rule).
 */
export type LayerSpec = LayerKindSpec & LayerWiring;

/**
 * How a layer is wired into a graph model. Without `inputs` a layer takes the
 * previous layer's output (the model's input for the first layer), so a plain
 * list of layers is a sequential stack. `inputs` names earlier layers (or
 * "input", the model's input): layers are listed in an order where every
 * input comes first, which also rules out cycles. The last layer is the output.
 */
export interface LayerWiring {
  /** Unique within the model; what other layers' `inputs` refer to. */
  name?: string;
  /** Earlier layers by name, or "input". Merge layers (add, concatenate) take two or more. */
  inputs?: string[];
}

export type LayerKindSpec =
  | { type: "dense"; units: number; activation?: ActivationName; useBias?: boolean; kernelInitializer?: InitializerName; biasInitializer?: InitializerName }
  | { type: "dropout"; rate: number }
  | { type: "batchNorm"; momentum?: number; epsilon?: number }
  /** A learned vector of outputDim values per integer id in [0, inputDim): [steps] ids -> [steps, outputDim]. Reads the model's input. */
  | { type: "embedding"; inputDim: number; outputDim: number }
  /** Normalises each sample along the last axis (epsilon default 1e-3, as Keras). */
  | { type: "layerNormalization"; epsilon?: number }
  | { type: "activation"; activation: ActivationName }
  /** Kernel [kh, kw, inChannels, filters]; strides default 1, padding default valid, activation default linear. */
  | { type: "conv2d"; filters: number; kernelSize: Size2d; strides?: Size2d; padding?: Padding; activation?: ActivationName; useBias?: boolean; kernelInitializer?: InitializerName; biasInitializer?: InitializerName }
  /** strides default poolSize, padding default valid. */
  | { type: "maxPool2d"; poolSize: Size2d; strides?: Size2d; padding?: Padding }
  /** Averages over the window's values inside the image (padding is not counted), as TensorFlow does. */
  | { type: "avgPool2d"; poolSize: Size2d; strides?: Size2d; padding?: Padding }
  /**
   * Sequence layers work on inputs of shape [steps, channels]. conv1d's kernel is
   * [kernelSize, channels, filters]; strides default 1, dilation 1 (not both above 1),
   * padding valid; "same" gives ceil(steps / strides) steps.
   */
  | { type: "conv1d"; filters: number; kernelSize: number; strides?: number; padding?: Padding; dilation?: number; activation?: ActivationName; useBias?: boolean; kernelInitializer?: InitializerName; biasInitializer?: InitializerName }
  /** strides default poolSize, padding default valid; avgPool1d averages the values inside the sequence. */
  | { type: "maxPool1d"; poolSize: number; strides?: number; padding?: Padding }
  | { type: "avgPool1d"; poolSize: number; strides?: number; padding?: Padding }
  /**
   * Recurrent layers over [steps, features]: the last step's hidden state [units], or every step's
   * [steps, units] with returnSequences. tanh and sigmoid as in Keras; weights in Keras's layout.
   */
  | { type: "lstm"; units: number; returnSequences?: boolean; useBias?: boolean }
  | { type: "gru"; units: number; returnSequences?: boolean; useBias?: boolean }
  /**
   * Self-attention over [steps, dim] (Keras's MultiHeadAttention with query = key = value): numHeads heads of
   * keyDim (valueDim default keyDim), output [steps, outputDim] (default dim); `causal`: step i sees steps 0..i.
   */
  | { type: "multiHeadAttention"; numHeads: number; keyDim: number; valueDim?: number; outputDim?: number; causal?: boolean; useBias?: boolean }
  /** A learned vector per position added to the input: [steps, dim] -> [steps, dim]. */
  | { type: "positionEmbedding" }
  /** [steps, channels] -> [channels]: each channel's mean, or its largest value. */
  | { type: "globalAveragePooling1d" }
  | { type: "globalMaxPooling1d" }
  /**
   * [..., width] -> [..., indices.length]: the listed positions of the last axis, in order. The engine reads
   * `indices`; `columns` / `exceptColumns` name a table's columns, which the API resolves into indices (and keeps).
   */
  | { type: "selectColumns"; indices?: number[]; columns?: string[]; exceptColumns?: string[] }
  /** [height, width, channels] -> [height * width * channels], row-major (channels vary fastest). */
  | { type: "flatten" }
  /** [height, width, channels] -> [channels]: the mean of each channel. */
  | { type: "globalAveragePooling2d" }
  /** The element-wise sum of two or more inputs of one shape (residual connections). */
  | { type: "add" }
  /** Two or more inputs side by side along their last axis; the other axes must agree. */
  | { type: "concatenate" };

export interface ModelSpec {
  /** [features] for tabular data, [height, width, channels] for images. */
  inputShape: number[];
  layers: LayerSpec[];
  /**
   * Transfer learning: the first `frozenLayers` layers are frozen (default 0).
   * Their weights get no gradient and no update (weight decay included), and a
   * frozen batchNorm normalises with its running statistics and leaves them as
   * they are; a frozen dropout still drops in training.
   */
  frozenLayers?: number;
}

export type LossName = (typeof LOSSES)[number];
export type OptimizerName = (typeof OPTIMIZERS)[number];

export interface OptimizerConfig {
  type: OptimizerName;
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
  /** Random transforms of each training batch (never of validation data), drawn from the seeded PRNG. */
  augmentation?: AugmentationConfig;
  /**
   * A weight per class (by class index, one per output) multiplying each training sample's loss
   * (softmax cross-entropies with class labels). Validation metrics are not weighted.
   */
  classWeights?: number[];
}

/**
 * Data augmentation, applied on the fly to every training batch in this order:
 * horizontalFlip, rotation, shift (images: inputShape [height, width, channels]), then noise (any data).
 * Pixels that come from outside the image are 0.
 */
export interface AugmentationConfig {
  /** Move each image by whole pixels, dy and dx each drawn uniformly from [-shift, shift]. */
  shift?: number;
  /** Mirror each image left-right with probability 1/2. */
  horizontalFlip?: boolean;
  /** Rotate each image about its centre by an angle drawn uniformly from [-rotation, rotation] degrees (bilinear). */
  rotation?: number;
  /** Add gaussian noise of this standard deviation to every input value (images and tabular data). */
  noise?: number;
}

/** An augmentation transform's name, as FitResult.augmentation lists them. */
export type AugmentationName = keyof AugmentationConfig;

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

export type MonitoredMetric = (typeof MONITORED_METRICS)[number];

export interface EarlyStoppingConfig {
  /** Default valLoss when there is validation data, else loss. */
  monitor?: MonitoredMetric;
  /** auto: max for accuracies, min for losses. */
  mode?: (typeof MONITOR_MODES)[number];
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
  /** Regression: mean absolute error of the epoch's training batches, and of the validation samples. */
  mae?: number;
  valMae?: number;
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
  /** After onCheckpoint: changes to apply from the next epoch on (a user changing a running job), or null. */
  changesAfter?(epoch: number): LiveChanges | null | Promise<LiveChanges | null>;
}

/**
 * Changes to a running fit(), taken at an epoch boundary. A checkpoint does
 * not record them: a run resumed from it is given a config that has them.
 */
export interface LiveChanges {
  /** The new base learning rate: a schedule goes on from it (reduceOnPlateau's current rate becomes it). */
  learningRate?: number;
  /** The new number of epochs in all (training ends after the current one if it is not above it); cosine's span follows. */
  epochs?: number;
  /** earlyStopping's new patience (ignored without early stopping). */
  patience?: number;
}

export interface FitOptions {
  /** A separate validation set (instead of validationSplit). */
  validationData?: TrainingData;
  /** Continue from a checkpoint of the same spec, data and config: the result is bit-identical to an uninterrupted run. */
  resumeFrom?: TrainingCheckpoint;
  /** Spreads large kernel calls over threads (src/parallel's createThreadExecutor); same results as without. */
  executor?: KernelExecutor;
}

/** Per-class results at the end of training, on the validation data (else the training data). */
export interface ClassMetrics {
  on: "validation" | "training";
  /** confusionMatrix[trueClass][predictedClass] = count; absent above 100 classes (MAX_CONFUSION_MATRIX_CLASSES). */
  confusionMatrix?: number[][];
  precision: number[];
  recall: number[];
}

export interface TrainingCheckpoint {
  /** Epochs completed. */
  epoch: number;
  /** Set when the checkpoint was taken between two batches (fit stopped by shouldStop): the epoch it interrupted. */
  inProgress?: EpochInProgress;
  weights: { manifest: WeightEntry[]; data: Uint8Array };
  optimizer: { iterations: number; slots: { name: string; values: Float32Array }[] };
  rng: [number, number, number, number];
  /** baseRate: the base learning rate in effect (absent in checkpoints from before live changes). */
  schedule: { baseRate?: number; plateauRate: number; plateauBest: number; plateauWait: number; plateauCooldown: number };
  earlyStopping: { bestValue: number; bestEpoch: number; wait: number; bestWeights: Uint8Array | null } | null;
  history: EpochMetrics[];
}

/** How far an interrupted epoch got: resuming continues with the next batch, as if never stopped. */
export interface EpochInProgress {
  /** The epoch interrupted (counts from 1; the checkpoint's `epoch` + 1). */
  epoch: number;
  /** Batches of it completed (0: stopped before its first). */
  batch: number;
  /** The epoch's order of the training samples (already drawn). */
  order: Int32Array;
  /** Running sums so far: loss x rows, rows, correct predictions and predictions counted (accuracy). */
  lossSum: number;
  seen: number;
  correct: number;
  counted: number;
  /** Learning rate of the last batch run. */
  learningRate: number;
  /** Training time of the epoch so far. */
  durationMs: number;
  /** Regression: the running sum and count of absolute errors (absent in checkpoints written before they were kept: 0). */
  absoluteErrorSum?: number;
  absoluteErrorCount?: number;
}

export interface FinalMetrics {
  loss: number;
  accuracy?: number;
  valLoss?: number;
  valAccuracy?: number;
  /** Regression: mean absolute error, in the target's units. */
  mae?: number;
  valMae?: number;
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
  /** The augmentation transforms applied to the training batches, in the order applied ([] for none). */
  augmentation: AugmentationName[];
  /** When cancelled (shouldStop): a checkpoint at the batch boundary where training stopped; resumeFrom continues from there. */
  checkpoint?: TrainingCheckpoint;
}

export interface LayerSummary {
  index: number;
  type: string;
  outputShape: number[];
  parameterCount: number;
  /** Floating-point operations of the forward pass for one sample (an estimate; see flops.ts). */
  flops: number;
  /** The layer's name, when the spec gives one. */
  name?: string;
  /** Indices of the layers whose outputs this layer takes; -1 is the model's input. */
  inputs: number[];
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
