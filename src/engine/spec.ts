import { checkAugmentation } from "./augmentation/augmenter.js";
import { SpecError } from "./errors.js";
import { flatSize } from "./layers/layer.js";
import { planModel } from "./model-plan.js";
import { BOUNDS, LOSSES, MONITORED_METRICS, MONITOR_MODES, OPTIMIZERS, SCHEDULES, describeBound, withinBound, type Bound, type BoundName } from "./contract.js";
import type { ActivationName, EarlyStoppingConfig, LayerSummary, LearningRateSchedule, ModelSpec, OptimizerConfig, TrainingConfig } from "./types.js";

/**
 * Shape inference: every layer's output shape, parameter count and inputs, in
 * order. Throws SpecError naming the layer and the field when the spec cannot work.
 */
export function summarizeModel(spec: ModelSpec): LayerSummary[] {
  return planModel(spec).summaries;
}

/** The activation applied to the model's output: the last layer's, when it is dense or an activation layer. */
export function outputActivation(spec: ModelSpec): ActivationName {
  const last = spec.layers[spec.layers.length - 1];
  if (last.type === "dense") return last.activation ?? "linear";
  if (last.type === "activation") return last.activation;
  return "linear";
}

/**
 * Checks a model and training config against a dataset's shapes before
 * anything is queued: input size, output units vs classes, loss vs labels.
 * numClasses 0 means regression targets (one number per sample).
 */
export function checkSpecFitsData(spec: ModelSpec, training: TrainingConfig, data: { numFeatures: number; numClasses: number; numSamples: number }): LayerSummary[] {
  const summaries = summarizeModel(spec);
  checkTrainingConfig(training);
  checkAugmentation(training.augmentation, spec.inputShape);

  const inputSize = flatSize(spec.inputShape);
  if (inputSize !== data.numFeatures) {
    const first = spec.layers[0];
    throw new SpecError(`layer 0 (${first.type}): expects input of size ${inputSize} (inputShape [${spec.inputShape.join(", ")}]), the dataset has ${data.numFeatures} features`, "/model/inputShape", 0);
  }

  const lastIndex = spec.layers.length - 1;
  const outputSize = flatSize(summaries[lastIndex].outputShape);
  const lastDense = spec.layers.map((l) => l.type).lastIndexOf("dense");
  const unitsPath = lastDense >= 0 ? `/model/layers/${lastDense}/units` : "/model/layers";
  const loss = training.loss;
  const activation = outputActivation(spec);
  const activationPath = spec.layers[lastIndex].type === "dense" || spec.layers[lastIndex].type === "activation" ? `/model/layers/${lastIndex}/activation` : `/model/layers/${lastIndex}`;
  const describe = `layer ${lastIndex} (${spec.layers[lastIndex].type})`;

  if (loss === "categoricalCrossentropy" || loss === "sparseCategoricalCrossentropy") {
    if (data.numClasses === 0) throw new SpecError(`${loss} needs class labels, the dataset has regression targets`, "/training/loss");
    if (activation !== "softmax") throw new SpecError(`${describe}: ${loss} needs a final softmax activation, got ${activation}`, activationPath, lastIndex);
    if (outputSize !== data.numClasses) throw new SpecError(`${describe}: outputs ${outputSize} values, the dataset has ${data.numClasses} classes`, unitsPath, lastDense >= 0 ? lastDense : lastIndex);
  } else if (loss === "binaryCrossentropy") {
    if (data.numClasses === 0) throw new SpecError("binaryCrossentropy needs class labels, the dataset has regression targets", "/training/loss");
    if (activation !== "sigmoid") throw new SpecError(`${describe}: binaryCrossentropy needs a final sigmoid activation, got ${activation}`, activationPath, lastIndex);
    if (!(outputSize === data.numClasses || (outputSize === 1 && data.numClasses <= 2))) {
      throw new SpecError(`${describe}: outputs ${outputSize} values; binaryCrossentropy with ${data.numClasses} classes needs ${data.numClasses <= 2 ? "1" : data.numClasses}`, unitsPath, lastDense >= 0 ? lastDense : lastIndex);
    }
  } else {
    const expected = data.numClasses === 0 ? 1 : data.numClasses;
    const ok = outputSize === expected || (data.numClasses === 2 && outputSize === 1);
    if (!ok) {
      const what = data.numClasses === 0 ? "one regression target per sample" : `${data.numClasses} classes (one-hot targets)`;
      throw new SpecError(`${describe}: outputs ${outputSize} values, the dataset has ${what}`, unitsPath, lastDense >= 0 ? lastDense : lastIndex);
    }
  }

  if (training.classWeights !== undefined && training.classWeights.length !== data.numClasses) {
    throw new SpecError(`classWeights has ${training.classWeights.length} weights; the dataset has ${data.numClasses} classes`, "/training/classWeights");
  }
  const split = training.validationSplit ?? 0;
  const validationCount = Math.round(data.numSamples * split);
  if (data.numSamples - validationCount < 1) throw new SpecError(`validationSplit ${split} leaves no training sample out of ${data.numSamples}`, "/training/validationSplit");
  if (split > 0 && validationCount < 1) throw new SpecError(`validationSplit ${split} of ${data.numSamples} samples gives no validation sample`, "/training/validationSplit");
  return summaries;
}

