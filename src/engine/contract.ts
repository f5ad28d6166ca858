/**
 * The engine's vocabulary and bounds: every name a spec may use and every
 * numeric field's range, as data. The engine's types and validation read
 * them here; src/spec builds the API's schemas (and so the OpenAPI document
 * and the SDK) from them. One table, so the API and the engine cannot
 * disagree about what is valid.
 */

export const ACTIVATIONS = ["linear", "relu", "leakyRelu", "elu", "gelu", "sigmoid", "tanh", "softmax"] as const;
export const INITIALIZERS = ["heNormal", "heUniform", "glorotNormal", "glorotUniform", "zeros"] as const;
export const PADDINGS = ["valid", "same"] as const;
export const LAYER_TYPES = ["dense", "dropout", "batchNorm", "layerNormalization", "embedding", "activation", "conv2d", "maxPool2d", "avgPool2d", "flatten", "globalAveragePooling2d", "conv1d", "maxPool1d", "avgPool1d", "globalAveragePooling1d", "globalMaxPooling1d", "lstm", "gru", "multiHeadAttention", "positionEmbedding", "selectColumns", "add", "concatenate"] as const;
/** The name `inputs` uses for the model's input; no layer may take it. */
export const MODEL_INPUT = "input";
export const LOSSES = ["meanSquaredError", "meanAbsoluteError", "binaryCrossentropy", "categoricalCrossentropy", "sparseCategoricalCrossentropy"] as const;
export const OPTIMIZERS = ["sgd", "adam", "adamw", "rmsprop", "adagrad"] as const;
export const SCHEDULES = ["constant", "step", "exponential", "cosine", "reduceOnPlateau"] as const;
export const MONITORED_METRICS = ["loss", "valLoss", "accuracy", "valAccuracy"] as const;
export const MONITOR_MODES = ["min", "max", "auto"] as const;

/** A numeric field's range, in JSON Schema's own keywords (src/spec hands them to TypeBox as they are). */
export interface Bound {
  integer?: boolean;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
}

const fraction: Bound = { minimum: 0, exclusiveMaximum: 1 };
const positive: Bound = { exclusiveMinimum: 0 };
const nonNegative: Bound = { minimum: 0 };
const count = (maximum: number): Bound => ({ integer: true, minimum: 0, maximum });

/**
 * The version of the engine's numerics: bump it with any change that alters
 * the bits a seed trains to (an op's order of operations, an initializer).
 * Part of every job's fingerprint, with the kernel path.
 */
export const ENGINE_NUMERICS = 1;

export const BOUNDS = {
  // Model
  inputDimension: { integer: true, minimum: 1, maximum: 1_000_000 },
  inputRank: { integer: true, minimum: 1, maximum: 3 },
  layers: { integer: true, minimum: 1, maximum: 64 },
  /** Inputs of one merge layer (add, concatenate). */
  mergeInputs: { integer: true, minimum: 2, maximum: 16 },
  frozenLayers: count(64),
  units: { integer: true, minimum: 1, maximum: 65_536 },
  filters: { integer: true, minimum: 1, maximum: 4_096 },
  /** Heads of one multiHeadAttention layer. */
  attentionHeads: { integer: true, minimum: 1, maximum: 64 },
  /** An LSTM's or GRU's units (its kernels are units x 4 units). */
  recurrentUnits: { integer: true, minimum: 1, maximum: 4_096 },
  /** Ids an embedding knows (its inputDim). */
  vocabulary: { integer: true, minimum: 1, maximum: 1_000_000 },
  windowSize: { integer: true, minimum: 1, maximum: 1_024 },
  dropoutRate: fraction,
  batchNormMomentum: fraction,
  batchNormEpsilon: positive,
  layerNormEpsilon: positive,
  // Training
  epochs: { integer: true, minimum: 1, maximum: 10_000 },
  batchSize: { integer: true, minimum: 1, maximum: 65_536 },
  seed: { integer: true, minimum: 0, maximum: 2 ** 32 - 1 },
  validationSplit: { minimum: 0, maximum: 0.9 },
  // Optimizer
  learningRate: { exclusiveMinimum: 0, maximum: 10 },
  momentum: fraction,
  beta1: fraction,
  beta2: fraction,
  epsilon: positive,
  weightDecay: { minimum: 0, maximum: 1 },
  clipNorm: positive,
  clipValue: positive,
  // Schedules
  warmupEpochs: count(1_000),
  stepSize: { integer: true, minimum: 1, maximum: 10_000 },
  /** 1 keeps the rate: allowed, harmless. */
  gamma: { exclusiveMinimum: 0, maximum: 1 },
  plateauFactor: { exclusiveMinimum: 0, exclusiveMaximum: 1 },
  patience: count(10_000),
  cooldown: count(10_000),
  minDelta: nonNegative,
  minLearningRate: nonNegative,
  // Augmentation
  shift: count(64),
  rotation: { minimum: 0, maximum: 180 },
  noise: { minimum: 0, maximum: 100 },
} as const satisfies Record<string, Bound>;

export type BoundName = keyof typeof BOUNDS;

export function withinBound(value: unknown, bound: Bound): value is number {
  if (typeof value !== "number" || !Number.isFinite(value)) return false;
  if (bound.integer && !Number.isInteger(value)) return false;
  if (bound.minimum !== undefined && value < bound.minimum) return false;
  if (bound.maximum !== undefined && value > bound.maximum) return false;
  if (bound.exclusiveMinimum !== undefined && value <= bound.exclusiveMinimum) return false;
  if (bound.exclusiveMaximum !== undefined && value >= bound.exclusiveMaximum) return false;
  return true;
}

/** "an integer from 1 to 64", "a number in (0, 10]", "a number >= 0". */
export function describeBound(bound: Bound): string {
  const low = bound.minimum ?? bound.exclusiveMinimum;
  const high = bound.maximum ?? bound.exclusiveMaximum;
  const kind = bound.integer ? "an integer" : "a number";
  if (low !== undefined && high !== undefined) {
    if (bound.integer && bound.minimum !== undefined && bound.maximum !== undefined) return `${kind} from ${low} to ${high}`;
    return `${kind} in ${bound.minimum !== undefined ? "[" : "("}${low}, ${high}${bound.maximum !== undefined ? "]" : ")"}`;
  }
  if (low !== undefined) return `${kind} ${bound.minimum !== undefined ? ">=" : ">"} ${low}`;
  if (high !== undefined) return `${kind} ${bound.maximum !== undefined ? "<=" : "<"} ${high}`;
  return kind;
}
