// Bounds on what one job may ask of the shared machines, checked before it is
// queued: 422 with the path of the field to change.

import type { Limits } from "../config.js";
import { TRAINING_FLOPS_FACTOR, type LayerSummary } from "../engine/index.js";
import { DescentError } from "../errors.js";
import type { ResolvedTrainingConfig } from "./job-validation.js";

const classificationLosses = new Set(["binaryCrossentropy", "categoricalCrossentropy", "sparseCategoricalCrossentropy"]);

/** `layers`: the job's model as shape inference summarised it (kept and added layers for transfer learning). */
export function checkJobLimits(
  layers: LayerSummary[],
  training: ResolvedTrainingConfig,
  dataset: { numSamples: number; numClasses: number },
  limits: Pick<Limits, "maxLayers" | "maxParameters" | "maxSampleEpochs" | "maxJobFlops" | "maxJobSeconds">,
): void {
  if (layers.length > limits.maxLayers) {
    exceeded("/model/layers", `${layers.length} layers; this service allows at most ${limits.maxLayers}`);
  }
  const parameters = layers.reduce((sum, layer) => sum + layer.parameterCount, 0);
  if (parameters > limits.maxParameters) {
    exceeded("/model/layers", `the model has ${parameters.toLocaleString("en")} parameters; this service allows at most ${limits.maxParameters.toLocaleString("en")}`);
  }
  const trainingSamples = dataset.numSamples - Math.round(dataset.numSamples * training.validationSplit);
  const sampleEpochs = training.epochs * trainingSamples;
  if (sampleEpochs > limits.maxSampleEpochs) {
    exceeded(
      "/training/epochs",
      `${training.epochs} epochs x ${trainingSamples.toLocaleString("en")} training samples = ${sampleEpochs.toLocaleString("en")} sample-epochs; the budget is ${limits.maxSampleEpochs.toLocaleString("en")}`,
    );
  }
  const forward = layers.reduce((sum, layer) => sum + layer.flops, 0);
  const validationSamples = dataset.numSamples - trainingSamples;
  const jobFlops = (forward * TRAINING_FLOPS_FACTOR * trainingSamples + forward * validationSamples) * training.epochs;
  if (jobFlops > limits.maxJobFlops) {
    exceeded(
      "/training/epochs",
      `about ${jobFlops.toPrecision(3)} floating-point operations (${training.epochs} epochs of ${trainingSamples.toLocaleString("en")} training samples at ${forward.toPrecision(3)} forward FLOPs each, x${TRAINING_FLOPS_FACTOR} for the backward pass); the budget is ${limits.maxJobFlops.toPrecision(3)}`,
    );
  }
  if (training.timeLimitSeconds !== undefined && training.timeLimitSeconds > limits.maxJobSeconds) {
    exceeded("/training/timeLimitSeconds", `a job may train for at most ${limits.maxJobSeconds} s on this service`);
  }
  if (training.batchSize > trainingSamples) {
    const message = `batchSize ${training.batchSize} is larger than the training set (${trainingSamples} samples after the validation split)`;
    throw new DescentError("VALIDATION_FAILED", message, [{ path: "/training/batchSize", message }]);
  }
  if (classificationLosses.has(training.loss) && dataset.numClasses < 2) {
    const message =
      dataset.numClasses === 0
        ? `${training.loss} needs class labels; this dataset holds regression targets (use meanSquaredError or meanAbsoluteError)`
        : `${training.loss} needs at least two classes; this dataset has one`;
    throw new DescentError("INVALID_SPEC", message, [{ path: "/training/loss", message }]);
  }
}

function exceeded(path: string, message: string): never {
  throw new DescentError("LIMIT_EXCEEDED", message, [{ path, message }]);
}
