import { checkAugmentation } from "./augmentation/augmenter.js";
import { SpecError } from "./errors.js";
import { forwardFlops } from "./flops.js";
import { flatSize } from "./layers/layer.js";
import { layerKindOf, layerKinds } from "./layers/layer-kinds.js";
import type { ActivationName, EarlyStoppingConfig, LayerSummary, LearningRateSchedule, ModelSpec, TrainingConfig } from "./types.js";

/**
 * Shape inference: every layer's output shape and parameter count, in order.
 * Throws SpecError naming the layer and the field when the spec cannot work.
 */
export function summarizeModel(spec: ModelSpec): LayerSummary[] {
  checkInputShape(spec);
  if (!Array.isArray(spec.layers) || spec.layers.length === 0) throw new SpecError("a model needs at least one layer", "/model/layers");
  const summaries: LayerSummary[] = [];
  let shape = [...spec.inputShape];
  spec.layers.forEach((layer, index) => {
    if (layer === null || typeof layer !== "object" || !(layer.type in layerKinds)) {
      const type = JSON.stringify((layer as { type?: unknown } | null)?.type);
      throw new SpecError(`layer ${index}: unknown type ${type}; expected one of ${Object.keys(layerKinds).join(", ")}`, `/model/layers/${index}/type`, index);
    }
    const kind = layerKindOf(layer);
    const outputShape = kind.outputShape(layer, shape, index);
    const weights = kind.weights(layer, shape);
    const parameterCount = weights.reduce((sum, w) => sum + flatSize(w.shape), 0);
    const kernelSize = weights.filter((w) => w.name === "kernel").reduce((sum, w) => sum + flatSize(w.shape), 0);
    summaries.push({ index, type: layer.type, outputShape, parameterCount, flops: forwardFlops(layer, shape, outputShape, kernelSize) });
    shape = outputShape;
  });
  const frozen: unknown = spec.frozenLayers;
  if (frozen !== undefined && !(Number.isInteger(frozen) && (frozen as number) >= 0 && (frozen as number) <= spec.layers.length)) {
    throw new SpecError(`frozenLayers must be an integer from 0 to the number of layers (${spec.layers.length}), got ${JSON.stringify(frozen)}`, "/model/frozenLayers");
  }
  return summaries;
}

function checkInputShape(spec: ModelSpec): void {
  if (spec === null || typeof spec !== "object") throw new SpecError("the model spec must be an object", "/model");
  const shape: unknown = spec.inputShape;
  if (!Array.isArray(shape) || shape.length === 0 || !shape.every((d) => Number.isInteger(d) && d >= 1)) {
    throw new SpecError(`inputShape must be a non-empty list of positive integers, got ${JSON.stringify(shape)}`, "/model/inputShape");
  }
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

  const split = training.validationSplit ?? 0;
  const validationCount = Math.round(data.numSamples * split);
  if (data.numSamples - validationCount < 1) throw new SpecError(`validationSplit ${split} leaves no training sample out of ${data.numSamples}`, "/training/validationSplit");
  if (split > 0 && validationCount < 1) throw new SpecError(`validationSplit ${split} of ${data.numSamples} samples gives no validation sample`, "/training/validationSplit");
  return summaries;
}

const LOSS_NAMES = ["meanSquaredError", "meanAbsoluteError", "binaryCrossentropy", "categoricalCrossentropy", "sparseCategoricalCrossentropy"];
const OPTIMIZER_NAMES = ["sgd", "adam", "adamw", "rmsprop", "adagrad"];

/** Checks the fields of a training config; the API's schema does too, this guards direct callers. */
export function checkTrainingConfig(training: TrainingConfig): void {
  if (training === null || typeof training !== "object") throw new SpecError("the training config must be an object", "/training");
  const positiveInteger = (value: unknown, field: string): void => {
    if (!Number.isInteger(value) || (value as number) < 1) throw new SpecError(`${field} must be a positive integer, got ${JSON.stringify(value)}`, `/training/${field}`);
  };
  positiveInteger(training.epochs, "epochs");
  positiveInteger(training.batchSize, "batchSize");
  if (!Number.isInteger(training.seed) || training.seed < 0) throw new SpecError(`seed must be a non-negative integer, got ${JSON.stringify(training.seed)}`, "/training/seed");
  if (!LOSS_NAMES.includes(training.loss)) throw new SpecError(`loss must be one of ${LOSS_NAMES.join(", ")}, got ${JSON.stringify(training.loss)}`, "/training/loss");
  const split: unknown = training.validationSplit;
  if (split !== undefined && !(typeof split === "number" && split >= 0 && split < 1)) {
    throw new SpecError(`validationSplit must be a number in [0, 1), got ${JSON.stringify(split)}`, "/training/validationSplit");
  }
  const optimizer = training.optimizer;
  if (optimizer === null || typeof optimizer !== "object") throw new SpecError("optimizer must be an object", "/training/optimizer");
  if (!OPTIMIZER_NAMES.includes(optimizer.type)) throw new SpecError(`optimizer.type must be one of ${OPTIMIZER_NAMES.join(", ")}, got ${JSON.stringify(optimizer.type)}`, "/training/optimizer/type");
  const lr: unknown = optimizer.learningRate;
  if (!(typeof lr === "number" && lr > 0 && Number.isFinite(lr))) throw new SpecError(`learningRate must be a positive number, got ${JSON.stringify(lr)}`, "/training/optimizer/learningRate");
  const fraction = (field: "momentum" | "beta1" | "beta2"): void => {
    const v: unknown = optimizer[field];
    if (v !== undefined && !(typeof v === "number" && v >= 0 && v < 1)) throw new SpecError(`${field} must be a number in [0, 1), got ${JSON.stringify(v)}`, `/training/optimizer/${field}`);
  };
  fraction("momentum");
  fraction("beta1");
  fraction("beta2");
  const positive = (field: "epsilon" | "clipNorm" | "clipValue"): void => {
    const v: unknown = optimizer[field];
    if (v !== undefined && !(typeof v === "number" && v > 0 && Number.isFinite(v))) throw new SpecError(`${field} must be a positive number, got ${JSON.stringify(v)}`, `/training/optimizer/${field}`);
  };
  positive("epsilon");
  positive("clipNorm");
  positive("clipValue");
  if (optimizer.nesterov !== undefined && typeof optimizer.nesterov !== "boolean") throw new SpecError("nesterov must be a boolean", "/training/optimizer/nesterov");
  for (const flag of ["shuffle", "stratify"] as const) {
    if (training[flag] !== undefined && typeof training[flag] !== "boolean") throw new SpecError(`${flag} must be a boolean`, `/training/${flag}`);
  }
  if (training.learningRateSchedule !== undefined) checkSchedule(training.learningRateSchedule);
  if (training.earlyStopping !== undefined) checkEarlyStopping(training.earlyStopping);
  checkAugmentation(training.augmentation);
  const decay: unknown = optimizer.weightDecay;
  if (decay !== undefined && !(typeof decay === "number" && decay >= 0 && Number.isFinite(decay))) {
    throw new SpecError(`weightDecay must be a non-negative number, got ${JSON.stringify(decay)}`, "/training/optimizer/weightDecay");
  }
}


