// Entry of a prediction thread (see src/prediction/prediction-pool.ts): runs
// the engine's forward pass off the API's event loop, keeping the few models
// it used last, built from weights the API shares with it.

import { parentPort } from "node:worker_threads";
import { createModel, createTrainer, importWeights, type Model } from "../src/engine/index.js";
import type { OverfitTask, PredictTask, PredictionReply, PredictionTask } from "../src/prediction/protocol.js";

const CACHE_SIZE = 4;
const models = new Map<string, Model>();

function modelFor(task: PredictTask): Model {
  const cached = models.get(task.model.id);
  if (cached) {
    models.delete(task.model.id);
    models.set(task.model.id, cached);
    return cached;
  }
  const model = createModel(task.model.spec, 0);
  importWeights(model, task.model.manifest, new Uint8Array(task.model.weights));
  models.set(task.model.id, model);
  if (models.size > CACHE_SIZE) models.delete(models.keys().next().value!);
  return model;
}

/** A fresh model's loss after each of `steps` optimizer steps on the same batch. */
function overfit(task: OverfitTask): Float32Array<ArrayBuffer> {
  const trainer = createTrainer(createModel(task.spec, task.seed), { loss: task.loss, optimizer: task.optimizer, seed: task.seed });
  return Float32Array.from({ length: task.steps }, () => trainer.trainOnBatch(task.x, task.y, task.n));
}

parentPort!.postMessage({ ready: true } satisfies PredictionReply);

parentPort!.on("message", (task: PredictionTask) => {
  let reply: PredictionReply;
  try {
    const y = task.kind === "overfit" ? overfit(task) : Float32Array.from(modelFor(task).predict(task.x, task.n));
    reply = { taskId: task.taskId, ok: true, y };
    parentPort!.postMessage(reply, [y.buffer]);
  } catch (error) {
    reply = { taskId: task.taskId, ok: false, message: (error as Error).message };
    parentPort!.postMessage(reply);
  }
});
