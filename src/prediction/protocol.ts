import type { LossName, ModelSpec, OptimizerConfig, WeightEntry } from "../engine/index.js";

/** A stored model as a prediction thread needs it; `weights` is shared, never copied per task. */
export interface ModelForPrediction {
  id: string;
  spec: ModelSpec;
  manifest: WeightEntry[];
  /** Little-endian float32, laid out by `manifest`. */
  weights: SharedArrayBuffer;
}

export interface PredictTask {
  kind: "predict";
  taskId: number;
  model: ModelForPrediction;
  /** n x inputSize, row-major. */
  x: Float32Array;
  n: number;
}

/** The dry run's first check: a fresh model trained `steps` times on one batch; the reply's values are the losses. */
export interface OverfitTask {
  kind: "overfit";
  taskId: number;
  spec: ModelSpec;
  seed: number;
  loss: LossName;
  optimizer: OptimizerConfig;
  x: Float32Array;
  y: Float32Array;
  n: number;
  steps: number;
}

export type PredictionTask = PredictTask | OverfitTask;

export type PredictionReply =
  | { taskId: number; ok: true; y: Float32Array }
  | { taskId: number; ok: false; message: string }
  /** Sent once when the thread has loaded the engine and takes tasks. */
  | { ready: true };