/** A field within its bound from contract.ts, or a SpecError at `path`. */
function checkField(value: unknown, bound: Bound, field: string, path: string): void {
  if (!withinBound(value, bound)) throw new SpecError(`${field} must be ${describeBound(bound)}, got ${JSON.stringify(value)}`, path);
}

function checkName(value: unknown, names: readonly string[], field: string, path: string): void {
  if (!names.includes(value as string)) throw new SpecError(`${field} must be one of ${names.join(", ")}, got ${JSON.stringify(value)}`, path);
}

function checkObject(value: unknown, what: string, path: string): void {
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new SpecError(`${what} must be an object`, path);
}

/** Checks the fields of a training config against the contract's bounds (the API's schemas hold the same ones; this guards direct callers). */
export function checkTrainingConfig(training: TrainingConfig): void {
  checkObject(training, "the training config", "/training");
  const base = "/training";
  checkField(training.epochs, BOUNDS.epochs, "epochs", `${base}/epochs`);
  checkField(training.batchSize, BOUNDS.batchSize, "batchSize", `${base}/batchSize`);
  checkField(training.seed, BOUNDS.seed, "seed", `${base}/seed`);
  checkName(training.loss, LOSSES, "loss", `${base}/loss`);
  if (training.validationSplit !== undefined) checkField(training.validationSplit, BOUNDS.validationSplit, "validationSplit", `${base}/validationSplit`);
  for (const flag of ["shuffle", "stratify"] as const) {
    if (training[flag] !== undefined && typeof training[flag] !== "boolean") throw new SpecError(`${flag} must be a boolean`, `${base}/${flag}`);
  }
  checkOptimizer(training.optimizer);
  if (training.classWeights !== undefined) {
    const weights: unknown = training.classWeights;
    if (!Array.isArray(weights) || weights.length === 0 || !weights.every((w) => typeof w === "number" && Number.isFinite(w) && w > 0)) {
      throw new SpecError("classWeights must be a list of positive numbers, one per class", `${base}/classWeights`);
    }
    if (training.loss !== "categoricalCrossentropy" && training.loss !== "sparseCategoricalCrossentropy") {
      throw new SpecError(`classWeights weigh a softmax cross-entropy (categoricalCrossentropy or sparseCategoricalCrossentropy), not ${training.loss}`, `${base}/classWeights`);
    }
  }
  if (training.learningRateSchedule !== undefined) checkSchedule(training.learningRateSchedule);
  if (training.earlyStopping !== undefined) checkEarlyStopping(training.earlyStopping);
  checkAugmentation(training.augmentation);
}

