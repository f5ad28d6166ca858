/**
 * descent's training engine: pure TypeScript, no I/O. See README.md in this folder.
 */
export type {
  ActivationName,
  AugmentationConfig,
  AugmentationName,
  BatchInfo,
  ClassMetrics,
  EarlyStoppingConfig,
  EpochInProgress,
  EpochMetrics,
  FinalMetrics,
  FitCallbacks,
  FitOptions,
  FitResult,
  InitializerName,
  LayerSpec,
  LayerSummary,
  LearningRateSchedule,
  LiveChanges,
  LossName,
  Model,
  ModelSpec,
  MonitoredMetric,
  OptimizerConfig,
  Padding,
  Size2d,
  TrainingCheckpoint,
  TrainingConfig,
  TrainingData,
  WeightEntry,
} from "./types.js";
export { ExportError, SpecError, TrainingError, type TrainingErrorCode } from "./errors.js";
export { summarizeModel, checkSpecFitsData, checkTrainingConfig } from "./spec.js";
export { planModel, type ModelPlan } from "./model-plan.js";
export { embeddingIdLimit, findInvalidId, describeInvalidId, type IdLimit, type InvalidId } from "./input-ids.js";
export { createModel } from "./model.js";
export { fit } from "./training/fit.js";
export { trainingSplit, type Split } from "./training/split.js";
export { monitorOf } from "./training/early-stopping.js";
export { exportWeights, importWeights } from "./weights.js";
export { encodeCheckpoint, decodeCheckpoint } from "./training/checkpoint.js";
export { Prng, type PrngState } from "./random.js";
export { transferSpec, checkTransferFitsData, createTransferModel, type TransferOptions, type TransferLineage, type StoredModel } from "./transfer.js";
export { exportTfjs, type TfjsExport, type TfjsModelJson } from "./export-tfjs.js";
export { TRAINING_FLOPS_FACTOR } from "./flops.js";
export {
  ACTIVATIONS,
  BOUNDS,
  INITIALIZERS,
  LAYER_TYPES,
  LOSSES,
  MODEL_INPUT,
  MONITORED_METRICS,
  MONITOR_MODES,
  OPTIMIZERS,
  PADDINGS,
  SCHEDULES,
  describeBound,
  ENGINE_NUMERICS,
  withinBound,
  type Bound,
  type BoundName,
} from "./contract.js";
export { createTrainer, predict, type Trainer, type TrainerOptions } from "./trainer.js";
export { gemm, setZeroSkipping } from "./kernels/gemm.js";
export { useKernelPath, kernelPath, allocateFloats, type KernelPath } from "./kernels/kernel-path.js";
export { withExecutor, type KernelExecutor, type KernelBinding } from "./kernels/executor.js";
export type { WasmApi, WasmMemory, WasmModule } from "./kernels/wasm/webassembly.js";
