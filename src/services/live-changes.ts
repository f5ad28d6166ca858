// The training settings a job may change after submission (PATCH of a running
// job, a fork's overrides): the learning rate, the number of epochs, the
// early-stopping patience.

import { DescentError } from "../errors.js";
import type { LiveTrainingChanges } from "../spec/job.js";
import type { TrainingConfig } from "../spec/training-config.js";

/** The job's training with `changes` applied, and what changed (JSON pointer, from, to); 409 for what cannot change after `epoch` epochs. */
export function withLiveChanges(training: TrainingConfig, changes: LiveTrainingChanges, epoch: number) {
  const next: TrainingConfig = { ...training };
  const fields: { path: string; from: number | null; to: number }[] = [];
  if (changes.optimizer) {
    fields.push({ path: "/training/optimizer/learningRate", from: training.optimizer.learningRate, to: changes.optimizer.learningRate });
    next.optimizer = { ...training.optimizer, learningRate: changes.optimizer.learningRate };
  }
  if (changes.epochs !== undefined) {
    if (changes.epochs <= epoch) conflictAt("/training/epochs", `the job has trained ${epoch} epochs; epochs must be above that`);
    fields.push({ path: "/training/epochs", from: training.epochs, to: changes.epochs });
    next.epochs = changes.epochs;
  }
  if (changes.earlyStopping) {
    if (!training.earlyStopping) conflictAt("/training/earlyStopping/patience", "the job trains without early stopping; its patience cannot change");
    fields.push({ path: "/training/earlyStopping/patience", from: training.earlyStopping.patience ?? 0, to: changes.earlyStopping.patience });
    next.earlyStopping = { ...training.earlyStopping, patience: changes.earlyStopping.patience };
  }
  return { training: next, fields };
}

function conflictAt(path: string, message: string): never {
  throw new DescentError("CONFLICT", message, [{ path, message }]);
}