const OPTIONAL_OPTIMIZER_FIELDS = ["momentum", "beta1", "beta2", "epsilon", "weightDecay", "clipNorm", "clipValue"] as const;

function checkOptimizer(optimizer: OptimizerConfig): void {
  const base = "/training/optimizer";
  checkObject(optimizer, "optimizer", base);
  checkName(optimizer.type, OPTIMIZERS, "optimizer.type", `${base}/type`);
  checkField(optimizer.learningRate, BOUNDS.learningRate, "learningRate", `${base}/learningRate`);
  for (const field of OPTIONAL_OPTIMIZER_FIELDS) {
    if (optimizer[field] !== undefined) checkField(optimizer[field], BOUNDS[field], field, `${base}/${field}`);
  }
  if (optimizer.nesterov !== undefined && typeof optimizer.nesterov !== "boolean") throw new SpecError("nesterov must be a boolean", `${base}/nesterov`);
}

/** The optional numeric fields of each schedule type, with their bounds; `required` ones must be there. */
const SCHEDULE_FIELDS: Record<LearningRateSchedule["type"], { optional: BoundName[]; required: BoundName[] }> = {
  constant: { optional: ["warmupEpochs"], required: [] },
  step: { optional: ["warmupEpochs"], required: ["stepSize", "gamma"] },
  exponential: { optional: ["warmupEpochs"], required: ["gamma"] },
  cosine: { optional: ["warmupEpochs", "minLearningRate"], required: [] },
  reduceOnPlateau: { optional: ["warmupEpochs", "minLearningRate", "patience", "cooldown", "minDelta"], required: [] },
};
/** Schedule fields whose name differs from their bound's. */
const SCHEDULE_BOUND_OF: Partial<Record<string, BoundName>> = { factor: "plateauFactor" };

function checkSchedule(schedule: LearningRateSchedule): void {
  const base = "/training/learningRateSchedule";
  checkObject(schedule, "learningRateSchedule", base);
  checkName(schedule.type, SCHEDULES, "learningRateSchedule.type", `${base}/type`);
  const fields = schedule as unknown as Record<string, unknown>;
  const { optional, required } = SCHEDULE_FIELDS[schedule.type];
  for (const field of required) {
    if (fields[field] === undefined) throw new SpecError(`${field} is required for a ${schedule.type} schedule`, `${base}/${field}`);
  }
  for (const field of [...required, ...optional]) {
    if (fields[field] !== undefined) checkField(fields[field], BOUNDS[field], field, `${base}/${field}`);
  }
  if (schedule.type === "reduceOnPlateau") {
    if (schedule.factor !== undefined) checkField(schedule.factor, BOUNDS[SCHEDULE_BOUND_OF.factor!], "factor", `${base}/factor`);
    if (schedule.monitor !== undefined) checkName(schedule.monitor, MONITORED_METRICS, "monitor", `${base}/monitor`);
  }
}

function checkEarlyStopping(config: EarlyStoppingConfig): void {
  const base = "/training/earlyStopping";
  checkObject(config, "earlyStopping", base);
  if (config.monitor !== undefined) checkName(config.monitor, MONITORED_METRICS, "monitor", `${base}/monitor`);
  if (config.mode !== undefined) checkName(config.mode, MONITOR_MODES, "mode", `${base}/mode`);
  if (config.patience !== undefined) checkField(config.patience, BOUNDS.patience, "patience", `${base}/patience`);
  if (config.minDelta !== undefined) checkField(config.minDelta, BOUNDS.minDelta, "minDelta", `${base}/minDelta`);
  if (config.restoreBestWeights !== undefined && typeof config.restoreBestWeights !== "boolean") throw new SpecError("restoreBestWeights must be a boolean", `${base}/restoreBestWeights`);
}