const MONITORS = ["loss", "valLoss", "accuracy", "valAccuracy"];

function checkSchedule(schedule: LearningRateSchedule): void {
  const base = "/training/learningRateSchedule";
  if (schedule === null || typeof schedule !== "object") throw new SpecError("learningRateSchedule must be an object", base);
  const types = ["constant", "step", "exponential", "cosine", "reduceOnPlateau"];
  if (!types.includes(schedule.type)) throw new SpecError(`learningRateSchedule.type must be one of ${types.join(", ")}, got ${JSON.stringify(schedule.type)}`, `${base}/type`);
  const fields = schedule as unknown as Record<string, unknown>;
  const check = (field: string, ok: (v: number) => boolean, what: string, required = false): void => {
    const v = fields[field];
    if (v === undefined && !required) return;
    if (typeof v !== "number" || !Number.isFinite(v) || !ok(v)) throw new SpecError(`${field} must be ${what}, got ${JSON.stringify(v)}`, `${base}/${field}`);
  };
  check("warmupEpochs", (v) => Number.isInteger(v) && v >= 0, "a non-negative integer");
  if (schedule.type === "step") {
    check("stepSize", (v) => Number.isInteger(v) && v >= 1, "a positive integer", true);
    check("gamma", (v) => v > 0 && v <= 1, "a number in (0, 1]", true);
  }
  if (schedule.type === "exponential") check("gamma", (v) => v > 0 && v <= 1, "a number in (0, 1]", true);
  if (schedule.type === "cosine" || schedule.type === "reduceOnPlateau") check("minLearningRate", (v) => v >= 0, "a non-negative number");
  if (schedule.type === "reduceOnPlateau") {
    check("factor", (v) => v > 0 && v < 1, "a number in (0, 1)");
    check("patience", (v) => Number.isInteger(v) && v >= 0, "a non-negative integer");
    check("cooldown", (v) => Number.isInteger(v) && v >= 0, "a non-negative integer");
    check("minDelta", (v) => v >= 0, "a non-negative number");
    if (schedule.monitor !== undefined && !MONITORS.includes(schedule.monitor)) throw new SpecError(`monitor must be one of ${MONITORS.join(", ")}`, `${base}/monitor`);
  }
}

function checkEarlyStopping(config: EarlyStoppingConfig): void {
  const base = "/training/earlyStopping";
  if (config === null || typeof config !== "object") throw new SpecError("earlyStopping must be an object", base);
  if (config.monitor !== undefined && !MONITORS.includes(config.monitor)) throw new SpecError(`monitor must be one of ${MONITORS.join(", ")}, got ${JSON.stringify(config.monitor)}`, `${base}/monitor`);
  if (config.mode !== undefined && !["min", "max", "auto"].includes(config.mode)) throw new SpecError(`mode must be min, max or auto, got ${JSON.stringify(config.mode)}`, `${base}/mode`);
  if (config.patience !== undefined && !(Number.isInteger(config.patience) && config.patience >= 0)) throw new SpecError(`patience must be a non-negative integer, got ${JSON.stringify(config.patience)}`, `${base}/patience`);
  if (config.minDelta !== undefined && !(typeof config.minDelta === "number" && config.minDelta >= 0)) throw new SpecError(`minDelta must be a non-negative number, got ${JSON.stringify(config.minDelta)}`, `${base}/minDelta`);
  if (config.restoreBestWeights !== undefined && typeof config.restoreBestWeights !== "boolean") throw new SpecError("restoreBestWeights must be a boolean", `${base}/restoreBestWeights`);
}
