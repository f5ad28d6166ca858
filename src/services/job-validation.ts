import { checkSpecFitsData, checkTransferFitsData, SpecError, type LayerSummary } from "../engine/index.js";
import { DescentError } from "../errors.js";
import type { ModelSpec, TransferSpec } from "../spec/model-spec.js";
import type { TrainingConfig } from "../spec/training-config.js";

/** The training config as stored and trained: every optional field filled in. */
export type ResolvedTrainingConfig = TrainingConfig & Required<Pick<TrainingConfig, "seed" | "validationSplit" | "shuffle">>;

export function withTrainingDefaults(training: TrainingConfig): ResolvedTrainingConfig {
  return { ...training, seed: training.seed ?? 0, validationSplit: training.validationSplit ?? 0, shuffle: training.shuffle ?? true };
}

/**
 * Runs the engine's shape inference against the dataset before anything is
 * queued, so a spec that cannot train is a 400 naming the layer, not a failed job.
 * Returns the layers' output shapes and parameter counts.
 */
export function checkJobFitsDataset(
  model: ModelSpec,
  training: ResolvedTrainingConfig,
  dataset: { numFeatures: number; numClasses: number; numSamples: number; inputShape: number[] },
): LayerSummary[] {
  const inputSize = model.inputShape.reduce((a, b) => a * b, 1);
  if (inputSize !== dataset.numFeatures) {
    const message = `model inputShape [${model.inputShape.join(", ")}] holds ${inputSize} values; the dataset's samples have ${dataset.numFeatures} (inputShape [${dataset.inputShape.join(", ")}])`;
    throw new DescentError("INVALID_SPEC", message, [{ path: "/model/inputShape", message }]);
  }
  checkMonitorsHaveValidation(training);
  return asInvalidSpec(() => checkSpecFitsData(model, training, dataset));
}

/**
 * A transfer-learning job: the base model's kept layers plus the new ones
 * must fit the dataset, checked before queuing. Returns the new model's layers.
 */
export function checkTransferFitsDataset(
  base: ModelSpec,
  transfer: TransferSpec,
  training: ResolvedTrainingConfig,
  dataset: { numFeatures: number; numClasses: number; numSamples: number; inputShape: number[] },
): LayerSummary[] {
  checkMonitorsHaveValidation(training);
  const options = { dropLayers: transfer.dropLayers, addLayers: transfer.addLayers, freeze: transfer.freeze };
  return asInvalidSpec(() => checkTransferFitsData(base, options, training, dataset));
}

/** The engine's SpecError as a 400 naming its path. */
function asInvalidSpec<T>(check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof SpecError) {
      throw new DescentError("INVALID_SPEC", error.message, [{ path: error.path, message: error.message }]);
    }
    throw error;
  }
}

/** A metric on validation data needs validation data: say so before queuing, not as a failed job. */
function checkMonitorsHaveValidation(training: ResolvedTrainingConfig): void {
  if (training.validationSplit > 0) return;
  const monitors: [string, string | undefined][] = [
    ["/training/earlyStopping/monitor", training.earlyStopping?.monitor],
    ["/training/learningRateSchedule/monitor", training.learningRateSchedule?.type === "reduceOnPlateau" ? training.learningRateSchedule.monitor : undefined],
  ];
  for (const [path, monitor] of monitors) {
    if (monitor?.startsWith("val")) {
      const message = `${monitor} needs validation data: set validationSplit above 0, or monitor ${monitor === "valLoss" ? "loss" : "accuracy"}`;
      throw new DescentError("INVALID_SPEC", message, [{ path, message }]);
    }
  }
}
