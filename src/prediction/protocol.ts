import type { ModelSpec, WeightEntry } from "../engine/index.js";

/** A stored model as a prediction thread needs it; `weights` is shared, never copied per task. */
export interface ModelForPrediction {
  id: string;
  spec: ModelSpec;
  manifest: WeightEntry[];
  /** Little-endian float32, laid out by `manifest`. */
  weights: SharedArrayBuffer;
}

export interface PredictionTask {
  taskId: number;
  model: ModelForPrediction;
  /** n x inputSize, row-major. */
  x: Float32Array;
  n: number;
}

export type PredictionReply =
  | { taskId: number; ok: true; y: Float32Array }
  | { taskId: number; ok: false; message: string }
  /** Sent once when the thread has loaded the engine and takes tasks. */
  | { ready: true };
