/**
 * descent's training engine: pure TypeScript, no I/O. See README.md in this folder.
 */
export type {
  ActivationName,
  BatchInfo,
  EpochMetrics,
  FinalMetrics,
  FitCallbacks,
  FitResult,
  InitializerName,
  LayerSpec,
  LayerSummary,
  LossName,
  Model,
  ModelSpec,
  OptimizerConfig,
  TrainingConfig,
  TrainingData,
  WeightEntry,
} from "./types.js";
export { SpecError, TrainingError, type TrainingErrorCode } from "./errors.js";
export { summarizeModel, checkSpecFitsData } from "./spec.js";
export { createModel } from "./model.js";
export { fit } from "./training/fit.js";
export { exportWeights, importWeights } from "./weights.js";
export { Prng, type PrngState } from "./random.js";
